"""``/desk/campaigns/new``: compose a campaign (coordinators), see it as members will, and
schedule it — the chat's ``/campaign`` on one page; ``/desk/campaigns/<n>/edit``: the same
form filled with a scheduled campaign that has not started sending, to change it.

The form holds what the chat asks step by step: categories, text and call to action in
French and English, segments (level, activity, language, platform:
:mod:`bot.animation.segments`), private messages and e-mail, when (empty: now), a weekly
or monthly repeat with an end date and/or a number of runs. "Preview" answers the same
form with the campaign rendered by :func:`bot.animation.campaigns.render` — the channel
post in the network's language and the private message in each written language, with
their answer buttons; the text is the same on Telegram and Discord — and, with e-mail
checked, the e-mail in each written language as the mailer builds it
(:mod:`bot.web.desk.campaign_mail`). "Schedule" saves
it with :func:`bot.animation.campaigns.save` and audits ``campaign.create`` as the chat
does; "now" runs it at once. Editing saves through the same function and audits
``campaign.edit``, as the chat's Edit does, and only while
:func:`bot.web.desk.campaign_list.fixed` finds nothing against it (checked again, the row
locked, when the form comes back). The form carries a one-time ``draft`` token: a double
click or a resent form schedules, or edits, the campaign once.
"""

from __future__ import annotations

import secrets
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity.engagement import State
from bot.animation import campaigns, segments
from bot.animation.calls import PREVIEW
from bot.animation.segments import Segments
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.models import Campaign, Repeat, Role
from bot.web.desk import campaign_mail, labels, resent
from bot.web.desk.access import Desk, not_found, page
from bot.web.desk.campaign_list import REPEAT, fixed

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
PLATFORMS = ("telegram", "discord", segments.EMAIL)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}

