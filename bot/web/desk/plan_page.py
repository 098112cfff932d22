"""``/desk/plans/<number>``: one action plan — its full text in each language written, who
it addressed, the answers member by member (name, answer, when) and who has not answered.

The figures are the chat's Results button's (:func:`bot.animation.results.compute`: the
same targeted, acted and answers), and "not answered yet" is drawn from the same rule of
whom a call addresses (:func:`bot.animation.addressed.silent`), so the page and the chat
never disagree. A referent opens the plans of their categories only (another's: 404, as
if absent, like a member's page); a coordinator every plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.animation import addressed, calls, campaigns, plans, results
from bot.animation.calls import LABELS, Choice
from bot.animation.wording import NAMES
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.models import ActionPlan, KitItem, Member, Role
from bot.web.desk.access import Desk, not_found, page

#: Names listed under "Not answered yet" (the count says how many more).
SILENT_SHOWN = 200


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/plans/{id:[0-9]+}", plan_page)


@dataclass(frozen=True, slots=True)
class Version:
    """The plan in one language, as it was written (nothing filled in from the other)."""

    code: str
    name: str
    title: str
    text: str
    call: str


def versions(plan: ActionPlan) -> list[Version]:
    written = []
    for language in LANGUAGES:
        parts = [getattr(plan, f"{field}_{language}") for field in ("title", "text", "call")]
        if any(parts):
            written.append(Version(language, NAMES[language], *parts))
    return written


@page(Role.REFERENT)
async def plan_page(desk: Desk) -> web.StreamResponse:
    settings = desk.context.settings
    async with desk.context.sessions() as session:
        plan = await session.get(ActionPlan, int(desk.request.match_info["id"]))
        if plan is None or not (desk.is_coordinator or plan.category in desk.categories):
            return not_found(desk)
        subject, call = calls.plan_subject(plan.id), plans.call(plan)
        found = await results.compute(
            session, subject=subject, call=call, categories=[plan.category],
            start=plan.posted_at, end=plan.window_ends_at,
        )  # fmt: skip
        silent = await addressed.silent(session, subject, call, [plan.category], SILENT_SHOWN)
        author = await session.get(Member, plan.author_id) if plan.author_id else None
        kit = await session.get(KitItem, plan.kit_item_id) if plan.kit_item_id else None
    title = plans.title_for(plan, desk.language, settings.network.default_language)
    return desk.render(
        "plan.html",
        title=desk._(N_("Plan #{number}: {title}"), number=plan.id, title=title),
        plan=plan,
        versions=versions(plan),
        author=author.display_name if author else "—",
        kit=kit.title if kit else None,
        posted=plans.format_date(settings, plan.posted_at),
        due=plans.format_date(settings, plan.due_at) if plan.due_at else None,
        window_end=campaigns.local(settings, plan.window_ends_at),
        found=found,
        silent=silent,
        choices=[(choice, LABELS[choice]) for choice in Choice],
        labels=LABELS,
        local=lambda moment: campaigns.local(settings, moment),
    )
