"""Figures coordinators estimate for opportunity signals: ``[signals] value_fields``
(jobs, euros, delegates, m²… each with a label in fr and en and a unit).

One row per (signal, field) in ``signal_values``; a field left empty has no row. They are
set on the desk's signal page (coordinators), shown by ``/signals N`` in the chat and in
the signals export (one column per field, ``value_<key>``), and summed per stage on the
desk's pipeline — every screen reads them through this module. A field removed from the
config is no longer shown, and its rows stay until a coordinator saves the signal again.
They describe the lead, not its reporter: erasing the reporter keeps them, as it keeps a
taken-up signal's description.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings, SignalValueField
from bot.models import Report, ReportKind, SignalValue

#: The largest figure accepted (a budget of some hundred billion euros at most).
LIMIT = 1e12


def parse(text: str) -> float | None:
    """A figure as people type it: ``1200``, ``1 200``, ``1200,5``, ``1,200.5``; None
    when it is not a number from 0 to :data:`LIMIT`."""
    cleaned = "".join(text.split()).replace("\u202f", "").replace("\u00a0", "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 <= value <= LIMIT else None


def number(value: float, language: str) -> str:
    """``value`` written for ``language``: thousands grouped, two decimals at most."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def shown(field: SignalValueField, value: float, language: str) -> str:
    """``Jobs: 12`` / ``Budget : 1 200 €`` — the label, the figure and the unit."""
    figure = number(value, language) + (f"\u00a0{field.unit}" if field.unit else "")
    colon = "\u00a0: " if language == "fr" else ": "
    return f"{field.label.get(language)}{colon}{figure}"


async def of(session: AsyncSession, report_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """Report id → field → value, for the given signals."""
    ids = list(report_ids)
    found: dict[int, dict[str, float]] = {}
    if not ids:
        return found
    rows = await session.execute(
        select(SignalValue.report_id, SignalValue.field, SignalValue.value).where(
            SignalValue.report_id.in_(ids)
        )
    )
    for report_id, field, value in rows:
        found.setdefault(report_id, {})[field] = value
    return found


def lines(settings: Settings, values: Mapping[str, float], language: str) -> list[str]:
    """One line per configured field that has a value, in the config's order."""
    return [
        shown(field, values[field.key], language)
        for field in settings.signals.value_fields
        if field.key in values
    ]


async def save(
    session: AsyncSession, settings: Settings, clock: Clock, report: Report,
    values: Mapping[str, float | None], *, by: int,
) -> bool:  # fmt: skip
    """Set the signal's figures (None clears one); fields not in the config are ignored.
    Audited when something changed; True then."""
    current = (await of(session, [report.id])).get(report.id, {})
    wanted = {
        key: value for key, value in values.items() if settings.signals.field(key) is not None
    }
    changed = {key: value for key, value in wanted.items() if current.get(key) != value}
    if not changed:
        return False
    now = clock.now()
    await session.execute(
        delete(SignalValue).where(
            SignalValue.report_id == report.id, SignalValue.field.in_(list(changed))
        )
    )
    for key, value in changed.items():
        if value is not None:
            session.add(SignalValue(report_id=report.id, field=key, value=value, updated_at=now))
    audit.record(
        session, clock, actor_id=by, action="signal.values", report_id=report.id,
        values={key: value for key, value in changed.items()},
    )  # fmt: skip
    await session.flush()
    return True


async def sums_by_stage(
    session: AsyncSession, field: str, where: Sequence[ColumnElement[bool]] = ()
) -> dict[str, float]:
    """Stage → the sum of ``field`` over the signals in it (matching ``where``)."""
    rows = await session.execute(
        select(Report.stage, func.sum(SignalValue.value))
        .join(SignalValue, SignalValue.report_id == Report.id)
        .where(Report.kind == ReportKind.SIGNAL, SignalValue.field == field, *where)
        .group_by(Report.stage)
    )
    return {str(stage): float(total or 0) for stage, total in rows}
