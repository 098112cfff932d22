"""``/desk/data``: import the member spreadsheet, and download any export (coordinators).

**Import** is ``relais import members`` in the browser, with its own functions
(:mod:`bot.cli.importer`, :mod:`bot.cli.import_write`): the uploaded CSV is kept under a
random name in the system's temporary folder, checked whole (rows, problems with their
line numbers, columns not understood), then run as a dry run in a transaction that is
rolled back — what would be created, what differs from the members already there, which
rows are skipped because those people asked to be erased. Nothing is written until
**Import**; a file with any problem cannot be imported (all or nothing, as on the command
line). The confirmation deletes the kept file first, so a double click or a resent form
imports nothing twice; an unconfirmed file is deleted after :data:`KEEP`.

**Exports** are ``relais export KIND`` (:mod:`bot.cli.exporter`), as CSV, audited
``export.<kind>`` with the coordinator who downloaded it.
"""

from __future__ import annotations

import io
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.cli import csvfile, exporter, import_write, importer
from bot.core import audit
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.mailing import invitations, tracking
from bot.models import Role
from bot.web.context import accepts_body
from bot.web.desk.access import Desk, page

FOLDER = Path(tempfile.gettempdir()) / "relais-desk-imports"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: Seconds an uploaded file waits for its confirmation.
KEEP = 3600
#: Problems shown at most (the count says how many in all).
SHOWN = 200
#: The largest spreadsheet uploaded (some 100,000 rows); the desk's other forms take far
#: less (:data:`bot.web.context.FORM_BODY`). The body is read only once the session is
#: known (:func:`bot.web.desk.access.page`).
UPLOAD_BODY = 8 * 1024 * 1024


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/desk/data", data_page)
    router.add_post("/desk/data/import", upload)
    router.add_post("/desk/data/import/confirm", confirm)
    router.add_get("/desk/data/export/{kind}.csv", export)


def _sweep() -> None:
    """Forget uploads never confirmed."""
    if not FOLDER.exists():
        return
    limit = time.time() - KEEP
    for path in FOLDER.glob("*.csv"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _kept(token: str) -> Path | None:
    return FOLDER / f"{token}.csv" if TOKEN.match(token) else None


@page(Role.COORDINATOR)
async def data_page(desk: Desk) -> web.StreamResponse:
    return desk.render("data.html", title=desk._(N_("Imports and exports")), kinds=exporter.KINDS)


async def _dry_run(desk: Desk, path: Path, *, update: bool) -> dict[str, Any]:
    """The check and the dry run of the file at ``path``, for the page."""
    settings = desk.context.settings
    try:
        layout = csvfile.inspect(path)
        checked = importer.check(path, layout, settings)
    except csvfile.BadFile as error:
        return {"bad_file": str(error)}
    assert checked.header is not None
    found: dict[str, Any] = {
        "rows": checked.rows,
        "ignored": checked.header.ignored,
        "problems": checked.problems[:SHOWN],
        "problem_count": len(checked.problems),
    }
    if checked.problems:
        return found
    async with desk.context.sessions() as session:
        outcome = await import_write.import_members(
            session, desk.context.clock, importer.checked_rows(path, layout, settings),
            dry_run=True, update=update,
        )  # fmt: skip
        await session.rollback()
    return {**found, "outcome": outcome}


@accepts_body(UPLOAD_BODY)
@page(Role.COORDINATOR)
async def upload(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    sent = form.get("file")
    update = bool(form.get("update"))
    if not isinstance(sent, web.FileField):
        return desk.render(
            "data.html", title=desk._(N_("Imports and exports")), kinds=exporter.KINDS,
            error=desk._(N_("Choose a CSV file to upload.")), status=400,
        )  # fmt: skip
    _sweep()
    FOLDER.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path = FOLDER / f"{token}.csv"
    path.write_bytes(sent.file.read())
    found = await _dry_run(desk, path, update=update)
    ready = "outcome" in found
    if not ready:
        path.unlink(missing_ok=True)
    return desk.render(
        "data_check.html",
        title=desk._(N_("Import: what would happen")),
        name=sent.filename,
        token=token if ready else "",
        update=update,
        **found,
    )


@page(Role.COORDINATOR)
async def confirm(desk: Desk) -> web.StreamResponse:
    form = await desk.request.post()
    path = _kept(str(form.get("token", "")))
    taken = None
    if path is not None and path.exists():
        taken = path.with_suffix(".importing")
        path.rename(taken)  # whoever renames it imports it: a second click finds nothing
    if taken is None:
        return desk.render(
            "data.html", title=desk._(N_("Imports and exports")), kinds=exporter.KINDS,
            error=desk._(N_("This import was already done, or it expired: upload the file again.")),
            status=409,
        )  # fmt: skip
    update = bool(form.get("update"))
    settings, context = desk.context.settings, desk.context
    try:
        layout = csvfile.inspect(taken)
        async with context.sessions.begin() as session:
            outcome = await import_write.import_members(
                session, context.clock, importer.checked_rows(taken, layout, settings),
                dry_run=False, update=update,
            )  # fmt: skip
            audit.record(
                session, context.clock, actor_id=desk.member.id, action="desk.import",
                created=outcome.created, updated=outcome.updated,
            )  # fmt: skip
    finally:
        taken.unlink(missing_ok=True)
    await context.after_commit(session)
    return desk.render(
        "data_done.html", title=desk._(N_("Import done")), outcome=outcome, update=update
    )


@page(Role.COORDINATOR)
async def export(desk: Desk) -> web.StreamResponse:
    kind = desk.request.match_info["kind"]
    if kind not in exporter.KINDS:
        raise web.HTTPNotFound()
    context = desk.context
    settings, translator = context.settings, context.translator
    links = tracking.ClaimLinks(
        telegram=context.start_links().get("telegram"),
        discord={lang: invitations.discord_command(translator, lang, "") for lang in LANGUAGES},
    )
    figures = [field.key for field in settings.signals.value_fields]
    out = io.BytesIO()
    async with context.sessions.begin() as session:
        chunks = exporter.rows(
            session, kind, None, settings.network.timezone, at=context.clock.now(),
            days=settings.nudges.dormant_days, links=links, value_fields=figures,
        )  # fmt: skip
        written = await exporter.write(out, kind, "csv", chunks, value_fields=figures)
        audit.record(
            session, context.clock, actor_id=desk.member.id, action=f"export.{kind}",
            rows=written, via="desk",
        )  # fmt: skip
    name = f"{kind}-{context.clock.now().date().isoformat()}.csv"
    return web.Response(
        body=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
