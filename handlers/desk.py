"""/desk: a private, one-time link that signs the person in to the web desk.

The link (``{public_url}/desk/signin/<token>``) works once, for 10 minutes, for the role
the account acts with (:mod:`bot.members.desk_access`); it is only ever sent to the
person's private chat. On Telegram, with an https public URL, a second button opens the
desk as a Mini App inside Telegram (signed in by Telegram's signature, no link needed).
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.port import Button
from bot.members import desk_access

router = Router("desk")


@router.command("desk")
async def desk(ctx: Context) -> None:
    """Send a sign-in link to the desk, privately."""
    assert ctx.member is not None
    public = ctx.settings.web.public_url
    if not public:
        ctx.reply_private(
            ctx._("The web desk is not set up in this network (its web address is missing).")
        )
        return
    token = await desk_access.issue_link(ctx.session, ctx.member, ctx.identity, ctx.clock.now())
    url = f"{public}/desk/signin/{token}"
    rows = [[Button(ctx._("Open the desk"), url=url)]]
    if ctx.event.platform == "telegram" and public.startswith("https://"):
        rows.append([Button(ctx._("Open in Telegram"), url=f"{public}/desk/miniapp", web_app=True)])
    ctx.reply_private(
        ctx._(
            "Your sign-in link to the desk, for you alone: it works once, within "
            "{minutes} minutes.\n{url}",
            minutes=desk_access.LINK_MINUTES,
            url=url,
        ),
        rows,
    )
