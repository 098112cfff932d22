"""``/desk/campaigns/new``: compose a campaign (coordinators), see it as members will, and
schedule it — the chat's ``/campaign`` on one page.

The form holds what the chat asks step by step: categories, text and call to action in
French and English, segments (level, activity, language, platform:
:mod:`bot.animation.segments`), private messages and e-mail, when (empty: now), a weekly
or monthly repeat with an end date and/or a number of runs. "Preview" answers the same
form with the campaign rendered by :func:`bot.animation.campaigns.render` — the channel
post in the network's language and the private message in each written language, with
their answer buttons; the text is the same on Telegram and Discord. "Schedule" saves it
with :func:`bot.animation.campaigns.save` and audits ``campaign.create`` as the chat does;
"now" runs it at once. The form carries a one-time ``draft`` token: a double click or a
resent form schedules the campaign once.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy import select

from bot.activity.engagement import State
from bot.animation import campaigns, segments
from bot.animation.calls import PREVIEW
from bot.animation.segments import Segments
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.models import AuditEntry, Campaign, Repeat, Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, page
from bot.web.desk.campaign_list import REPEAT

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
PLATFORMS = ("telegram", "discord", segments.EMAIL)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
#: How far back a resent form's token is looked for.
RESEND_WINDOW = timedelta(days=1)

ERRORS = {
    "text": N_("Write the text in French or in English (or both)."),
    "long": N_("The text or the call to action is too long."),
    "when": N_("The date and time were not understood or are past."),
    "ends": N_("The end date must come after the first run."),
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/campaigns/new", compose)
    router.add_post("/desk/campaigns/new", submit)


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


def _render(
    desk: Desk, values: dict[str, object], *, status: int = 200, **extra: object
) -> web.Response:
    settings = desk.context.settings
    return desk.render(
        "campaign_compose.html",
        title=desk._(N_("Compose a campaign")),
        values=values,
        categories=[(c.key, c.name.get(desk.language)) for c in settings.categories],
        levels=[(lvl.points, lvl.name.get(desk.language)) for lvl in settings.levels[1:]],
        states=[(state.value, labels.STATE[state]) for state in State],
        languages=LANGUAGE_NAMES,
        platforms=PLATFORMS,
        repeats=[(r.value, REPEAT[r]) for r in Repeat],
        status=status,
        **{"error": None, "previews": None, **extra},
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


async def _already(desk: Desk, token: str) -> int | None:
    """The campaign this form's token already created, if any (a resent form)."""
    since = desk.context.clock.now() - RESEND_WINDOW
    async with desk.context.sessions() as session:
        entries = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.actor_id == desk.member.id,
                AuditEntry.action == "campaign.create",
                AuditEntry.created_at >= since,
            )
        )
        for entry in entries:
            if entry.details.get("form") == token:
                return int(entry.details["campaign_id"])
    return None


@page(Role.COORDINATOR)
async def submit(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    values = _values(form)
    draft, error = _draft(desk, form)
    if draft is None:
        return _render(desk, values, error=ERRORS[error or "text"], status=400)
    if form.get("action") != "schedule":
        return _render(desk, values, previews=_previews(desk, draft))
    token = str(form.get("draft", ""))[:64]
    if token and (existing := await _already(desk, token)) is not None:
        return web.Response(
            status=303, headers={"Location": f"/desk/campaigns#campaign-{existing}"}
        )
    context, now = desk.context, desk.context.clock.now()
    async with context.sessions.begin() as session:
        campaign: Campaign = campaigns.save(None, draft, author_id=desk.member.id, now=now)
        session.add(campaign)
        await session.flush()
        audit.record(
            session, context.clock, actor_id=desk.member.id, action="campaign.create",
            campaign_id=campaign.id, categories=list(draft.categories),
            starts_at=campaign.starts_at.isoformat(), repeat=draft.repeat.value,
            direct=draft.direct, email=draft.email, segments=campaign.segments,
            languages=list(draft.wording.written()),
            ends_at=campaign.ends_at.isoformat() if campaign.ends_at else None,
            max_runs=campaign.max_runs, form=token, via="desk",
        )  # fmt: skip
        if draft.starts_at is None:
            await campaigns.run(
                session, context.settings, context.translator, campaign,
                platforms=context.platforms(), now=now,
            )  # fmt: skip
        number = campaign.id
    await context.after_commit(session)
    return web.Response(status=303, headers={"Location": f"/desk/campaigns#campaign-{number}"})
