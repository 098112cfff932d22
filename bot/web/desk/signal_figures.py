"""``POST /desk/signals/{id}/values``: a coordinator sets a signal's figures (the value
fields of ``[signals] value_fields``: jobs, euros, m²…; an empty box clears one), then
comes back to the signal's page (303). A figure that is not a number changes nothing and
says so. Coordinators only, as the rest of the signal desk.
"""

from __future__ import annotations

from aiohttp import web

from bot.activity import signal_values, signals
from bot.models import Role
from bot.web.desk.access import Desk, not_found, page


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/desk/signals/{id:[0-9]+}/values", save)


def _back(report_id: int, refused: str | None = None) -> web.Response:
    suffix = f"?refused={refused}" if refused else ""
    return web.Response(status=303, headers={"Location": f"/desk/signals/{report_id}{suffix}"})


@page(Role.COORDINATOR)
async def save(desk: Desk) -> web.StreamResponse:
    report_id = int(desk.request.match_info["id"])
    form = await desk.request.post()
    values: dict[str, float | None] = {}
    for field in desk.context.settings.signals.value_fields:
        raw = form.get(f"value_{field.key}")
        if not isinstance(raw, str):
            continue
        if not raw.strip():
            values[field.key] = None
            continue
        value = signal_values.parse(raw)
        if value is None:
            return _back(report_id, "value")
        values[field.key] = value
    context = desk.context
    async with context.sessions.begin() as session:
        report = await signals.load(session, report_id)
        if report is None:
            return not_found(desk)
        await signal_values.save(
            session, context.settings, context.clock, report, values, by=desk.member.id
        )
    return _back(report_id)
