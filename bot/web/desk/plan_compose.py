"""``/desk/plans/new``: write an action plan on one page — the chat's ``/plan`` — see it as
members will, and post it.

The form holds what the chat asks step by step: the category (a referent: only theirs,
:attr:`~bot.web.desk.access.Desk.categories`, read again at every request so a role
withdrawn meanwhile stops the post), the title, text and call to action in French and/or
English, a due date and, when the kit has items for the category, one to share.
"Preview" answers the same form with the channel post rendered by
:func:`bot.animation.plans.render` — the chat's preview, with its buttons. "Post"
publishes through :func:`bot.animation.plans.publish` and audits ``plan.publish`` as the
chat's Confirm does (plus the form's token and ``via=desk``); nothing is saved while the
form is wrong, and a category without a bound channel is refused as in the chat.

The form carries a one-time ``draft`` token. A double click sends two requests at once:
each takes its author's row lock first and then looks for a ``plan.publish`` entry with
the token, so the second finds the first's and leads to the same plan (one plan, one
channel post). The look-up is copied from the campaign composer's, not shared with it.
"""

from __future__ import annotations

import secrets

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation import calls, plans
from bot.animation.kit import items as kit_items
from bot.animation.wording import NAMES
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.core.text import clean_block
from bot.models import KitItem, Member, Role
from bot.web.desk import resent
from bot.web.desk.access import Desk, page

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
#: Each field, its limit (the chat's).
FIELDS = {"title": plans.MAX_TITLE, "text": plans.MAX_TEXT, "call": plans.MAX_CALL}

ERRORS = {
    "category": N_("You are not a referent of this category."),
    "text": N_(
        "Write the text and the call to action in French or in English (or both), and a "
        "title in at least one of them."
    ),
    "long": N_("The title, the text or the call to action is too long."),
    "due": N_("The due date was not understood or is past."),
    "kit": N_("This kit item cannot go with a plan for this category."),
}
NO_CHANNEL = N_(
    "The {category} ambassadors have no channel yet: a coordinator can bind one with /bind."
)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/plans/new", compose)
    router.add_post("/desk/plans/new", submit)


def _values(form: Form | None) -> dict[str, str]:
    """The form as the template reads it back (a fresh form: a new token)."""
    values = {key: str(form.get(key, "")) for key in form} if form is not None else {}
    if not values.get("draft"):
        values["draft"] = secrets.token_urlsafe(16)
    return values


async def _kit_offer(desk: Desk, session: AsyncSession) -> list[KitItem]:
    """The kit items a plan of one of the person's categories may carry (the chat's
    offer, :func:`bot.animation.kit.items.for_category`, for each category)."""
    now = desk.context.clock.now()
    offered: dict[int, KitItem] = {}
    for key in desk.categories:
        for item in await kit_items.for_category(session, key, now):
            offered.setdefault(item.id, item)
    return list(offered.values())


async def _render(
    desk: Desk, values: dict[str, str], *, status: int = 200, **extra: object
) -> web.Response:
    settings = desk.context.settings
    async with desk.context.sessions() as session:
        offer = await _kit_offer(desk, session)
    today = plans.local_today(settings, desk.context.clock.now())
    return desk.render(
        "plan_compose.html",
        title=desk._(N_("Write a plan")),
        values=values,
        categories=[(key, desk.category_name(key)) for key in desk.categories],
        languages=NAMES,
        kit=[(str(item.id), item.title) for item in offer],
        today=today.isoformat(),
        status=status,
        **{"error": None, "preview": None, **extra},
    )


@page(Role.REFERENT)
async def compose(desk: Desk) -> web.StreamResponse:
    return await _render(desk, _values(None))


def _wording(form: Form) -> tuple[dict[str, Bilingual], str | None]:
    """Title, text and call in each language, cleaned as the chat cleans them; or the
    key of what is wrong."""
    found: dict[str, dict[str, str]] = {field: {} for field in FIELDS}
    for field, limit in FIELDS.items():
        for language in LANGUAGES:
            raw = str(form.get(f"{field}_{language}", "")).strip()
            cleaned = clean_block(raw, limit) if raw else ""
            if cleaned is None:
                return {}, "long"
            found[field][language] = cleaned
    parts = {field: Bilingual.of(texts) for field, texts in found.items()}
    used = [lang for lang in LANGUAGES if any(getattr(p, lang) for p in parts.values())]
    complete = all(getattr(parts["text"], lang) and getattr(parts["call"], lang) for lang in used)
    if not used or not complete or not parts["title"]:
        return {}, "text"
    return parts, None


async def _draft(
    desk: Desk, session: AsyncSession, form: Form
) -> tuple[plans.Draft | None, str | None]:
    """The draft the form describes, or the key of what is wrong in :data:`ERRORS`."""
    category = str(form.get("category", ""))
    if category not in desk.categories:
        return None, "category"
    parts, error = _wording(form)
    if error is not None:
        return None, error
    now = desk.context.clock.now()
    raw_due = str(form.get("due", "")).strip()
    due = plans.parse_date(raw_due, plans.local_today(desk.context.settings, now))
    if raw_due and due is None:
        return None, "due"
    kit: tuple[int, str] | None = None
    wanted = str(form.get("kit", ""))
    if wanted:
        live = await kit_items.for_category(session, category, now)
        offered = {str(item.id): item for item in live}
        if wanted not in offered:
            return None, "kit"
        kit = (offered[wanted].id, offered[wanted].title)
    draft = plans.Draft(
        category=category, title=parts["title"], text=parts["text"],
        call_to_action=parts["call"], due=due, kit_item=kit,
    )  # fmt: skip
    return draft, None


def _posted(number: int) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/desk/plans#plan-{number}"})


@page(Role.REFERENT)
async def submit(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    values = _values(form)
    context = desk.context
    async with context.sessions() as session:
        draft, error = await _draft(desk, session, form)
    if draft is None:
        status = 403 if error == "category" else 400  # another's category: not theirs
        return await _render(desk, values, error=desk._(ERRORS[error or "text"]), status=status)
    if form.get("action") != "post":
        preview = plans.render(
            context.translator, context.settings, context.settings.network.default_language,
            draft, author=desk.member.display_name, subject=calls.PREVIEW,
        )  # fmt: skip
        return await _render(desk, values, preview=preview)
    token, fresh = values["draft"][:64], False
    async with context.sessions.begin() as session:
        # The author's row first: a second click waits here until the first committed.
        await session.scalar(select(Member).where(Member.id == desk.member.id).with_for_update())
        number = await resent.already_done(session, desk, token, "plan.publish", "plan_id")
        platforms = context.platforms()
        if number is None and await plans.channel_addresses(
            session, context.settings, draft.category, platforms
        ):
            plan, queued = await plans.publish(
                session, context.settings, context.translator, draft=draft,
                author_id=desk.member.id, author_name=desk.member.display_name,
                platforms=platforms, now=context.clock.now(),
            )  # fmt: skip
            audit.record(
                session, context.clock, actor_id=desk.member.id, action="plan.publish",
                plan_id=plan.id, category=draft.category, channels=queued, form=token,
                via="desk",
            )  # fmt: skip
            number, fresh = plan.id, True
    if number is None:  # rendered once the write is over (SQLite: one transaction a turn)
        name = desk.category_name(draft.category)
        return await _render(desk, values, error=desk._(NO_CHANNEL, category=name), status=400)
    if fresh:
        await context.after_commit(session)
    return _posted(number)
