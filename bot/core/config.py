"""Typed settings: a TOML file, then ``RELAIS_*`` environment variables over it.

Secrets (bot tokens, database passwords inside a URL) come only from the environment.
A bad value stops the program with one line naming the key, never a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic import model_validator as _model_validator

from bot.core.port import Address
from bot.core.text import fold
from bot.core.timetable import EVERY_MINUTE, ScheduleError, parse, parse_time

LANGUAGES = ("fr", "en")
MEDIUMS = ("press", "blog", "social", "conference", "video", "organisation", "conversation")
SIGNAL_KINDS = ("investor", "site", "event", "film", "talent", "other")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the key."""


def _has_host(url: str) -> bool:
    """``http:///bot`` passes a scheme check but names no server: the client library
    would then fail at the first call, quoting the whole URL, token included."""
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # a malformed port or IPv6 address
        return False


class RegistrationMode(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    SPONSOR = "sponsor"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedName(_Section):
    fr: str = Field(min_length=1, max_length=64)
    en: str = Field(min_length=1, max_length=64)

    def get(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


class LocalizedText(_Section):
    fr: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)

    def get(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


class Category(_Section):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: LocalizedName
    #: The category named after "of", with its article and preposition ("des
    #: entreprises", "du tourisme", "of businesses"): French elides and contracts by the
    #: first letter and gender of a name, which no sentence can guess. Unset, texts say
    #: "de la catégorie « Entreprises »", which reads well whatever the name.
    of: LocalizedName | None = None


class Level(_Section):
    points: int = Field(ge=0)
    name: LocalizedName
    #: What reaching this level brings, told to the member when they reach it.
    brings: LocalizedText | None = None


class NetworkSettings(_Section):
    name: str = Field(default="Relais", min_length=1, max_length=80)
    timezone: str = "Europe/Paris"
    default_language: str = "fr"
    registration: RegistrationMode = RegistrationMode.OPEN
    privacy_url: str | None = None
    #: The territory the ambassadors speak about, with its article ("le Roannais", "the
    #: Roannais"): the nudges ask whether members spoke about it. Unset: "notre
    #: territoire" / "our territory".
    territory: LocalizedName | None = None
    #: Sponsorship mode: what to tell someone without a sponsor code about getting one
    #: (who to ask, a sign-up page). Unset: a general sentence.
    sponsor_help: LocalizedText | None = None
    #: Coordinators are reminded, once a day, of applications that have waited more
    #: than this many days (0: never).
    application_reminder_days: int = Field(default=3, ge=0, le=365)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///relais.sqlite3"
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class PointsSettings(_Section):
    mention: dict[str, int] = Field(
        default_factory=lambda: {
            "press": 5,
            "blog": 3,
            "social": 2,
            "conference": 5,
            "video": 3,
            "organisation": 3,
            "conversation": 1,
        }
    )
    signal: int = Field(default=10, ge=0)
    settlement: int = Field(default=30, ge=0)
    #: Most points a member can earn from their own reports in one local day.
    daily_cap: int = Field(default=30, ge=0)
    #: Bonus for the reporter when coordinators mark their signal won (once per signal).
    signal_won: int = Field(default=50, ge=0)
    #: For the sponsor, once, when a coordinator approves the member they sponsored.
    sponsor: int = Field(default=10, ge=0)
    #: For answering "Done" to a referent's action plan (once per plan).
    plan_done: int = Field(default=5, ge=0)
    #: For answering "Done" to a campaign (once per run of the campaign).
    campaign_done: int = Field(default=5, ge=0)

    @field_validator("mention")
    @classmethod
    def _every_medium(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = set(value) - set(MEDIUMS)
        if unknown:
            raise ValueError(f"unknown medium {sorted(unknown)[0]!r}; known: {', '.join(MEDIUMS)}")
        missing = set(MEDIUMS) - set(value)
        if missing:
            raise ValueError(f"missing medium {sorted(missing)[0]!r}")
        if any(points < 0 for points in value.values()):
            raise ValueError("points cannot be negative")
        return value


class RolesSettings(_Section):
    """Bootstrap roles by platform identity, e.g. ``telegram:123`` or ``console:carol``."""

    coordinators: list[str] = Field(default_factory=list)
    referents: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("coordinators")
    @classmethod
    def _identities(cls, value: list[str]) -> list[str]:
        for identity in value:
            _check_identity(identity)
        return value

    @field_validator("referents")
    @classmethod
    def _referent_identities(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for identities in value.values():
            for identity in identities:
                _check_identity(identity)
        return value


DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


class DiscordSettings(_Section):
    """The Discord server (guild) Relais serves; the token comes from RELAIS_DISCORD_TOKEN."""

    #: False: this process does not connect to Discord even with a token. A bot has one
    #: gateway connection: with several processes, Discord runs on one of them and the
    #: others set ``RELAIS_DISCORD__ENABLED=false`` (see docs/production.md).
    enabled: bool = True
    #: The server whose slash commands Relais registers (instantly, unlike global ones).
    guild_id: int | None = Field(default=None, gt=0)
    #: Register the slash commands globally too, so they also work in direct messages
    #: (Discord takes up to an hour to show global changes).
    sync_globally: bool = False
    #: Pacing of the bot's own messages per channel: at most ``pace_messages`` every
    #: ``pace_seconds`` (Discord's limit is 5 per 5 s per channel).
    pace_messages: int = Field(default=5, ge=1, le=50)
    pace_seconds: float = Field(default=5.0, gt=0, le=60)
    #: How many times a message that failed for a passing reason (Discord unavailable,
    #: network error) is tried again before it is reported as failed.
    send_retries: int = Field(default=3, ge=0, le=10)
    #: Where Discord is: change these only for a proxy or a test server.
    api_base_url: str = Field(default=DISCORD_API, pattern=r"^https?://")
    gateway_url: str = Field(default=DISCORD_GATEWAY, pattern=r"^wss?://")

    @field_validator("api_base_url", "gateway_url")
    @classmethod
    def _named_host(cls, value: str) -> str:
        if not _has_host(value):
            raise ValueError("must name a host, e.g. https://discord.com/api/v10")
        return value

    #: Server roles that follow Relais (optional): category key → role id for active
    #: members of that category, and one role each for referents and coordinators.
    #: Relais adds and removes these roles only, never any other.
    category_roles: dict[str, int] = Field(default_factory=dict)
    referent_role: int | None = Field(default=None, gt=0)
    coordinator_role: int | None = Field(default=None, gt=0)
    #: Level threshold (``[[levels]] points``) → role id: a member holds the role of the
    #: highest level they reached that has one (levels reached are never taken back).
    level_roles: dict[int, int] = Field(default_factory=dict)
    #: Greet people who join the server in the general channel (needs the privileged
    #: Server Members intent, switched on in the developer portal).
    greet_newcomers: bool = False
    #: The Discord channel category (its name, or its id) under which Relais finds or
    #: creates one text channel per category and a general one, and binds them (see
    #: :mod:`bot.platforms.discord.channels`). Unset: channels are bound with /bind only.
    channel_category: str | None = Field(default=None, min_length=1, max_length=100)
    #: Mirror each upcoming occurrence of an event as a Guild Scheduled Event (the
    #: server's Events tab), and count "Interested" as a Maybe (needs guild_id and the
    #: Manage Events permission; asks for the non-privileged scheduled-events intent).
    scheduled_events: bool = True

    @field_validator("category_roles")
    @classmethod
    def _role_ids(cls, value: dict[str, int]) -> dict[str, int]:
        for key, role in value.items():
            if role <= 0:
                raise ValueError(f"{key}: a role id is a positive number")
        return value

    def managed_roles(self) -> dict[int, str]:
        """Role id → what it stands for (``category:<key>``, ``referent``, ``coordinator``)."""
        roles = {role: f"category:{key}" for key, role in self.category_roles.items()}
        if self.referent_role is not None:
            roles[self.referent_role] = "referent"
        if self.coordinator_role is not None:
            roles[self.coordinator_role] = "coordinator"
        roles.update({role: f"level:{points}" for points, role in self.level_roles.items()})
        return roles

    @_model_validator(mode="after")
    def _roles_are_distinct(self) -> DiscordSettings:
        named = [*self.category_roles.values(), self.referent_role, self.coordinator_role]
        ids = [role for role in [*named, *self.level_roles.values()] if role is not None]
        repeated = next((role for role in ids if ids.count(role) > 1), None)
        if repeated is not None:
            raise ValueError(f"role {repeated} is given twice; each must be its own role")
        return self


class PrivacySettings(_Section):
    """GDPR: which consent text members agreed to, how long applicants and copies of sent
    messages are kept."""

    #: Change it when the consent text changes: members are asked to agree again.
    consent_version: str = Field(default="1", min_length=1, max_length=32)
    #: Applicants never approved (pending or rejected) are deleted after this many days.
    applicant_retention_days: int = Field(default=90, ge=1)
    #: Sent (or failed) messages are deleted from the delivery queue after this many days.
    delivery_retention_days: int = Field(default=30, ge=1)


def _check_identity(identity: str) -> None:
    platform, _, user = identity.partition(":")
    if platform not in ("console", "telegram", "discord") or not user:
        raise ValueError(f"{identity!r} is not platform:user (console, telegram or discord)")


#: The characters Telegram allows in a webhook's secret_token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


#: Telegram's free overall rate for bulk messages, and the most paid broadcasts allow
#: (messages a second, Bot API "Paid Broadcasts").
FREE_RATE = 30
PAID_RATE_MAX = 1000


class TelegramSettings(_Section):
    """How Relais reaches the Bot API and how updates reach Relais.

    Keys are flat (``webhook_url``, not ``[telegram.webhook]``) so that each one can be
    overridden from the environment: ``RELAIS_TELEGRAM__WEBHOOK_URL``.
    """

    #: The Bot API endpoint; the token is appended. Point it at a self-hosted Bot API
    #: server (or the tests' fake one).
    api_base_url: str = "https://api.telegram.org/bot"
    mode: TelegramMode = TelegramMode.POLLING
    #: Seconds a getUpdates long poll waits for news before asking again.
    poll_timeout: int = Field(default=30, ge=0, le=50)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    #: The public HTTPS URL Telegram posts to (a reverse proxy forwards it to
    #: ``webhook_listen:webhook_port/webhook_path``). Required in webhook mode.
    webhook_url: str | None = None
    webhook_path: str = Field(default="telegram", pattern=r"^[A-Za-z0-9._~/-]*$")
    #: The bot's @username, for invitation links (``https://t.me/<username>?start=CODE``).
    #: When unset, the adapter learns it from Telegram at start.
    username: str | None = Field(default=None, pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
    #: Paid broadcasts (turned on for the bot in @BotFather, paid in Telegram Stars):
    #: campaigns' private messages carry ``allow_paid_broadcast`` and go out at
    #: ``paid_rate`` messages a second overall instead of about 30; each chat's own
    #: limit (one message a second) stays. See docs/telegram.md for the cost.
    paid_broadcast: bool = False
    paid_rate: int = Field(default=1000, ge=FREE_RATE, le=PAID_RATE_MAX)

    @field_validator("username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return value.removeprefix("@") if value else value

    @field_validator("api_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if value is not None and not _has_host(value):
            raise ValueError("must name a host, e.g. https://api.telegram.org/bot")
        return value

    @_model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.mode is TelegramMode.WEBHOOK and not self.webhook_url:
            raise ValueError("webhook_url is required when mode is webhook")
        return self


#: The largest ``delivery.speedup``: what the tests and benchmarks use against fake
#: servers, with room to spare.
MAX_SPEEDUP = 100_000


class DeliverySettings(_Section):
    """How fast broadcasts may go. Defaults follow the platforms' published limits;
    ``speedup`` multiplies every rate (benchmarks and tests use it with fake servers)."""

    #: A finite factor: ``inf`` would turn pacing off altogether (every wait 0).
    speedup: float = Field(default=1.0, gt=0, le=MAX_SPEEDUP, allow_inf_nan=False)
    #: Sends in flight at once across all chats (each chat is still sent to in order).
    concurrency: int = Field(default=8, ge=1, le=256)
    max_attempts: int = Field(default=5, ge=1)
    #: A sender's lease (seconds): renewed every third of it while the process runs.
    #: Rows a sender left ``sending`` become ``unknown`` once its lease has lapsed.
    lease_seconds: float = Field(default=30, gt=0)


class LimitsSettings(_Section):
    """What one person may ask of the bot: beyond ``updates_per_minute`` updates in any
    minute, they get one "slow down" answer and the rest is dropped until the minute
    passes (see :mod:`bot.conversation.throttle`; the processes sharing a PostgreSQL
    database keep one count per person). ``concurrent_updates`` bounds the
    updates handled at once across chats (each chat's own stay in order)."""

    updates_per_minute: int = Field(default=60, ge=1, le=10_000)
    concurrent_updates: int = Field(default=32, ge=1, le=1024)


class JobsSettings(_Section):
    """When the clock's jobs run, in the network's time zone (see :mod:`bot.core.timetable`).

    The four named keys are Relais' own jobs; any other key sets the schedule of a job
    registered under that id (jobs without a key poll every minute).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    leaderboard: str = "mon 09:00"
    digest: str = "mon 09:00"
    nudges: str = "hourly"
    prune: str = "daily 04:00"
    #: A job whose time passed while Relais was down runs once at start when it is at
    #: most this late; older occurrences are skipped.
    grace_hours: float = Field(default=96, ge=0)
    #: How often the scheduler looks at the clock (seconds).
    tick_seconds: float = Field(default=20, gt=0)
    #: PostgreSQL: how often a process that does not run the scheduler tries to take over.
    leader_poll_seconds: float = Field(default=10, gt=0)
    #: Processed update ids (redelivery protection) and job run records older than this
    #: are deleted by the daily ``prune`` job.
    prune_after_days: int = Field(default=30, ge=1)

    @_model_validator(mode="after")
    def _schedules_parse(self) -> JobsSettings:
        for job, text in self.schedules().items():
            if not isinstance(text, str):
                raise ValueError(f"{job}: a schedule is a string like 'mon 09:00'")
            try:
                parse(text, "UTC")
            except ScheduleError as error:
                raise ValueError(f"{job}: {error}") from error
        return self

    def schedules(self) -> dict[str, str]:
        """Job id → schedule text, for every job named in config."""
        named = {
            "leaderboard": self.leaderboard,
            "digest": self.digest,
            "nudges": self.nudges,
            "prune": self.prune,
            # The coordinators' digest goes with the referents' unless told otherwise.
            "coordinator_digest": self.digest,
        }
        return {**named, **{key: str(value) for key, value in (self.model_extra or {}).items()}}

    def schedule_of(self, job: str, default: str = EVERY_MINUTE) -> str:
        return self.schedules().get(job, default)


#: Placeholders a nudge wording may use.
NUDGE_PLACEHOLDERS = {
    "name": "Alice",
    "network": "Relais",
    "category": "Business",
    "territory": "the Roannais",
}


class NudgeVariant(_Section):
    """One wording of the first two nudges, in both languages."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    #: How /nudges names this wording (its key when unset).
    label: LocalizedName | None = None
    gentle: LocalizedText
    personal: LocalizedText

    @_model_validator(mode="after")
    def _placeholders(self) -> NudgeVariant:
        for text in (self.gentle.fr, self.gentle.en, self.personal.fr, self.personal.en):
            try:
                text.format(**NUDGE_PLACEHOLDERS)
            except (KeyError, IndexError, ValueError) as error:
                raise ValueError(
                    f"{text[:30]!r}...: only {{name}}, {{network}}, {{territory}} and "
                    "{category} may be used"
                ) from error
        return self


class NudgeSettings(_Section):
    """The ladder for dormant members: gentle nudge, personal nudge, referent, silence."""

    enabled: bool = True
    #: A member is dormant after this many days without an action.
    dormant_days: int = Field(default=30, ge=1)
    #: Days from the gentle nudge to the personal one.
    personal_after_days: int = Field(default=14, ge=1)
    #: Days from the personal nudge to the referent's digest.
    referent_after_days: int = Field(default=14, ge=1)
    #: At most one nudge per member in this many days, whatever the ladder says.
    min_gap_days: int = Field(default=7, ge=1)
    #: "Remind me next week" and "Pause for a month".
    snooze_days: int = Field(default=7, ge=1)
    pause_days: int = Field(default=30, ge=1)
    #: No nudge between these hours, in the member's time zone (else the network's).
    quiet_start: str = "21:00"
    quiet_end: str = "09:00"
    #: Wordings assigned at random, stable per member; empty: the built-in ones.
    variants: list[NudgeVariant] = Field(default_factory=list)

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        try:
            parse_time(value)
        except ScheduleError as error:
            raise ValueError(str(error)) from error
        return value

    @field_validator("variants")
    @classmethod
    def _unique_variants(cls, value: list[NudgeVariant]) -> list[NudgeVariant]:
        keys = [variant.key for variant in value]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate:
            raise ValueError(f"variant {duplicate!r} is declared twice")
        return value


class QuizSettings(_Section):
    """The quiz that teaches the territory: learning, not an exam (:mod:`bot.animation.quiz`)."""

    #: Points for a member's first correct answer to a question (0: none).
    points: int = Field(default=2, ge=0, le=100)
    #: Whether quiz points count against ``[points] daily_cap`` (with the member's reports).
    in_daily_cap: bool = False
    #: Questions in one private ``/quiz`` round.
    round_size: int = Field(default=3, ge=1, le=10)
    #: Offer a round right after joining (never a condition of membership).
    onboarding: bool = False
    #: Days a weekly question stays open in the channels (schedule: ``[jobs] quiz``).
    open_days: int = Field(default=6, ge=1, le=30)


class AnimationSettings(_Section):
    """Action plans and campaigns: when reminders go and how long answers count."""

    #: Days after a plan or a one-off campaign during which members' reports count as
    #: acting on it (a plan with a due date counts until the end of that day; a repeating
    #: campaign's run until its next run).
    results_window_days: int = Field(default=7, ge=1, le=90)
    #: Local hour (network time zone) of a plan's due date at which members who said
    #: "I'm on it" are reminded.
    reminder_hour: int = Field(default=9, ge=0, le=23)


class EventsSettings(_Section):
    """Events: points for attending, reminders, the check-in window, pinning."""

    #: Points an attendance earns when the event's author sets none.
    default_points: int = Field(default=10, ge=0, le=1000)
    #: Hours before an occurrence's start at which those going are reminded; the
    #: largest is the "day before" reminder, the others "hours before" ones.
    reminder_hours: list[int] = Field(default_factory=lambda: [24, 2], max_length=4)
    #: Check-in opens this many minutes before the start…
    checkin_before_minutes: int = Field(default=60, ge=0, le=24 * 60)
    #: …and closes this many minutes after the end.
    checkin_after_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)
    #: Pin each upcoming event's card in its group where the bot may pin (Telegram).
    pin_cards: bool = True
    #: Whether a new event is also sent privately to each invited member by default.
    private_invites: bool = False
    #: How many future occurrences of a repeating event exist at a time (members can
    #: answer for these).
    occurrences_ahead: int = Field(default=3, ge=1, le=12)
    #: The reminder the calendar file sets, in minutes before the start.
    calendar_alarm_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)

    @field_validator("reminder_hours")
    @classmethod
    def _positive_hours(cls, value: list[int]) -> list[int]:
        if any(hours < 1 or hours > 7 * 24 for hours in value):
            raise ValueError("reminder hours must be between 1 and 168")
        if len(set(value)) != len(value):
            raise ValueError("reminder hours must differ")
        return sorted(value, reverse=True)


class BadgeKind(StrEnum):
    """What a badge counts (see :mod:`bot.recognition.badges`)."""

    REPORTS = "reports"  # reports of any kind
    MENTIONS = "mentions"
    SIGNALS = "signals"
    WON_SIGNALS = "won_signals"
    EVENTS = "events"  # events attended
    YEARS = "years"  # years since joining
    REFERENT_YEARS = "referent_years"  # years as a referent of a category


class BadgeRule(_Section):
    key: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: LocalizedName
    kind: BadgeKind
    #: How many (reports, mentions, events, years...) earn it.
    count: int = Field(default=1, ge=1, le=100000)


class RecognitionSettings(_Section):
    """Level-ups, badges, the ambassador of the month and points awarded by hand."""

    #: Also announce level-ups in the member's category channel (never naming members who
    #: chose to be anonymous or hidden).
    announce_levels: bool = False
    #: Milestones earned once each and shown in /me.
    badges: list[BadgeRule] = Field(default_factory=list)
    #: Announce each month's most active member, per category and overall, on the 1st.
    ambassador_of_the_month: bool = True
    #: The most points a referent may award by hand at once (coordinators: ``award_max``).
    referent_award_cap: int = Field(default=20, ge=0, le=10000)
    award_max: int = Field(default=500, ge=1, le=100000)

    @field_validator("badges")
    @classmethod
    def _unique_badges(cls, value: list[BadgeRule]) -> list[BadgeRule]:
        keys = [badge.key for badge in value]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate:
            raise ValueError(f"badge {duplicate!r} is declared twice")
        return value


class EmailTls(StrEnum):
    """How the SMTP connection is protected: STARTTLS on a plain port (587), TLS from the
    first byte (465), or nothing (a relay on the same machine, tests)."""

    STARTTLS = "starttls"
    IMPLICIT = "implicit"
    NONE = "none"


_ADDRESS = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"


class EmailWelcome(_Section):
    """The network's welcome words in invitations, per language (either may be empty)."""

    fr: str = Field(default="", max_length=2000)
    en: str = Field(default="", max_length=2000)


class EmailSettings(_Section):
    """E-mail, an outbound platform (:mod:`bot.platforms.email`): invitations, reminders,
    newsletters. Off while ``host`` is unset; the password comes only from
    ``RELAIS_EMAIL_PASSWORD``."""

    host: str | None = Field(default=None, min_length=1, max_length=253)
    port: int = Field(default=587, ge=1, le=65535)
    tls: EmailTls = EmailTls.STARTTLS
    user: str | None = Field(default=None, min_length=1, max_length=254)
    #: The From address and name; replies go to ``reply_to`` when set, else to it. The
    #: ``mailto:`` unsubscribe link goes there too: someone must read that mailbox.
    from_address: str | None = Field(default=None, pattern=_ADDRESS, max_length=254)
    from_name: str | None = Field(default=None, min_length=1, max_length=80)
    reply_to: str | None = Field(default=None, pattern=_ADDRESS, max_length=254)
    #: The pace of e-mail (most providers limit senders per minute or per hour).
    messages_per_minute: int = Field(default=60, ge=1, le=10_000)
    #: Seconds an SMTP exchange may take before it counts as a passing failure.
    timeout: float = Field(default=30, gt=0, le=600)
    #: Reminders to members who have not claimed their account: at most ``max_reminders``,
    #: ``reminder_days`` days after the previous invitation.
    reminder_days: int = Field(default=7, ge=1, le=365)
    max_reminders: int = Field(default=2, ge=0, le=5)
    welcome: EmailWelcome = Field(default_factory=EmailWelcome)

    @property
    def enabled(self) -> bool:
        return self.host is not None

    @property
    def replies_to(self) -> str | None:
        """Where replies and ``mailto:`` unsubscribe requests go."""
        return self.reply_to or self.from_address

    @_model_validator(mode="after")
    def _sender_known(self) -> EmailSettings:
        if self.host is not None and self.from_address is None:
            raise ValueError("email.from_address: required when email.host is set")
        return self


class WebSettings(_Section):
    """The web server (:mod:`bot.web`): started by ``relais run`` when ``listen`` is set,
    alone by ``relais web``. ``public_url`` is its address as the world sees it (behind
    the reverse proxy that terminates HTTPS): links in e-mails point there."""

    listen: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$")
    public_url: str | None = Field(default=None, pattern=r"^https?://")
    #: How long a desk session lasts after signing in (:mod:`bot.members.desk_access`).
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    #: The public sign-up form at ``/join`` (:mod:`bot.members.web_signup`); off: 404.
    signup: bool = False
    #: Applications the form accepts per visitor (a keyed daily hash of the address) a day.
    signups_per_day: int = Field(default=3, ge=1, le=1000)

    @field_validator("public_url")
    @classmethod
    def _public_host(cls, value: str | None) -> str | None:
        if value is not None and not _has_host(value):
            raise ValueError("must name a host, e.g. https://relais.example.org")
        return value.rstrip("/") if value else value

    @property
    def host_port(self) -> tuple[str, int]:
        """``listen`` split; only meaningful when it is set."""
        host, _, port = (self.listen or "127.0.0.1:8080").rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("listen")
    @classmethod
    def _port_range(cls, value: str | None) -> str | None:
        if value is not None and not 1 <= int(value.rpartition(":")[2]) <= 65535:
            raise ValueError("the port must be between 1 and 65535")
        return value


class KitSettings(_Section):
    """The ambassador's kit (:mod:`bot.animation.kit`): where its files live, how large
    they may be, and the small bonus a shared link's clicks earn."""

    #: Folder of the kit's images and PDFs; unset: ``kit-files`` beside the SQLite
    #: database (or in the working folder with PostgreSQL).
    files_dir: str | None = None
    #: Largest image or PDF accepted, in megabytes.
    max_file_mb: int = Field(default=5, ge=1, le=50)
    #: Points a member's tracked link earns per unique click…
    click_points: int = Field(default=1, ge=0, le=100)
    #: …for at most this many clicks per item and per day.
    clicks_per_day: int = Field(default=5, ge=0, le=1000)
    #: Items per page in /kit.
    page_size: int = Field(default=6, ge=1, le=20)


class CardsSettings(_Section):
    """The member card (/card) and the partners' benefits (:mod:`bot.cards`).

    A card is valid ``valid_months`` from the day it is issued. From ``renew_days``
    before its end (or once it has ended) /card renews it for an active member: a new
    card, the old one revoked. The colours are the card's band and its accent."""

    valid_months: int = Field(default=12, ge=1, le=120)
    renew_days: int = Field(default=30, ge=0, le=365)
    color: str = Field(default="#1d3557", pattern=r"^#[0-9a-fA-F]{6}$")
    accent: str = Field(default="#e63946", pattern=r"^#[0-9a-fA-F]{6}$")


class DirectorySettings(_Section):
    """The members' directory (:mod:`bot.directory`): opt-in profiles, introductions
    relayed by the bot, and monthly meetings of two."""

    #: /profile and /directory answer; off: they say the directory is closed.
    enabled: bool = True
    #: Areas of expertise offered as buttons in /profile (members may add their own).
    tags: list[str] = Field(default_factory=list, max_length=40)
    #: Results per page in /directory.
    page_size: int = Field(default=5, ge=1, le=20)
    #: Introductions a member may ask for in any 7 days.
    introductions_per_week: int = Field(default=3, ge=1, le=100)
    #: Days an introduction waits for its answer; then the asker hears "no answer".
    introduction_days: int = Field(default=14, ge=1, le=90)
    #: Monthly meetings of two between members who opted in (in /profile).
    pairs: bool = False
    #: Days after the pairing when both are asked "did you meet?".
    pair_followup_days: int = Field(default=7, ge=1, le=28)
    #: Points each member of a pair earns when the meeting took place.
    pair_points: int = Field(default=10, ge=0, le=1000)

    @field_validator("tags")
    @classmethod
    def _folded_tags(cls, value: list[str]) -> list[str]:
        tags = [fold(tag)[:24] for tag in value]
        if not all(tags):
            raise ValueError("a tag needs letters or digits")
        return list(dict.fromkeys(tags))


class SignalValueField(_Section):
    """A figure coordinators estimate for each opportunity signal (jobs, euros, m²…)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,23}$")
    label: LocalizedName
    #: Written after the figure (``€``, ``m²``); empty for a plain count.
    unit: str = Field(default="", max_length=12)


class SignalsSettings(_Section):
    """The signal pipeline's value fields (:mod:`bot.activity.signal_values`): set on the
    desk's signal page, shown by ``/signals N`` and in the signals export, summed per
    stage on the desk's pipeline."""

    value_fields: list[SignalValueField] = Field(default_factory=list, max_length=10)

    @field_validator("value_fields")
    @classmethod
    def _distinct_keys(cls, value: list[SignalValueField]) -> list[SignalValueField]:
        keys = [field.key for field in value]
        if len(set(keys)) != len(keys):
            raise ValueError("each value field needs its own key")
        return value

    def field(self, key: str) -> SignalValueField | None:
        return next((field for field in self.value_fields if field.key == key), None)


class Settings(_Section):
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    categories: list[Category] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    points: PointsSettings = Field(default_factory=PointsSettings)
    roles: RolesSettings = Field(default_factory=RolesSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    animation: AnimationSettings = Field(default_factory=AnimationSettings)
    events: EventsSettings = Field(default_factory=EventsSettings)
    quiz: QuizSettings = Field(default_factory=QuizSettings)
    recognition: RecognitionSettings = Field(default_factory=RecognitionSettings)

    #: Channels declared in config: scope (a category key, general, coordinators) → chats
    #: written ``platform:chat_id`` or ``platform:chat_id:thread_id``.
    channels: dict[str, list[str]] = Field(default_factory=dict)
    delivery: DeliverySettings = Field(default_factory=lambda: DeliverySettings())
    jobs: JobsSettings = Field(default_factory=lambda: JobsSettings())
    nudges: NudgeSettings = Field(default_factory=lambda: NudgeSettings())
    limits: LimitsSettings = Field(default_factory=lambda: LimitsSettings())
    email: EmailSettings = Field(default_factory=lambda: EmailSettings())
    web: WebSettings = Field(default_factory=lambda: WebSettings())
    kit: KitSettings = Field(default_factory=lambda: KitSettings())
    cards: CardsSettings = Field(default_factory=lambda: CardsSettings())
    directory: DirectorySettings = Field(default_factory=lambda: DirectorySettings())
    signals: SignalsSettings = Field(default_factory=lambda: SignalsSettings())
    telegram_token: SecretStr | None = None
    #: Telegram echoes it in a header on every webhook request; others get 403.
    telegram_webhook_secret: SecretStr | None = None
    discord_token: SecretStr | None = None
    #: The SMTP password (RELAIS_EMAIL_PASSWORD), with ``[email] user``.
    email_password: SecretStr | None = None
    #: Signs the cards' QR links (RELAIS_CARD_SECRET); unset, a key made at first use is
    #: kept in the database. Changing it makes every printed QR link invalid.
    card_secret: SecretStr | None = None

    @field_validator("categories")
    @classmethod
    def _unique_keys(cls, value: list[Category]) -> list[Category]:
        keys = [category.key for category in value]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate:
            raise ValueError(f"category {duplicate!r} is declared twice")
        return value

    @field_validator("levels")
    @classmethod
    def _ascending(cls, value: list[Level]) -> list[Level]:
        thresholds = [level.points for level in value]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("levels must have strictly increasing points")
        if thresholds[0] != 0:
            raise ValueError("the first level must start at 0 points")
        return value

    @_model_validator(mode="after")
    def _referents_in_known_categories(self) -> Settings:
        keys = {category.key for category in self.categories}
        for key in self.roles.referents:
            if key not in keys:
                raise ValueError(f"roles.referents: unknown category {key!r}")
        return self

    @_model_validator(mode="after")
    def _discord_roles_in_known_categories(self) -> Settings:
        keys = {category.key for category in self.categories}
        for key in self.discord.category_roles:
            if key not in keys:
                raise ValueError(f"discord.category_roles: unknown category {key!r}")
        thresholds = {level.points for level in self.levels}
        for points, role in self.discord.level_roles.items():
            if points not in thresholds or role <= 0:
                raise ValueError(f"discord.level_roles: no level starts at {points} points")
        if self.discord.managed_roles() and self.discord.guild_id is None:
            raise ValueError("discord.guild_id: required when Discord roles are configured")
        if self.discord.channel_category is not None and self.discord.guild_id is None:
            raise ValueError("discord.guild_id: required when discord.channel_category is set")
        return self

    @_model_validator(mode="after")
    def _discord_has_somewhere_to_register(self) -> Settings:
        if self.discord_token is None or self.discord.guild_id or self.discord.sync_globally:
            return self
        raise ValueError(
            "discord.guild_id: required when RELAIS_DISCORD_TOKEN is set "
            "(or set discord.sync_globally = true)"
        )

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token; checked here so a bad one fails at start.
        if value is not None and not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 characters among A-Z, a-z, 0-9, _ and -")
        return value

    @_model_validator(mode="after")
    def _webhook_has_secret(self) -> Settings:
        webhook = self.telegram.mode is TelegramMode.WEBHOOK
        if webhook and self.telegram_token is not None and self.telegram_webhook_secret is None:
            raise ValueError(
                "telegram.mode is webhook: set RELAIS_TELEGRAM_WEBHOOK_SECRET "
                "(1-256 characters: A-Z, a-z, 0-9, _ and -)"
            )
        return self

    @_model_validator(mode="after")
    def _channels_are_known(self) -> Settings:
        keys = {category.key for category in self.categories} | {"general", "coordinators"}
        for scope, chats in self.channels.items():
            if scope not in keys:
                raise ValueError(f"channels: unknown scope {scope!r}")
            for chat in chats:
                platform, _, rest = chat.partition(":")
                if platform not in ("telegram", "discord") or not rest:
                    raise ValueError(f"channels.{scope}: {chat!r} is not platform:chat_id")
        return self

    def channel_addresses(self) -> list[tuple[str, Address]]:
        """Declared channels as (scope, address), scopes in ``bind`` form."""
        pairs = []
        for word, chats in self.channels.items():
            scope = word if word in ("general", "coordinators") else f"category:{word}"
            for chat in chats:
                platform, _, rest = chat.partition(":")
                chat_id, _, thread = rest.partition(":")
                pairs.append((scope, Address(platform, chat_id, thread or None)))
        return pairs

    def broadcast_rates(self) -> dict[str, float]:
        """Platform → messages a second at which broadcasts may go where the network
        pays for a faster rate (``[telegram] paid_broadcast``); the delivery queue paces
        broadcast rows at it, and the platforms' other sends at their published rate."""
        return {"telegram": float(self.telegram.paid_rate)} if self.telegram.paid_broadcast else {}

    def category(self, key: str) -> Category | None:
        return next((category for category in self.categories if category.key == key), None)

    def category_named(self, word: str) -> Category | None:
        """The category a person typed: its key, or its name in either language (any
        case, accents and spaces optional: ``entreprises``), or the start of exactly one
        name, since a command's arguments are single words (``tourisme`` for "Tourisme &
        culture")."""
        folded = fold(word)
        if not folded:
            return None
        names = [
            (category, (fold(category.key), fold(category.name.fr), fold(category.name.en)))
            for category in self.categories
        ]
        for category, forms in names:
            if folded in forms:
                return category
        starting = [
            c for c, forms in names if len(folded) >= 3 and any(f.startswith(folded) for f in forms)
        ]
        return starting[0] if len(starting) == 1 else None


#: Environment variables that hold secrets; the TOML file may not set these keys.
_SECRET_KEYS = (
    "telegram_token",
    "telegram_webhook_secret",
    "discord_token",
    "email_password",
    "card_secret",
)


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """``RELAIS_SECTION__KEY=value`` sets ``[section] key``; ``RELAIS_TELEGRAM_TOKEN``,
    ``RELAIS_TELEGRAM_WEBHOOK_SECRET`` and ``RELAIS_DISCORD_TOKEN`` set the secrets;
    ``RELAIS_DATABASE_URL`` is a shortcut for ``RELAIS_DATABASE__URL``."""
    overrides: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith("RELAIS_") or not value:
            continue
        key = name.removeprefix("RELAIS_").lower()
        if key in _SECRET_KEYS:
            overrides[key] = value
        elif key == "database_url":
            overrides.setdefault("database", {})["url"] = value
        elif "__" in key:
            section, _, field = key.partition("__")
            overrides.setdefault(section, {})[field] = value
    return overrides


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown setting"
    # Checks across sections name their key in the message itself.
    return f"{where}: {message}" if where else message


def load_settings(path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read and validate settings; raise :class:`ConfigError` naming the bad key."""
    environ = dict(os.environ) if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a folder; give the settings file (a .toml file)") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file; give the settings file (TOML)") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    for key in _SECRET_KEYS:
        if key in raw:
            env_name = f"RELAIS_{key.upper()}"
            raise ConfigError(f"{key}: secrets come from the environment ({env_name}), not a file")
    return settings_from(raw, str(path), environ)


def settings_from(raw: dict[str, Any], source: str, environ: dict[str, str]) -> Settings:
    """Validate ``raw`` (read from ``source``) with the environment's overrides; a wrong
    value is blamed on the variable that set it when one did, else on ``source``."""
    try:
        return Settings.model_validate(_merge(raw, _env_overrides(environ)))
    except ValidationError as exc:
        variable = _variable(exc.errors()[0]["loc"], environ)
        raise ConfigError(f"{variable or source}: {_describe(exc)}") from exc


def _variable(loc: tuple[int | str, ...], environ: dict[str, str]) -> str | None:
    """The ``RELAIS_*`` variable that set the value at ``loc``, if one did."""
    path = [str(part) for part in loc]
    wanted = {"__".join(path[:2])} if len(path) >= 2 else set()
    if path[:2] == ["database", "url"]:
        wanted.add("database_url")
    if len(path) == 1 and path[0] in _SECRET_KEYS:
        wanted.add(path[0])
    for name, value in environ.items():
        if value and name.startswith("RELAIS_") and name[7:].lower() in wanted:
            return name
    return None
