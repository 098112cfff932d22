"""The partners' part of ``relais export``: ``benefits`` (one row per benefit, with its
partner and how often it was used — since ``--since`` when given) and ``benefit_uses``
(one row per recorded use: when, which partner, which benefit; never who, so the file
says which partnerships serve without tracing anyone).

Kept beside :mod:`bot.cli.exporter`, which dispatches here for these two kinds; CSV cells
are made safe there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from bot.models import Benefit, BenefitUse, Partner

KINDS = ("benefits", "benefit_uses")
COLUMNS: dict[str, tuple[str, ...]] = {
    "benefits": (
        "id", "partner_id", "partner", "kind_of_place", "address", "partner_retired_at",
        "text_fr", "text_en", "min_level_points", "starts_on", "ends_on", "created_at",
        "retired_at", "uses", "last_used_at",
    ),
    "benefit_uses": (
        "id", "used_at", "day", "partner_id", "partner", "benefit_id", "text_fr", "text_en",
    ),
}  # fmt: skip


def query(kind: str, since: datetime | None) -> Select[*tuple[Any, ...]]:
    if kind == "benefits":
        counted = select(func.count()).where(BenefitUse.benefit_id == Benefit.id)
        last = select(func.max(BenefitUse.used_at)).where(BenefitUse.benefit_id == Benefit.id)
        if since is not None:
            counted = counted.where(BenefitUse.used_at >= since)
            last = last.where(BenefitUse.used_at >= since)
        return select(Benefit, Partner, counted.scalar_subquery(), last.scalar_subquery()).join(
            Partner, Partner.id == Benefit.partner_id
        )
    rows = (
        select(BenefitUse, Partner, Benefit)
        .join(Partner, Partner.id == BenefitUse.partner_id)
        .join(Benefit, Benefit.id == BenefitUse.benefit_id)
    )
    return rows.where(BenefitUse.used_at >= since) if since else rows


def key(kind: str) -> Any:
    return Benefit.id if kind == "benefits" else BenefitUse.id


def _when(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(sep=" ", timespec="seconds") if value else None


def row(kind: str, result: Any, zone: ZoneInfo) -> dict[str, Any]:
    if kind == "benefits":
        benefit, partner, uses, last = result
        return {
            "id": benefit.id, "partner_id": partner.id, "partner": partner.name,
            "kind_of_place": partner.kind, "address": partner.address,
            "partner_retired_at": _when(partner.retired_at, zone), "text_fr": benefit.text_fr,
            "text_en": benefit.text_en, "min_level_points": benefit.min_level,
            "starts_on": benefit.starts_on.isoformat() if benefit.starts_on else None,
            "ends_on": benefit.ends_on.isoformat() if benefit.ends_on else None,
            "created_at": _when(benefit.created_at, zone),
            "retired_at": _when(benefit.retired_at, zone), "uses": int(uses or 0),
            "last_used_at": _when(last, zone),
        }  # fmt: skip
    use, partner, benefit = result
    return {
        "id": use.id, "used_at": _when(use.used_at, zone), "day": use.day,
        "partner_id": partner.id, "partner": partner.name, "benefit_id": benefit.id,
        "text_fr": benefit.text_fr, "text_en": benefit.text_en,
    }  # fmt: skip
