"""Members' reports and the points they earn.

Against gaming: a link earns points once in the whole network (the ledger's unique key
is derived from the normalized link, see :mod:`bot.activity.links`), the same page under a
link with parameters added or left out earns its member nothing more, and a daily cap
bounds what a member earns from their own reports; reports past the cap are still
recorded, without points.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.activity import engagement, links
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db import insert_ignoring_conflicts, is_sqlite
from bot.core.periods import day_start
from bot.models import Member, PointsEntry, Report, ReportKind

MAX_TEXT = 500
MAX_CONTACT = 200
MAX_URL = 2048
MIN_DESCRIPTION = 3
SELF_REPORT = "report"


class InvalidInput(ValueError):
    """The person's text cannot be used; ``reason`` says which rule it broke."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_like_link(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "www.")) and " " not in lowered


def parse_link(text: str) -> str:
    """A usable http(s) link, or :class:`InvalidInput`."""
    candidate = text.strip()
    if candidate.lower().startswith("www."):
        candidate = "https://" + candidate
    if len(candidate) > MAX_URL:
        raise InvalidInput("too_long")
    try:
        parts = urlsplit(candidate)
        host = parts.hostname or ""
        links.page(candidate)  # what the ledger's key is made of must be readable
    except ValueError as error:  # a bad port, IPv6 address or international name
        raise InvalidInput("bad_link") from error
    if parts.scheme not in ("http", "https") or "." not in host or host.startswith("."):
        raise InvalidInput("bad_link")
    return candidate


def link_key(url: str) -> str:
    """The same page, however it was copied (see :mod:`bot.activity.links`)."""
    return links.link_key(url)


async def _page_already_earned(
    session: AsyncSession, member_id: int, url: str, report_id: int
) -> bool:
    """Whether this member already earned points for the same page under another link
    (only parameters added or left out, see :func:`bot.activity.links.same_page`)."""
    target = links.page(url)
    earlier = await session.scalars(
        select(Report.url)
        .join(PointsEntry, PointsEntry.report_id == Report.id)
        .where(
            Report.member_id == member_id,
            Report.id != report_id,
            Report.url.is_not(None),
            PointsEntry.unique_key.startswith("link:"),
        )
    )
    for other in earlier:
        try:
            if other is not None and links.same_page(links.page(other), target):
                return True
        except ValueError:  # a link stored before links were checked this way
            continue
    return False


def clean_text(text: str, *, limit: int = MAX_TEXT, minimum: int = 1) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise InvalidInput("too_long")
    if len(cleaned) < minimum:
        raise InvalidInput("too_short")
    return cleaned


def points_for(settings: Settings, kind: ReportKind, subkind: str | None) -> int:
    if kind is ReportKind.MENTION:
        return settings.points.mention.get(subkind or "", 0)
    if kind is ReportKind.SIGNAL:
        return settings.points.signal
    return settings.points.settlement


@dataclass(frozen=True, slots=True)
class Recorded:
    report: Report
    points: int
    #: The link had already earned points (for anyone in the network).
    duplicate_link: bool
    #: The daily cap cut the points (to zero or partly).
    capped: bool


async def record(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    member: Member,
    *,
    kind: ReportKind,
    subkind: str | None = None,
    text: str | None = None,
    url: str | None = None,
    contact: str | None = None,
) -> Recorded:
    """Write a complete report and its ledger entry in the caller's transaction."""
    now = clock.now()
    # Serialise one member's reports (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE
    # already makes every write transaction the only one, so it needs no statement here)
    # so two quick reports cannot both slip under the daily cap.
    if not is_sqlite(session):
        await session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    report = Report(
        member_id=member.id,
        kind=kind,
        subkind=subkind,
        text=text,
        url=url,
        contact=contact,
        stage="new" if kind is ReportKind.SIGNAL else None,
        created_at=now,
    )
    session.add(report)
    engagement.sign_of_life(member, now)
    await session.flush()

    earned_today = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.member_id == member.id,
            PointsEntry.reason == SELF_REPORT,
            PointsEntry.created_at >= day_start(now, settings.network.timezone),
        )
    )
    full = points_for(settings, kind, subkind)
    points = max(0, min(full, settings.points.daily_cap - int(earned_today or 0)))
    capped = points < full
    duplicate = False
    if points > 0 and url and await _page_already_earned(session, member.id, url, report.id):
        return Recorded(report=report, points=0, duplicate_link=True, capped=False)
    if points > 0:
        key = f"link:{link_key(url)}" if url else f"report:{report.id}"
        result = await session.execute(
            insert_ignoring_conflicts(session, PointsEntry, on=("unique_key",)),
            {
                "member_id": member.id,
                "points": points,
                "reason": SELF_REPORT,
                "report_id": report.id,
                "unique_key": key,
                "created_at": now,
            },
        )
        if not getattr(result, "rowcount", 0):  # the link already earned points
            duplicate, points, capped = True, 0, False
    return Recorded(report=report, points=points, duplicate_link=duplicate, capped=capped)
