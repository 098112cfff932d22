"""/profile (``/profil``): a member's opt-in profile in the directory, in private.

The first time, an explanation and "Create my profile" (a guided flow, every step
skippable); then the preview with its buttons: edit one field, publish or hide (at once:
the next search no longer finds a hidden profile), accept introductions or not, share the
e-mail on accepted introductions, take part in the monthly meetings. Nothing is shown to
anyone until the member publishes it.
"""

from __future__ import annotations

from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.port import Button
from bot.directory import profiles
from bot.directory.buttons import ProfilePress
from bot.models import Profile
from handlers import _profile_flow as flow
from handlers._directory_view import profile_message

router = Router("profile")
router.flow(flow.PROFILE)


def closed(ctx: Context) -> bool:
    """Say so when the network has no directory."""
    if ctx.settings.directory.enabled:
        return False
    ctx.reply(ctx._("The members' directory is not open in this network."))
    return True


async def _mine(ctx: Context) -> Profile:
    assert ctx.member is not None
    profile = await profiles.get_or_new(ctx.session, ctx.settings, ctx.member, ctx.clock.now())
    profiles.remember_handle(profile, ctx.event.platform, ctx.event.user_handle)
    return profile


@router.command("profile")
async def profile(ctx: Context) -> None:
    """The member's profile and its buttons, or the invitation to create one."""
    assert ctx.member is not None
    if closed(ctx):
        return
    existing = await profiles.of(ctx.session, ctx.member.id)
    if existing is None:
        ctx.reply(
            "\n".join(
                [
                    ctx._(
                        "The members' directory helps ambassadors meet: your organisation, "
                        "your job, your town, what you can offer and what you look for."
                    ),
                    ctx._(
                        "Your profile stays hidden until you publish it, and you can hide "
                        "it again at any time. Other members never get your contact unless "
                        "you accept their request."
                    ),
                ]
            ),
            [[Button(ctx._("Create my profile"), ProfilePress("new").pack())]],
        )
        return
    profiles.remember_handle(existing, ctx.event.platform, ctx.event.user_handle)
    ctx.send(ctx.answer_to or ctx.private_chat, profile_message(ctx, ctx.member, existing))


@router.button(ProfilePress, access=Access.ACTIVE)
async def pressed(ctx: Context, press: ProfilePress) -> None:
    assert ctx.member is not None
    if closed(ctx):
        return
    mine = await _mine(ctx)
    if press.action == "new":
        ctx.edit_pressed(ctx._("Let's write your profile, one question at a time."))
        await flow.begin(ctx, flow.steps_for(ctx)[0], walk=True)
        return
    if press.action == "e":
        if press.field not in {*profiles.BY_KEY, flow.TAGS}:
            ctx.reply_private(ctx._("This button is no longer active."))
            return
        await flow.begin(ctx, str(press.field), walk=False)
        return
    if press.action in ("show", "hide"):
        mine.listed = press.action == "show"
        said = (
            ctx._("Published: members can now find your profile in /directory.")
            if mine.listed
            else ctx._("Hidden: nobody finds your profile any more.")
        )
    else:
        attribute = {"contact": "contact", "email": "share_email", "pairs": "pairs"}[press.action]
        setattr(mine, attribute, not getattr(mine, attribute))
        said = ctx._("Saved.")
    mine.updated_at = ctx.clock.now()
    profiles.refresh(mine, ctx.member, ctx.settings)
    ctx.edit_pressed(said)
    ctx.send(ctx.private_chat, profile_message(ctx, ctx.member, mine))
