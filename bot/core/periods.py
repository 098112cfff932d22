"""Calendar periods in the network's time zone, as UTC instants for queries.

Weeks start on Monday 00:00 local time; across a daylight-saving change a week is
23 or 25 hours long in UTC, which is why boundaries are computed locally, then converted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PERIODS = ("week", "month", "all")


def _local_midnight(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def day_start(now: datetime, timezone: str) -> datetime:
    return _local_midnight(now, ZoneInfo(timezone)).astimezone(UTC)


def week_start(now: datetime, timezone: str) -> datetime:
    midnight = _local_midnight(now, ZoneInfo(timezone))
    monday = (midnight - timedelta(days=midnight.weekday())).replace(tzinfo=None)
    return monday.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def month_start(now: datetime, timezone: str) -> datetime:
    first = _local_midnight(now, ZoneInfo(timezone)).replace(day=1, tzinfo=None)
    return first.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def period_start(period: str, now: datetime, timezone: str) -> datetime | None:
    """Start of the current ``week`` / ``month``; None for ``all`` (no lower bound)."""
    if period == "week":
        return week_start(now, timezone)
    if period == "month":
        return month_start(now, timezone)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")
