"""``/desk/plans``: the latest action plans, a page at a time, filtered by category — each
with its category, author, due date, how many members it addressed and the answers so
far — and the way to each plan's own page (:mod:`bot.web.desk.plan_page`).

The same plans and the same numbers as ``/plans`` in the chat, so that a referent never
reads two answers to one question: the plans of ``desk.categories``
(:func:`bot.members.roles.categories_of`, the scope ``/plans`` reads: a referent's own
categories, every category for a coordinator), paged by
:func:`bot.animation.plans.latest`; the answers are
:func:`bot.animation.plans.answer_counts` (what ``/plans`` prints) and "addressed" is
:func:`bot.animation.addressed.reach` (the "targeted" of the Results button). Nothing is
counted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.animation import addressed, calls, plans
from bot.animation.calls import LABELS, Choice
from bot.conversation import paging
from bot.core.i18n import N_
from bot.models import ActionPlan, Member, Role
from bot.web.desk.access import Desk, page

SHOWN = 20


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/plans", listing)


@dataclass(frozen=True, slots=True)
class Row:
    """One plan as the list shows it."""

    plan: ActionPlan
    title: str
    author: str
    posted: str
    due: str | None
    addressed: int
    answers: dict[Choice, int]


async def authors(session: AsyncSession, plans_shown: list[ActionPlan]) -> dict[int, str]:
    """Author number → display name, in one query for the page."""
    ids = {plan.author_id for plan in plans_shown if plan.author_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids)))
    return {number: name for number, name in rows}


async def rows_of(desk: Desk, session: AsyncSession, shown: list[ActionPlan]) -> list[Row]:
    settings = desk.context.settings
    default = settings.network.default_language
    counts = await plans.answer_counts(session, [calls.plan_subject(p.id) for p in shown])
    names = await authors(session, shown)
    rows = []
    for plan in shown:
        reach = await addressed.reach(session, plans.call(plan), [plan.category])
        answers = counts[calls.plan_subject(plan.id)]
        rows.append(
            Row(
                plan=plan,
                title=plans.title_for(plan, desk.language, default),
                author=names.get(plan.author_id or 0, "—"),
                posted=plans.format_date(settings, plan.posted_at),
                due=plans.format_date(settings, plan.due_at) if plan.due_at else None,
                addressed=reach.total,
                answers={choice: answers.get(choice.value, 0) for choice in Choice},
            )
        )
    return rows


@page(Role.REFERENT)
async def listing(desk: Desk) -> web.StreamResponse:
    params = desk.request.query
    category = params.get("category", "")
    category = category if category in desk.categories else ""
    wanted = [category] if category else list(desk.categories)
    number = params.get("page", "")
    asked = int(number) - 1 if number.isdigit() and 0 < int(number) < 10**6 else 0
    async with desk.context.sessions() as session:

        async def fetch(offset: int) -> tuple[list[ActionPlan], int]:
            return await plans.latest(session, wanted, offset=offset, limit=SHOWN)

        window, shown = await paging.read_page(asked, SHOWN, fetch)
        rows = await rows_of(desk, session, shown)

    def link(to: int) -> str:
        query = {"category": category} if category else {}
        return "/desk/plans?" + urlencode({**query, "page": to + 1})

    return desk.render(
        "plans.html",
        title=desk._(N_("Action plans")),
        rows=rows,
        window=window,
        category=category,
        categories=[(key, desk.category_name(key)) for key in desk.categories],
        choices=[(choice, LABELS[choice]) for choice in Choice],
        previous_url=link(window.page - 1) if window.page > 0 else None,
        next_url=link(window.page + 1) if window.page + 1 < window.pages else None,
    )