ERRORS = {
    "text": N_("Write the text in French or in English (or both)."),
    "long": N_("The text or the call to action is too long."),
    "when": N_("The date and time were not understood or are past."),
    "ends": N_("The end date must come after the first run."),
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/campaigns/new", compose)
    router.add_post("/desk/campaigns/new", submit)
    router.add_get("/desk/campaigns/{id:[0-9]+}/edit", edit)
    router.add_post("/desk/campaigns/{id:[0-9]+}/edit", submit_edit)


def _values(form: Form | None) -> dict[str, object]:
    """The form as the template reads it back (a fresh form: empty)."""
    if form is None:
        return {"draft": secrets.token_urlsafe(16), "repeat": "none"}
    single: dict[str, object] = {key: str(form.get(key, "")) for key in form}
    for many in ("category", "activity", "language", "platform"):
        single[many] = [str(value) for value in form.getall(many, [])]
    if not single.get("draft"):
        single["draft"] = secrets.token_urlsafe(16)
    return single


def _values_of(desk: Desk, campaign: Campaign) -> dict[str, object]:
    """A stored campaign as the form shows it (local date and time, as typed)."""
    zone = ZoneInfo(desk.context.settings.network.timezone)
    chosen = Segments.of(campaign.segments)
    when = campaign.next_run_at or campaign.starts_at
    return {
        "draft": secrets.token_urlsafe(16),
        "category": list(campaign.categories),
        "text_fr": campaign.text_fr, "text_en": campaign.text_en,
        "call_fr": campaign.call_fr, "call_en": campaign.call_en,
        "min_points": str(chosen.min_points or ""),
        "activity": [state.value for state in chosen.activity],
        "language": list(chosen.languages),
        "platform": list(chosen.platforms),
        "direct": "1" if campaign.direct else "",
        "email": "1" if campaign.email else "",
        "when": when.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "repeat": campaign.repeat.value,
        "ends": campaign.ends_at.astimezone(zone).date().isoformat() if campaign.ends_at else "",
        "max_runs": str(campaign.max_runs or ""),
    }  # fmt: skip


def _render(
    desk: Desk,
    values: dict[str, object],
    *,
    editing: int | None = None,
    status: int = 200,
    **extra: object,
) -> web.Response:
    settings = desk.context.settings
    title = (
        desk._(N_("Edit campaign #{number}"), number=editing)
        if editing
        else desk._(N_("Compose a campaign"))
    )
    return desk.render(
        "campaign_compose.html",
        title=title,
        action=f"/desk/campaigns/{editing}/edit" if editing else "/desk/campaigns/new",
        editing=editing,
        values=values,
        categories=[(c.key, c.name.get(desk.language)) for c in settings.categories],
        levels=[(lvl.points, lvl.name.get(desk.language)) for lvl in settings.levels[1:]],
        states=[(state.value, labels.STATE[state]) for state in State],
        languages=LANGUAGE_NAMES,
        platforms=PLATFORMS,
        repeats=[(r.value, REPEAT[r]) for r in Repeat],
        status=status,
        **{"error": None, "previews": None, "mails": None, "no_email": None, **extra},
    )


@page(Role.COORDINATOR)
async def compose(desk: Desk) -> web.StreamResponse:
    return _render(desk, _values(None))


def _moment(desk: Desk, raw: str) -> datetime | None:
    """A local ``YYYY-MM-DDTHH:MM`` (the browser's date-time picker) as UTC."""
    zone = ZoneInfo(desk.context.settings.network.timezone)
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None


def _draft(desk: Desk, form: Form) -> tuple[campaigns.Draft | None, str | None]:
    """The draft the form describes, or the key of what is wrong in :data:`ERRORS`."""

    def get(key: str) -> str:
        return str(form.get(key, "")).strip()

    text = Bilingual.of({language: get(f"text_{language}") for language in LANGUAGES})
    call = Bilingual.of({language: get(f"call_{language}") for language in LANGUAGES})
    if not text.written():
        return None, "text"
    if any(len(getattr(text, lang)) > campaigns.MAX_TEXT for lang in LANGUAGES) or any(
        len(getattr(call, lang)) > campaigns.MAX_CALL for lang in LANGUAGES
    ):
        return None, "long"
    now = desk.context.clock.now()
    starts_at = _moment(desk, get("when")) if get("when") else None
    if get("when") and (starts_at is None or starts_at <= now):
        return None, "when"
    repeat = Repeat(get("repeat")) if get("repeat") in {r.value for r in Repeat} else Repeat.NONE
    ends_at = None
    if repeat is not Repeat.NONE and get("ends"):
        try:
            last_day = date.fromisoformat(get("ends"))
        except ValueError:
            return None, "ends"
        zone = ZoneInfo(desk.context.settings.network.timezone)
        ends_at = datetime.combine(last_day, time(23, 59), zone).astimezone(UTC)
        if ends_at <= (starts_at or now):
            return None, "ends"
    max_runs = int(get("max_runs")) if get("max_runs").isdigit() and int(get("max_runs")) else None
    wanted = {key: True for key in ("direct", "email") if form.get(key)}
    known = {c.key for c in desk.context.settings.categories}
    chosen = tuple(str(c) for c in form.getall("category", []) if str(c) in known)
    segment = Segments.of(
        {
            "min_points": int(get("min_points")) if get("min_points").isdigit() else None,
            "activity": [str(a) for a in form.getall("activity", [])],
            "languages": [str(a) for a in form.getall("language", [])],
            "platforms": [str(p) for p in form.getall("platform", []) if str(p) in PLATFORMS],
        }
    )
    draft = campaigns.Draft(
        categories=chosen, text=text, call_to_action=call, starts_at=starts_at, repeat=repeat,
        direct=wanted.get("direct", False), email=wanted.get("email", False), segments=segment,
        ends_at=ends_at, max_runs=max_runs if repeat is not Repeat.NONE else None,
    )  # fmt: skip
    return draft, None


def _previews(desk: Desk, draft: campaigns.Draft) -> list[tuple[str, object]]:
    translator, settings = desk.context.translator, desk.context.settings
    default = settings.network.default_language
    shown: list[tuple[str, object]] = [
        (
            desk._(N_("Channel post ({language})"), language=LANGUAGE_NAMES[default]),
            campaigns.render(translator, default, draft, PREVIEW, private=False),
        )
    ]
    for language in draft.wording.written() or (default,):
        shown.append(
            (
                desk._(N_("Private message ({language})"), language=LANGUAGE_NAMES[language]),
                campaigns.render(
                    translator, language, draft, PREVIEW, private=True, default=default
                ),
            )
        )
    return shown


def _listed(number: int) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/desk/campaigns#campaign-{number}"})


def _record(desk: Desk, session: AsyncSession, campaign: Campaign, draft: campaigns.Draft,
            *, action: str, token: str) -> None:  # fmt: skip
    """The audit entry the chat writes, with the form's token (to find a resent form)."""
    audit.record(
        session, desk.context.clock, actor_id=desk.member.id, action=action,
        campaign_id=campaign.id, categories=list(draft.categories),
        starts_at=campaign.starts_at.isoformat(), repeat=draft.repeat.value,
        direct=draft.direct, email=draft.email, segments=campaign.segments,
        languages=list(draft.wording.written()),
        ends_at=campaign.ends_at.isoformat() if campaign.ends_at else None,
        max_runs=campaign.max_runs, form=token, via="desk",
    )  # fmt: skip


async def _run_now(desk: Desk, session: AsyncSession, campaign: Campaign) -> None:
    context = desk.context
    await campaigns.run(
        session, context.settings, context.translator, campaign,
        platforms=context.platforms(), now=context.clock.now(),
    )  # fmt: skip


def _preview_page(
    desk: Desk, values: dict[str, object], draft: campaigns.Draft, editing: int | None
) -> web.Response:
    mails = campaign_mail.previews(desk, draft, editing) if draft.email else None
    return _render(
        desk, values, editing=editing, previews=_previews(desk, draft),
        mails=mails if isinstance(mails, list) else None,
        no_email=mails if isinstance(mails, str) else None,
    )  # fmt: skip


@page(Role.COORDINATOR)
async def submit(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    values = _values(form)
    draft, error = _draft(desk, form)
    if draft is None:
        return _render(desk, values, error=ERRORS[error or "text"], status=400)
    if form.get("action") != "schedule":
        return _preview_page(desk, values, draft, None)
    token = str(form.get("draft", ""))[:64]
    context, now = desk.context, desk.context.clock.now()
    async with context.sessions() as session:
        existing = (
            await resent.already_done(session, desk, token, "campaign.create", "campaign_id")
            if token
            else None
        )
    if existing is not None:
        return _listed(existing)
    async with context.sessions.begin() as session:
        campaign: Campaign = campaigns.save(None, draft, author_id=desk.member.id, now=now)
        session.add(campaign)
        await session.flush()
        _record(desk, session, campaign, draft, action="campaign.create", token=token)
        if draft.starts_at is None:
            await _run_now(desk, session, campaign)
        number = campaign.id
    await context.after_commit(session)
    return _listed(number)


def _cannot(desk: Desk, number: int, reason: str) -> web.Response:
    """Why this campaign can no longer be edited (409)."""
    return desk.render(
        "campaign_fixed.html",
        title=desk._(N_("Edit campaign #{number}"), number=number),
        reason=desk._(reason),
        status=409,
    )


async def _kit_kept(
    session: AsyncSession, campaign: Campaign, draft: campaigns.Draft, now: datetime
) -> campaigns.Draft:
    """The form has no kit item: an edited campaign keeps its own while it is in the kit."""
    title = await campaigns.kit_title(session, campaign, now)
    if campaign.kit_item_id is None or title is None:
        return draft
    return replace(draft, kit_item=(campaign.kit_item_id, title))


@page(Role.COORDINATOR)
async def edit(desk: Desk) -> web.StreamResponse:
    number = int(desk.request.match_info["id"])
    async with desk.context.sessions() as session:
        campaign = await session.get(Campaign, number)
        if campaign is None:
            return not_found(desk)
        reason = await fixed(session, campaign, desk.context.clock.now())
    if reason is not None:
        return _cannot(desk, number, reason)
    return _render(desk, _values_of(desk, campaign), editing=number)


@page(Role.COORDINATOR)
async def submit_edit(desk: Desk) -> web.StreamResponse:
    number = int(desk.request.match_info["id"])
    form = await desk.request.post()
    values = _values(form)
    draft, error = _draft(desk, form)
    context, now = desk.context, desk.context.clock.now()
    token = str(form.get("draft", ""))[:64]
    saving = draft is not None and form.get("action") == "schedule"
    # Saving locks the row: the job cannot start it meanwhile, nor a second click edit it.
    opened: AbstractAsyncContextManager[AsyncSession] = (
        context.sessions.begin() if saving else context.sessions()
    )
    async with opened as session:
        campaign = await session.get(Campaign, number, with_for_update=saving)
        if campaign is None:
            return not_found(desk)
        if (
            saving
            and token
            and await resent.already_done(session, desk, token, "campaign.edit", "campaign_id")
            == number
        ):
            return _listed(number)  # a resent form: edited once
        reason = await fixed(session, campaign, now)
        if reason is not None:
            return _cannot(desk, number, reason)
        if draft is None:
            return _render(desk, values, editing=number, error=ERRORS[error or "text"], status=400)
        draft = await _kit_kept(session, campaign, draft, now)
        if not saving:
            return _preview_page(desk, values, draft, number)
        campaigns.save(campaign, draft, author_id=desk.member.id, now=now)
        _record(desk, session, campaign, draft, action="campaign.edit", token=token)
        if draft.starts_at is None:
            await _run_now(desk, session, campaign)
    await context.after_commit(session)
    return _listed(number)
