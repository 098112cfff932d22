"""/plan: a referent writes an action plan in private (title, text, call to action in the
network's language, optional due date), sees it exactly as it will be posted, may add
its title, text and call in the other language (the channel post then carries both, the
network's first), and confirms; it then goes to the category's channel on every platform
where one is bound. /plans lists their plans, ten a page, with answers and Results.

A referent posts only to their own categories; a coordinator to any. The check is made
when the flow starts and again at Confirm (a role may have changed in between).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.animation import calls, plans
from bot.animation.calls import Choice
from bot.animation.kit import items as kit_items
from bot.animation.wording import LABELS
from bot.conversation import flows, paging
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.conversation.routing import Router
from bot.core import audit, web_links
from bot.core.bilingual import Bilingual
from bot.core.config import LANGUAGES
from bot.core.text import clean_block
from bot.members import roles
from bot.models import ActionPlan, Conversation, KitItem, Role
from handlers._desk import with_desk
from handlers._labels import category_name, short
from handlers._people import category_keys, category_word
from handlers.results import button

router = Router("plans")
PLANS_SHOWN = 10


def _draft(conversation: Conversation) -> plans.Draft:
    data = conversation.data
    due = date.fromisoformat(data["due"]) if data.get("due") else None
    return plans.Draft(
        category=str(data["category"]),
        title=Bilingual.of(data.get("titles", {})),
        text=Bilingual.of(data.get("texts", {})),
        call_to_action=Bilingual.of(data.get("calls", {})),
        due=due,
        kit_item=(int(data["kit"][0]), str(data["kit"][1])) if data.get("kit") else None,
    )


def _network(ctx: Context) -> str:
    return ctx.settings.network.default_language


def _other(ctx: Context) -> str:
    return next(language for language in LANGUAGES if language != _network(ctx))


def _ask_category(ctx: Context, _c: Conversation) -> str:
    return ctx._("For which category is this action plan?")


def _categories(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(key, category_name(ctx, key)) for key in conversation.data["mine"]]


async def _chose_category(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, category=value)
    await flows.goto(ctx, PLAN, conversation, "title")


def _ask_title(ctx: Context, conversation: Conversation) -> str:
    text = ctx._(
        "Action plan for the {category} ambassadors. Send its title (a few words).",
        category=category_name(ctx, str(conversation.data["category"])),
    )
    return text + " " + ctx._("Write it in {language}.", language=ctx._(LABELS[_network(ctx)]))


def _text_step(field: str, limit: int, next_step: str, *, other: bool = False) -> Step:
    """The title, text or call in the network's language; or, ``other``, in the other
    language (from the confirmation: Skip there removes that language's version)."""

    async def sent(ctx: Context, conversation: Conversation, text: str) -> None:
        cleaned = clean_block(text, limit)
        if cleaned is None:
            ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=limit))
            return
        language = _other(ctx) if other else _network(ctx)
        flows.update(
            conversation, **{field: {**conversation.data.get(field, {}), language: cleaned}}
        )
        if next_step == "preview":
            await _preview(ctx, conversation)
        else:
            await flows.goto(ctx, PLAN, conversation, next_step)

    async def skipped(ctx: Context, conversation: Conversation, _value: str) -> None:
        language = _other(ctx)
        for name in ("titles", "texts", "calls"):
            kept = {k: v for k, v in conversation.data.get(name, {}).items() if k != language}
            flows.update(conversation, **{name: kept})
        await _preview(ctx, conversation)

    questions = {
        "titles": _ask_title,
        "texts": lambda ctx, _c: ctx._("Now the text of the plan: what is it about, and why?"),
        "calls": lambda ctx, _c: ctx._(
            "The call to action, in one sentence (e.g. “Share the festival video on "
            "LinkedIn this week”)."
        ),
    }
    if other:
        return Step(
            lambda ctx, _c: _ask_other(ctx, field),
            on_text=sent,
            on_choice=skipped,
            skippable=field == "titles",
        )
    return Step(questions[field], on_text=sent)


def _ask_other(ctx: Context, field: str) -> str:
    language = ctx._(LABELS[_other(ctx)])
    if field == "titles":
        return ctx._(
            "The plan's title in {language} (a few words). Or tap Skip.", language=language
        )
    if field == "texts":
        return ctx._("The plan's text in {language}.", language=language)
    return ctx._("The call to action in {language}, in one sentence.", language=language)


