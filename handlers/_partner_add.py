"""/partneradd and /benefitadd: a coordinator adds a partner (name, kind of place,
address, link), then its benefits (the partner, the text in their language and optionally
in the other, the minimum level, optional dates), in private flows with a last look
before saving. A new partner gets its code, to give to its staff."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel.dates import format_date

from bot.activity import reports
from bot.cards import partners
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.text import clean_block
from bot.models import Conversation, Partner, Role
from handlers._labels import invalid_input

OTHER = {"fr": "en", "en": "fr"}
DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _line(ctx: Context, text: str, limit: int) -> str | None:
    cleaned = clean_block(text, limit)
    if cleaned is None or "\n" in cleaned:
        ctx.reply(ctx._("Please send one line of at most {limit} characters.", limit=limit))
        return None
    return cleaned


# -- a partner ------------------------------------------------------------------------


async def _sent_name(ctx: Context, conversation: Conversation, text: str) -> None:
    if (name := _line(ctx, text, partners.MAX_NAME)) is not None:
        flows.update(conversation, name=name)
        await flows.goto(ctx, PARTNER, conversation, "kind")


def _kinds(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(str(i), kind) for i, kind in enumerate(conversation.data.get("kinds", [])[:8])]


async def _chose_kind(ctx: Context, conversation: Conversation, value: str) -> None:
    kinds = dict(_kinds(ctx, conversation))
    if value not in kinds:
        flows.ask(ctx, PARTNER, conversation)
        return
    await _sent_kind(ctx, conversation, kinds[value])


async def _sent_kind(ctx: Context, conversation: Conversation, text: str) -> None:
    if (kind := _line(ctx, text, partners.MAX_KIND)) is not None:
        flows.update(conversation, kind=kind)
        await flows.goto(ctx, PARTNER, conversation, "address")


async def _sent_address(ctx: Context, conversation: Conversation, text: str) -> None:
    if (address := _line(ctx, text, partners.MAX_ADDRESS)) is not None:
        flows.update(conversation, address=address)
        await flows.goto(ctx, PARTNER, conversation, "link")


async def _skipped_address(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, address="")
    await flows.goto(ctx, PARTNER, conversation, "link")


async def _sent_link(ctx: Context, conversation: Conversation, text: str) -> None:
    try:
        link = reports.parse_link(text)
    except reports.InvalidInput as error:
        ctx.reply(invalid_input(ctx, error.reason))
        return
    flows.update(conversation, link=link)
    await _partner_preview(ctx, conversation)


async def _skipped_link(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, link=None)
    await _partner_preview(ctx, conversation)


async def _partner_preview(ctx: Context, conversation: Conversation) -> None:
    data = conversation.data
    lines = [f"{data['name']} — {data['kind']}"]
    lines += [part for part in (data.get("address"), data.get("link")) if part]
    ctx.reply_private("\n".join(lines))
    await flows.goto(ctx, PARTNER, conversation, "confirm")


async def _partner_confirmed(ctx: Context, conversation: Conversation, value: str) -> None:
    assert ctx.member is not None
    data = conversation.data
    partner = await partners.add_partner(
        ctx.session, name=data["name"], kind=data["kind"], address=data.get("address") or "",
        link=data.get("link"), now=ctx.clock.now(),
    )  # fmt: skip
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="partner.add",
        partner_id=partner.id,
    )  # fmt: skip
    await flows.end(ctx, conversation)
    ctx.reply(
        ctx._(
            "Partner added: {name}. Its code is {code}: give it to its staff; they type it on "
            "a member card's page to record that a benefit was used. Now add its benefits "
            "with /benefitadd.",
            name=partner.name,
            code=partner.code,
        )
    )


def _confirm(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("ok", ctx._("Confirm"))]


PARTNER = Flow(
    "partneradd",
    steps={
        "name": Step(lambda ctx, _c: ctx._("The partner's name (one line)."), on_text=_sent_name),
        "kind": Step(
            lambda ctx, _c: ctx._(
                "What kind of place is it (e.g. Museum, Restaurant, Shop)? "
                "Send it, or tap one already used."
            ),
            _kinds,
            _chose_kind,
            on_text=_sent_kind,
        ),
        "address": Step(
            lambda ctx, _c: ctx._("Its address (one line). Or tap Skip."),
            on_text=_sent_address,
            on_choice=_skipped_address,
            skippable=True,
        ),
        "link": Step(
            lambda ctx, _c: ctx._("Its web page (https://…). Or tap Skip."),
            on_text=_sent_link,
            on_choice=_skipped_link,
            skippable=True,
        ),
        "confirm": Step(lambda ctx, _c: ctx._("Add this partner?"), _confirm, _partner_confirmed),
    },
    min_role=Role.COORDINATOR,
)


async def begin_partner(ctx: Context) -> None:
    if not ctx.move_to_private():
        return
    kinds: list[str] = []
    for partner in await partners.live_partners(ctx.session):
        if partner.kind not in kinds:
            kinds.append(partner.kind)
    await flows.begin(ctx, PARTNER, "name", {"kinds": kinds})


# -- a benefit ------------------------------------------------------------------------


def _partner_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(str(pid), name) for pid, name in conversation.data.get("partners", [])]


async def _chose_partner(ctx: Context, conversation: Conversation, value: str) -> None:
    if value not in {key for key, _name in _partner_choices(ctx, conversation)}:
        flows.ask(ctx, BENEFIT, conversation)
        return
    flows.update(conversation, partner=int(value))
    await flows.goto(ctx, BENEFIT, conversation, "text")


def _text(ctx: Context, conversation: Conversation, text: str) -> str | None:
    cleaned = clean_block(text, partners.MAX_TEXT)
    if cleaned is None:
        ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=partners.MAX_TEXT))
    return cleaned


async def _sent_text(ctx: Context, conversation: Conversation, text: str) -> None:
    if (cleaned := _text(ctx, conversation, text)) is not None:
        flows.update(conversation, texts={ctx.language: cleaned})
        await flows.goto(ctx, BENEFIT, conversation, "other")


async def _sent_other(ctx: Context, conversation: Conversation, text: str) -> None:
    if (cleaned := _text(ctx, conversation, text)) is not None:
        flows.update(
            conversation, texts={**conversation.data["texts"], OTHER[ctx.language]: cleaned}
        )
        await flows.goto(ctx, BENEFIT, conversation, "level")


async def _skipped_other(ctx: Context, conversation: Conversation, value: str) -> None:
    await flows.goto(ctx, BENEFIT, conversation, "level")


def _levels(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(str(level.points), level.name.get(ctx.language)) for level in ctx.settings.levels]


async def _chose_level(ctx: Context, conversation: Conversation, value: str) -> None:
    if value not in {key for key, _name in _levels(ctx, conversation)}:
        flows.ask(ctx, BENEFIT, conversation)
        return
    flows.update(conversation, level=int(value))
    await flows.goto(ctx, BENEFIT, conversation, "dates")


def parse_dates(text: str) -> tuple[date | None, date | None] | None:
    """``DD/MM/YYYY`` (the last day) or ``DD/MM/YYYY - DD/MM/YYYY`` (first and last);
    None when it is neither, or the last day comes before the first."""
    found = [date(int(y), int(m), int(d)) for d, m, y in DAY.findall(text) if _real(d, m, y)]
    if len(found) != len(DAY.findall(text)) or not 1 <= len(found) <= 2:
        return None
    if len(found) == 1:
        return None, found[0]
    first, last = found
    return (first, last) if first <= last else None


def _real(d: str, m: str, y: str) -> bool:
    try:
        date(int(y), int(m), int(d))
    except ValueError:
        return False
    return True


async def _sent_dates(ctx: Context, conversation: Conversation, text: str) -> None:
    dates = parse_dates(text)
    if dates is None:
        ctx.reply(ctx._("Please send a date like 31/12/2027, or two: 01/06/2027 - 31/08/2027."))
        return
    first, last = dates
    flows.update(
        conversation, starts=first.isoformat() if first else None,
        ends=last.isoformat() if last else None,
    )  # fmt: skip
    await _benefit_preview(ctx, conversation)


async def _skipped_dates(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, starts=None, ends=None)
    await _benefit_preview(ctx, conversation)


def _day(ctx: Context, value: str | None) -> str:
    return format_date(date.fromisoformat(value), "d MMMM y", locale=ctx.language) if value else ""


async def _benefit_preview(ctx: Context, conversation: Conversation) -> None:
    data: dict[str, Any] = conversation.data
    written = Bilingual.of(data["texts"])
    text = written.pick(ctx.language, ctx.settings.network.default_language)[0]
    level = next(lv for lv in ctx.settings.levels if lv.points == data["level"])
    lines = [text, ctx._("From level: {level}", level=level.name.get(ctx.language))]
    if data.get("starts") or data.get("ends"):
        lines.append(
            ctx._(
                "Dates: {first} – {last}",
                first=_day(ctx, data.get("starts")) or "…",
                last=_day(ctx, data.get("ends")) or "…",
            )
        )
    ctx.reply_private("\n".join(lines))
    await flows.goto(ctx, BENEFIT, conversation, "confirm")


async def _benefit_confirmed(ctx: Context, conversation: Conversation, value: str) -> None:
    assert ctx.member is not None
    data = conversation.data
    partner = await ctx.session.get(Partner, int(data["partner"]))
    await flows.end(ctx, conversation)
    if partner is None or partner.retired_at is not None:
        ctx.reply(ctx._("This partner is no longer in the list."))
        return
    benefit = await partners.add_benefit(
        ctx.session, partner, text=Bilingual.of(data["texts"]), min_level=int(data["level"]),
        starts_on=date.fromisoformat(data["starts"]) if data.get("starts") else None,
        ends_on=date.fromisoformat(data["ends"]) if data.get("ends") else None,
        now=ctx.clock.now(),
    )  # fmt: skip
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="benefit.add",
        partner_id=partner.id, benefit_id=benefit.id,
    )  # fmt: skip
    ctx.reply(
        ctx._("Benefit added at {partner}. Members see it with /benefits.", partner=partner.name)
    )


BENEFIT = Flow(
    "benefitadd",
    steps={
        "partner": Step(
            lambda ctx, _c: ctx._("At which partner?"), _partner_choices, _chose_partner, columns=1
        ),
        "text": Step(
            lambda ctx, _c: ctx._("The benefit, as members will read it (e.g. Free entry)."),
            on_text=_sent_text,
        ),
        "other": Step(
            lambda ctx, _c: ctx._(
                "The same in the other language (French or English). Or tap Skip."
            ),
            on_text=_sent_other,
            on_choice=_skipped_other,
            skippable=True,
        ),
        "level": Step(lambda ctx, _c: ctx._("From which level?"), _levels, _chose_level, columns=1),
        "dates": Step(
            lambda ctx, _c: ctx._(
                "Until when? Send the last day (31/12/2027), or the first and last "
                "(01/06/2027 - 31/08/2027). Or tap Skip: no end."
            ),
            on_text=_sent_dates,
            on_choice=_skipped_dates,
            skippable=True,
        ),
        "confirm": Step(lambda ctx, _c: ctx._("Add this benefit?"), _confirm, _benefit_confirmed),
    },
    min_role=Role.COORDINATOR,
)


async def begin_benefit(ctx: Context, partner_id: int | None = None) -> None:
    found = await partners.live_partners(ctx.session)
    if not found:
        ctx.reply(ctx._("There is no partner yet: add one with /partneradd."))
        return
    if not ctx.move_to_private():
        return
    choices = [[p.id, p.name] for p in found]
    if partner_id is not None and any(p.id == partner_id for p in found):
        await flows.begin(ctx, BENEFIT, "text", {"partners": choices, "partner": partner_id})
        return
    await flows.begin(ctx, BENEFIT, "partner", {"partners": choices})
