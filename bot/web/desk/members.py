"""``/desk/members``: the members table — search, filters, orders, keyset pages — and
the selection that bulk actions (:mod:`bot.web.desk.bulk`) and exports act on.

The count of matches is exact up to :data:`bot.activity.directory.COUNT_CAP` ("1,234
members match"), "more than 1,000" beyond; the Next and Previous links carry it in their
cursors, so only the first page counts.

Referents see the members of their categories; coordinators everyone. The query itself
is :mod:`bot.activity.directory` (one definition of search, filters and paging).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from bot.activity import directory, engagement
from bot.activity.signal_values import number
from bot.core.config import LANGUAGES
from bot.models import MemberStatus, Role
from bot.web.desk import labels
from bot.web.desk.access import Desk, page

#: The query parameters that make a selection (kept across pages and bulk actions).
FILTER_KEYS = ("q", "category", "status", "role", "level", "activity", "language", "platform")
PLATFORMS = ("telegram", "discord", "console")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/members", members)


def _choice(value: str | None, allowed: Mapping[str, object]) -> str | None:
    return value if value in allowed else None


def filters_from(desk: Desk, params: Mapping[str, str]) -> directory.Filters:
    """The selection the parameters describe, inside what the reader may see (unknown
    values are ignored, never an error)."""
    category = params.get("category", "")
    status = _choice(params.get("status"), {s.value: s for s in MemberStatus})
    role = _choice(params.get("role"), {r.value: r for r in Role})
    activity = _choice(params.get("activity"), {s.value: s for s in engagement.State})
    level = params.get("level", "")
    return directory.Filters(
        query=params.get("q", "")[:100],
        scope=None if desk.is_coordinator else desk.categories,
        categories=(category,) if category in desk.categories else (),
        status=MemberStatus(status) if status else None,
        role=Role(role) if role else None,
        level=int(level) if level.isdigit() else None,
        activity=engagement.State(activity) if activity else None,
        language=params.get("language") if params.get("language") in LANGUAGES else None,
        platform=params.get("platform") if params.get("platform") in PLATFORMS else None,
    )


def selection_query(params: Mapping[str, str]) -> str:
    """The selection's parameters as a query string (for links and hidden fields)."""
    return urlencode([(key, params[key]) for key in FILTER_KEYS if params.get(key)])


def choices(desk: Desk) -> dict[str, list[tuple[str, str]]]:
    """Every filter's options, labelled in the reader's language."""
    return {
        "category": [(key, desk.category_name(key)) for key in desk.categories],
        "status": [(s.value, desk._(label)) for s, label in labels.STATUS.items()],
        "role": [(r.value, desk._(label)) for r, label in labels.ROLE.items()],
        "activity": [(s.value, desk._(label)) for s, label in labels.STATE.items()],
        "level": [
            (str(index), level.name.get(desk.language) or str(level.points))
            for index, level in enumerate(desk.context.settings.levels)
        ],
        "language": [(code, code) for code in LANGUAGES],
        "platform": [(name, name.capitalize()) for name in PLATFORMS],
    }


@page(Role.REFERENT)
async def members(desk: Desk) -> web.StreamResponse:
    params = desk.request.query
    filters = filters_from(desk, params)
    sort = params.get("sort", "number")
    order = directory.Order(
        sort if sort in directory.ORDERS else "number", params.get("dir", "desc") != "asc"
    )
    settings = desk.context.settings
    async with desk.context.sessions() as session:
        found = await directory.page(
            session,
            settings,
            desk.context.clock.now(),
            filters,
            order,
            after=params.get("after") or None,
            before=params.get("before") or None,
            days=settings.nudges.dormant_days,
        )
    selection = selection_query(params)
    ordering = urlencode({"sort": order.key, "dir": "desc" if order.descending else "asc"})
    base = f"/desk/members?{selection}&{ordering}" if selection else f"/desk/members?{ordering}"
    return desk.render(
        "members.html",
        title=desk._("Members"),
        found=found,
        count=number(found.total, desk.language),  # "1,234" / "1 234"
        params=params,
        order=order,
        orders=[(key, desk._(label)) for key, label in labels.ORDER.items()],
        choices=choices(desk),
        filter_keys=FILTER_KEYS,
        selection=selection,
        next_url=f"{base}&after={found.after}" if found.after else None,
        previous_url=f"{base}&before={found.before}" if found.before else None,
        can_remind=settings.email.host is not None,
        status_names=labels.STATUS,
        role_names=labels.ROLE,
    )