def _ask_due(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "A due date (e.g. 20/03/2026)? Members who answer “I'm on it” get a reminder that "
        "day. Or tap Skip."
    )


async def _sent_due(ctx: Context, conversation: Conversation, text: str) -> None:
    due = plans.parse_date(text, plans.local_today(ctx.settings, ctx.clock.now()))
    if due is None:
        ctx.reply(ctx._("Send a date from today on, like 20/03/2026, or tap Skip."))
        return
    flows.update(conversation, due=due.isoformat())
    await _after_due(ctx, conversation)


async def _skipped_due(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    flows.update(conversation, due=None)
    await _after_due(ctx, conversation)


async def _kit_choices(ctx: Context, conversation: Conversation) -> list[KitItem]:
    category = str(conversation.data["category"])
    return await kit_items.for_category(ctx.session, category, ctx.clock.now())


async def _after_due(ctx: Context, conversation: Conversation) -> None:
    """Offer the category's kit items to attach, when there are any."""
    offered = await _kit_choices(ctx, conversation)
    if not offered:
        await _preview(ctx, conversation)
        return
    flows.update(conversation, kit_offer=[[item.id, item.title] for item in offered])
    await flows.goto(ctx, PLAN, conversation, "kit")


def _ask_kit(ctx: Context, _c: Conversation) -> str:
    return ctx._("Should members share an item of the kit? Pick it, or tap Skip.")


def _kit_offer(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    return [(str(item_id), short(title, 40)) for item_id, title in conversation.data["kit_offer"]]


async def _chose_kit(ctx: Context, conversation: Conversation, value: str) -> None:
    offered = {str(item_id): title for item_id, title in conversation.data.get("kit_offer", [])}
    if value != SKIP and value not in offered:
        flows.ask(ctx, PLAN, conversation)
        return
    flows.update(conversation, kit=None if value == SKIP else [int(value), offered[value]])
    await _preview(ctx, conversation)


async def _preview(ctx: Context, conversation: Conversation) -> None:
    assert ctx.member is not None
    language = _network(ctx)
    message = plans.render(
        ctx.translator,
        ctx.settings,
        language,
        _draft(conversation),
        author=ctx.member.display_name,
        subject=calls.PREVIEW,
    )
    ctx.reply_private(ctx._("Preview — this is how it will look in the channel:"))
    ctx.send(ctx.private_chat, message)
    await flows.goto(ctx, PLAN, conversation, "confirm")


def _ask_confirm(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "Post it to the {category} channel?",
        category=category_name(ctx, str(conversation.data["category"])),
    )


def _confirm_choices(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    other = _other(ctx)
    language = ctx._(LABELS[other])
    written = other in _draft(conversation).wording.written()
    return [
        ("ok", ctx._("Confirm")),
        (
            "other",
            ctx._("Change the {language} text", language=language)
            if written
            else ctx._("Add the {language} text", language=language),
        ),
    ]


async def _confirmed(ctx: Context, conversation: Conversation, value: str) -> None:
    assert ctx.member is not None
    if value == "other":
        await flows.goto(ctx, PLAN, conversation, "other_title")
        return
    draft = _draft(conversation)
    if not await roles.speaks_for(ctx.session, ctx.member, draft.category):
        await flows.end(ctx, conversation)
        ctx.reply(ctx._("You are not a referent of this category."))
        return
    if not await plans.channel_addresses(ctx.session, ctx.settings, draft.category, ctx.platforms):
        ctx.reply(
            ctx._(
                "The {category} ambassadors have no channel yet: a coordinator can bind one "
                "with /bind. Then press Confirm again.",
                category=category_name(ctx, draft.category),
            )
        )
        flows.ask(ctx, PLAN, conversation)
        return
    plan, queued = await plans.publish(
        ctx.session,
        ctx.settings,
        ctx.translator,
        draft=draft,
        author_id=ctx.member.id,
        author_name=ctx.member.display_name,
        platforms=ctx.platforms,
        now=ctx.clock.now(),
    )
    ctx.queued = ctx.queued or queued > 0
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="plan.publish",
        plan_id=plan.id, category=draft.category, channels=queued,
    )  # fmt: skip
    await flows.end(ctx, conversation)
    ctx.reply(
        ctx._(
            "Posted (plan #{number}). /plans shows who answered what.",
            number=plan.id,
        )
    )


PLAN = router.flow(
    Flow(
        "plan",
        steps={
            "category": Step(_ask_category, _categories, _chose_category),
            "title": _text_step("titles", plans.MAX_TITLE, "text"),
            "text": _text_step("texts", plans.MAX_TEXT, "call"),
            "call": _text_step("calls", plans.MAX_CALL, "due"),
            "due": Step(_ask_due, on_choice=_skipped_due, on_text=_sent_due, skippable=True),
            "kit": Step(_ask_kit, _kit_offer, _chose_kit, skippable=True, columns=1),
            "confirm": Step(_ask_confirm, _confirm_choices, _confirmed, columns=1),
            "other_title": _text_step("titles", plans.MAX_TITLE, "other_text", other=True),
            "other_text": _text_step("texts", plans.MAX_TEXT, "other_call", other=True),
            "other_call": _text_step("calls", plans.MAX_CALL, "preview", other=True),
        },
        min_role=Role.REFERENT,
    )
)


async def _category_from_args(ctx: Context, mine: list[str]) -> tuple[bool, str | None]:
    """(ok, category): the category named in the arguments, if the caller may use it."""
    if not ctx.event.args:
        return True, None
    category = category_word(ctx, ctx.event.args[0])
    if category is None:
        ctx.reply(ctx._("Unknown category. Categories: {keys}", keys=category_keys(ctx)))
        return False, None
    if category not in mine:
        ctx.reply(ctx._("You are not a referent of this category."))
        return False, None
    return True, category


@router.command("plan")
async def plan(ctx: Context) -> None:
    """Start writing an action plan (in private)."""
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    ok, category = await _category_from_args(ctx, mine)
    if not ok:
        return
    if not mine:
        ctx.reply(ctx._("You are not a referent of any category yet."))
        return
    if category is None and len(mine) == 1:
        category = mine[0]
    if not ctx.move_to_private():
        return
    if category is None:
        await flows.begin(ctx, PLAN, "category", {"mine": mine})
    else:
        await flows.begin(ctx, PLAN, "title", {"mine": mine, "category": category})


@dataclass(frozen=True)
class PlansPage(paging.PagePress, prefix="pg:pl"):
    """A page of /plans; ``filters`` holds the category key asked for, if any."""


@router.command("plans")
async def list_plans(ctx: Context) -> None:
    """The latest plans of the caller's categories, with their answers."""
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    ok, category = await _category_from_args(ctx, mine)
    if not ok:
        return
    await _show_plans(ctx, mine, category, 0)


@router.button(PlansPage, access=Access.ACTIVE, min_role=Role.REFERENT)
async def plans_page(ctx: Context, press: PlansPage) -> None:
    """Previous / Next under /plans (the caller's categories are read again)."""
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    words = press.words()
    category = words[0] if words else None
    if category is not None and category not in mine:
        ctx.reply(ctx._("You are not a referent of this category."))
        return
    await _show_plans(ctx, mine, category, press.page)


async def _show_plans(ctx: Context, mine: list[str], category: str | None, page: int) -> None:
    wanted = [category] if category else mine

    async def fetch(offset: int) -> tuple[list[ActionPlan], int]:
        return await plans.latest(ctx.session, wanted, offset=offset, limit=PLANS_SHOWN)

    window, rows = await paging.read_page(page, PLANS_SHOWN, fetch)
    if not rows:
        ctx.reply(ctx._("No action plan yet. Send /plan to write one."))
        return
    counts = await plans.answer_counts(ctx.session, [calls.plan_subject(p.id) for p in rows])
    lines = [ctx._("Action plans:")]
    default = ctx.settings.network.default_language
    buttons = []
    for row in rows:
        subject = calls.Subject(plan_id=row.id)
        answers = " · ".join(
            f"{ctx._(calls.LABELS[c])} {counts[subject.key].get(c.value, 0)}" for c in Choice
        )
        lines.append(
            f"#{row.id} “{plans.title_for(row, ctx.language, default)}” — "
            f"{category_name(ctx, row.category)} — "
            f"{plans.format_date(ctx.settings, row.posted_at)} — {answers}"
        )
        buttons.append(button(ctx, subject, ctx._("Results #{number}", number=row.id)))
    rows_of_two = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    footer = paging.footer(ctx, window)
    lines += [footer] if footer else []
    lines = with_desk(ctx, lines, web_links.PLANS)

    def press(number: int) -> PlansPage:
        return PlansPage(number, paging.pack_filters([category] if category else []))

    rows_of_two.append(paging.buttons(ctx, window, press))
    paging.show(ctx, "\n".join(lines), rows_of_two)
