"""When recurring jobs run: schedules written in config, read in the network's time zone.

A schedule is one of::

    mon 09:00          every Monday at 09:00 (also mon,thu 09:00 and mon-fri 09:00)
    daily 04:00        every day at 04:00
    hourly             every hour, on the hour
    0 9 * * mon        a five-field crontab line
    every 1m           every minute (also 30s, 2h): a polling job
    off                never

Calendar schedules are computed by APScheduler's ``CronTrigger`` in the network's zone,
so "Monday 09:00" stays 09:00 local across daylight-saving changes. Each of their
occurrences is a period the job runs for once. ``every`` schedules are polling jobs
(campaigns, plan reminders): they look at what is due whenever they run, so missed runs
are never replayed, only the next one happens.

This module only computes instants; :mod:`bot.scheduling.runner` decides what to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_MINUTE = "every 1m"
_TIME = re.compile(r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$")
_DAYS = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)(?:[-,](?:mon|tue|wed|thu|fri|sat|sun))*$")
_EVERY = re.compile(r"^every\s+(?P<amount>\d+)\s*(?P<unit>[smh])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}
_MICROSECOND = timedelta(microseconds=1)


class ScheduleError(ValueError):
    """A schedule string that cannot be read; the message shows the accepted forms."""


def parse_time(text: str) -> tuple[int, int]:
    """``"09:00"`` → ``(9, 0)``."""
    match = _TIME.match(text.strip())
    if match is None:
        raise ScheduleError(f"{text!r} is not a time of day like 09:00")
    return int(match["hour"]), int(match["minute"])


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: a calendar (cron) trigger, or a polling interval."""

    text: str
    cron: CronTrigger | None = None
    interval: timedelta | None = None

    @property
    def polling(self) -> bool:
        return self.interval is not None

    @property
    def recurring(self) -> bool:
        """True for calendar schedules, whose every occurrence runs once."""
        return self.cron is not None

    def occurrences(self, after: datetime, until: datetime) -> list[datetime]:
        """Calendar instants in ``(after, until]``, oldest first (empty for polling)."""
        if self.cron is None:
            return []
        found: list[datetime] = []
        moment = self._next_after(after)
        while moment is not None and moment <= until:
            found.append(moment)
            moment = self._next_after(moment)
        return found

    def _next_after(self, moment: datetime) -> datetime | None:
        """The first instant strictly after ``moment``, in UTC.

        At the autumn change APScheduler 3 can return the same ambiguous local time
        again (02:00 happens twice); searching from a little later moves past it.
        """
        assert self.cron is not None
        step = _MICROSECOND
        while step < timedelta(days=2):
            found: datetime | None = self.cron.get_next_fire_time(None, moment + step)
            if found is None:
                return None
            if found.astimezone(UTC) > moment:
                return found.astimezone(UTC)
            step = timedelta(minutes=1) if step < timedelta(minutes=1) else step * 2
        return None

    def latest(self, until: datetime, within: timedelta) -> datetime | None:
        """The last calendar instant in ``(until - within, until]``, if any."""
        found = self.occurrences(until - within, until)
        return found[-1] if found else None


def parse(text: str, timezone: str) -> Schedule:
    """Read a schedule (see the module docstring) in ``timezone``."""
    spec = " ".join(text.lower().split())
    zone = ZoneInfo(timezone)
    every = _EVERY.match(spec)
    if every:
        amount = int(every["amount"])
        if amount <= 0:
            raise ScheduleError(f"{text!r}: the interval must be positive")
        return Schedule(text, interval=timedelta(**{_UNITS[every["unit"]]: amount}))
    if spec == "off":
        return Schedule(text)
    if spec == "hourly":
        return Schedule(text, cron=CronTrigger(minute=0, timezone=zone))
    words = spec.split(" ")
    if len(words) == 2 and (words[0] == "daily" or _DAYS.match(words[0])):
        hour, minute = parse_time(words[1])
        days = "*" if words[0] == "daily" else words[0]
        return Schedule(
            text, cron=CronTrigger(day_of_week=days, hour=hour, minute=minute, timezone=zone)
        )
    if len(words) == 5:
        try:
            return Schedule(text, cron=CronTrigger.from_crontab(spec, timezone=zone))
        except ValueError as error:
            raise ScheduleError(f"{text!r}: {error}") from error
    raise ScheduleError(
        f"{text!r} is not a schedule: use 'mon 09:00', 'daily 04:00', 'hourly', "
        "'every 1m', 'off' or a crontab line like '0 9 * * mon'"
    )
