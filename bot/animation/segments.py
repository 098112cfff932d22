"""Segments beside categories: which members a campaign's private messages and e-mails
are for, narrowed by level, activity, language and platform.

A campaign's ``segments`` is a small JSON object; a key left out means "everyone":

- ``min_points``: members who reached the level starting at these points or above (the
  network's ``[[levels]]``; all-time points, the figure ``/me`` shows);
- ``activity``: any of ``active``, ``dormant``, ``never_activated`` — the states of
  :mod:`bot.activity.engagement`, never redefined here;
- ``languages``: the members' languages (``fr``, ``en``);
- ``platforms``: members with an account on one of these platforms (``email``: members
  with an e-mail address).

Channel posts are not segmented: a category's channel is read by all of its members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select

from bot.activity import engagement
from bot.activity.engagement import State
from bot.core.config import LANGUAGES, Settings
from bot.models import Identity, Member, MemberTotal

EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Segments:
    """A campaign's segments (see the module); the empty value selects everyone."""

    min_points: int | None = None
    activity: tuple[State, ...] = ()
    languages: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    @staticmethod
    def of(data: Mapping[str, Any] | None) -> Segments:
        """Read a stored value; unknown keys and values are left out, so an old or
        hand-edited row narrows nothing by mistake."""
        data = data or {}
        points = data.get("min_points")
        states = {state.value: state for state in State}
        return Segments(
            min_points=int(points) if isinstance(points, int) and points > 0 else None,
            activity=tuple(states[a] for a in data.get("activity", ()) if a in states),
            languages=tuple(lang for lang in data.get("languages", ()) if lang in LANGUAGES),
            platforms=tuple(str(p) for p in data.get("platforms", ())),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.min_points:
            data["min_points"] = self.min_points
        if self.activity:
            data["activity"] = [state.value for state in self.activity]
        if self.languages:
            data["languages"] = list(self.languages)
        if self.platforms:
            data["platforms"] = list(self.platforms)
        return data

    def __bool__(self) -> bool:
        return bool(self.to_json())


def conditions(segments: Segments, settings: Settings, at: datetime) -> list[ColumnElement[bool]]:
    """The conditions on ``Member`` of the members ``segments`` selects at ``at``."""
    found: list[ColumnElement[bool]] = []
    if segments.min_points:
        points = (
            select(MemberTotal.points).where(MemberTotal.member_id == Member.id).scalar_subquery()
        )
        found.append(func.coalesce(points, 0) >= segments.min_points)
    if segments.activity:
        days = settings.nudges.dormant_days
        states = {
            State.ACTIVE: engagement.active(at, days),
            State.DORMANT: engagement.dormant(at, days),
            State.NEVER_ACTIVATED: engagement.never_activated(),
        }
        found.append(or_(*(states[state] for state in segments.activity)))
    if segments.languages:
        found.append(Member.language.in_(segments.languages))
    if segments.platforms:
        found.append(_on_platforms(segments.platforms))
    return found


def _on_platforms(platforms: Sequence[str]) -> ColumnElement[bool]:
    chats = [p for p in platforms if p != EMAIL]
    either: list[ColumnElement[bool]] = []
    if chats:
        either.append(
            select(Identity.id)
            .where(Identity.member_id == Member.id, Identity.platform.in_(chats))
            .exists()
        )
    if EMAIL in platforms:
        either.append(Member.email.is_not(None))
    return or_(*either) if either else false()


def level_points(settings: Settings) -> list[int]:
    """The thresholds a coordinator may choose, above the first level (which is everyone)."""
    return [level.points for level in settings.levels[1:]]
