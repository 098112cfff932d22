"""Directory profiles: what a member chose to tell the network about their work, and who
may be found.

A profile is opt-in twice over: it exists only once the member opened ``/profile``, and
it is found only while ``listed``. The one condition :func:`findable` says who a search
may ever return — listed, active (approved, not erased) — and every search composes it.
The searchable words are kept folded (no case, no accents) in one column, so that
"Genève", "geneve" and "GENEVE" match alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_
from bot.core.text import clean_block, clean_name, fold
from bot.models import Identity, Member, MemberStatus, Profile

MAX_TAGS = 10
MAX_TAG = 24


@dataclass(frozen=True, slots=True)
class Field:
    """A text field of the profile: its column, its label, the most characters kept."""

    key: str
    label: str
    limit: int


#: The text fields, in the order /profile shows and asks them.
FIELDS: tuple[Field, ...] = (
    Field("organisation", N_("Organisation"), 120),
    Field("job_title", N_("Job title"), 120),
    Field("town", N_("Town"), 80),
    Field("languages", N_("Languages"), 120),
    Field("presentation", N_("Presentation"), 500),
    Field("offers", N_("What I can offer"), 300),
    Field("seeks", N_("What I look for"), 300),
)
BY_KEY = {field.key: field for field in FIELDS}


def findable() -> ColumnElement[bool]:
    """Condition on ``Profile`` joined to ``Member``: who a search may ever return."""
    return and_(Profile.listed.is_(True), Member.status == MemberStatus.ACTIVE)


async def of(session: AsyncSession, member_id: int) -> Profile | None:
    return await session.get(Profile, member_id)


async def get_or_new(
    session: AsyncSession, settings: Settings, member: Member, now: datetime
) -> Profile:
    """The member's profile, created empty and unlisted on first use."""
    profile = await session.get(Profile, member.id)
    if profile is None:
        profile = Profile(
            member_id=member.id,
            listed=False,
            organisation="",
            job_title="",
            town="",
            tags=[],
            languages="",
            presentation="",
            offers="",
            seeks="",
            contact=False,
            share_email=False,
            pairs=False,
            handle="",
            search_text="",
            updated_at=now,
        )
        session.add(profile)
        refresh(profile, member, settings)
        await session.flush()
    return profile


def clean_field(key: str, text: str) -> str | None:
    """What may be stored in field ``key`` from ``text``; None when too long. A dash
    alone clears the field. Short fields are one line; the others keep paragraphs."""
    field = BY_KEY[key]
    if text.strip() in ("-", "—"):
        return ""
    if field.limit <= 120:
        cleaned = clean_name(text, limit=field.limit + 1)
        return cleaned if cleaned and len(cleaned) <= field.limit else None
    return clean_block(text, field.limit)


def parse_tags(text: str) -> list[str]:
    """Tags from what someone typed ("export, vélo #gastronomie"): folded words."""
    found: list[str] = []
    for word in re.split(r"[\s,;#]+", text):
        tag = fold(word)[:MAX_TAG]
        if tag and tag not in found:
            found.append(tag)
    return found


def toggle_tag(profile: Profile, tag: str) -> bool:
    """Add or remove ``tag``; False when the profile holds the most tags already."""
    tags = profile.tag_list()
    if tag in tags:
        tags.remove(tag)
    elif len(tags) >= MAX_TAGS:
        return False
    else:
        tags.append(tag)
    profile.tags = tags
    return True


def add_tags(profile: Profile, tags: list[str]) -> None:
    mine = profile.tag_list()
    profile.tags = (mine + [tag for tag in tags if tag not in mine])[:MAX_TAGS]


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return [
        word for word in (fold(part) for part in re.split(r"[\s,;:/()'’.!?\"-]+", text)) if word
    ]


def refresh(profile: Profile, member: Member, settings: Settings) -> None:
    """Write the folded searchable words: the member's name, the text fields, the
    category (key and names) and the tags as ``#tag``."""
    found = words(member.display_name)
    for field in FIELDS:
        found += words(getattr(profile, field.key) or "")
    category = settings.category(member.category)
    found += [fold(member.category)]
    if category is not None:
        found += words(category.name.fr) + words(category.name.en)
    found += [f"#{tag}" for tag in profile.tag_list()]
    unique = list(dict.fromkeys(found))
    profile.search_text = " " + " ".join(unique) + " "


def town_key(profile: Profile) -> str:
    return fold(profile.town)


def organisation_key(profile: Profile) -> str:
    return fold(profile.organisation)


async def contact_lines(
    session: AsyncSession, member: Member, profile: Profile | None
) -> list[str]:
    """How to reach ``member``: their chat accounts (a Telegram @username or link, a
    Discord mention) and their e-mail when they chose to share it. Only ever shown after
    they accepted (an introduction) or agreed to meet (the monthly pairs)."""
    identities = await session.scalars(
        select(Identity).where(Identity.member_id == member.id).order_by(Identity.id)
    )
    lines: list[str] = []
    for identity in identities:
        if identity.platform == "telegram":
            handle = profile.handle if profile is not None else ""
            link = f"https://t.me/{handle}" if handle else f"tg://user?id={identity.user_id}"
            lines.append(f"Telegram: {link}")
        elif identity.platform == "discord":
            lines.append(f"Discord: <@{identity.user_id}>")
        else:
            lines.append(f"{identity.platform}: {identity.user_id}")
    if profile is not None and profile.share_email and member.email:
        lines.append(member.email)
    return lines


def remember_handle(profile: Profile, platform: str, handle: str) -> None:
    """Keep the member's Telegram @username current (it may change)."""
    if platform == "telegram" and handle and profile.handle != handle[:64]:
        profile.handle = handle[:64]
