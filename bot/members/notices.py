"""Telling a member, privately and in their own language, what was decided about them:
an approval, a rejection, a move to another category. The chat's buttons and commands
and the web desk queue the same words through here, keyed so that a second press, a
retried request or a double click never tells anyone twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Message
from bot.delivery import audience
from bot.models import Member

APPROVED = N_(
    "Good news: your application was approved. Welcome to the {category} ambassadors! "
    "Send /help to see what you can do."
)
REJECTED = N_(
    "Your application was not accepted. If you think this is a mistake, contact the "
    "network's coordinators."
)
MOVED = N_("A coordinator moved you to the {category} ambassadors.")


def category_in(settings: Settings, language: str, key: str) -> str:
    category = settings.category(key)
    return category.name.get(language) if category else key


async def tell(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    now: datetime,
    platforms: Sequence[str],
    member_id: int,
    key: str,
    message: str,
    category_key: str | None = None,
    batch: str | None = None,
) -> int:
    """Queue ``message`` to the member (``{category}`` filled with ``category_key`` named
    in their language) under the delivery key ``key``; how many deliveries were queued."""
    await session.flush()

    def render(language: str) -> Message:
        extra = {"category": category_in(settings, language, category_key)} if category_key else {}
        return Message(text=translator.gettext(language, message, **extra))

    return await audience.tell_members(
        session,
        now=now,
        platforms=platforms,
        member_ids=[member_id],
        key_prefix=key,
        batch=batch or key,
        render=render,
    )


async def tell_outcome(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    now: datetime,
    platforms: Sequence[str],
    applicant: Member,
    approved: bool,
) -> int:
    """The applicant hears the decision (keyed by the application: once, however many
    coordinators pressed)."""
    return await tell(
        session,
        settings,
        translator,
        now=now,
        platforms=platforms,
        member_id=applicant.id,
        key=f"application:{applicant.id}:outcome",
        batch=f"application:{applicant.id}",
        message=APPROVED if approved else REJECTED,
        category_key=applicant.category if approved else None,
    )
