"""A new application reaches the coordinators: one card with Approve / Reject buttons,
whether the person applied with ``/start`` in a chat or on the public sign-up form.

The card goes to the coordinators' channel where it is bound (in the network's language),
else to every coordinator privately (each in their own); it is queued under the key
``application:<id>:card``, so a retried update or a second form post never sends it twice.
The buttons (:class:`ApprovalPress`) are handled by the chat's approvals router.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.delivery import audience
from bot.members import approvals
from bot.members.notices import category_in
from bot.models import Member


@dataclass(frozen=True)
class ApprovalPress(Payload, prefix="apv"):
    """Approve (``y``) or reject (``n``) an applicant; ``listed`` marks a /pending list,
    which holds others' buttons too and so is not rewritten with the outcome."""

    verdict: Literal["y", "n"]
    member_id: int
    listed: Literal["l"] | None = None


CARD = N_("New application #{number}: {name}\nCategory: {category}\nSponsor: {sponsor}")
NO_SPONSOR = N_("none")
NAMESAKE = N_(
    "⚠ Same name as the coordinator {coordinator}: make sure this is not someone "
    "posing as them before approving."
)


def card_text(
    settings: Settings, translator: Translator, language: str, member: Member,
    sponsor: Member | None,
) -> str:  # fmt: skip
    """The card's words in ``language`` (its first line is the application's title)."""
    sponsor_text = (
        f"{sponsor.display_name} (#{sponsor.id})"
        if sponsor is not None
        else translator.gettext(language, NO_SPONSOR)
    )
    return translator.gettext(
        language,
        CARD,
        number=member.id,
        name=member.display_name,
        category=category_in(settings, language, member.category),
        sponsor=sponsor_text,
    )


def buttons(translator: Translator, language: str, member_id: int) -> list[list[Button]]:
    def _(message: str) -> str:
        return translator.gettext(language, message)

    return [
        [
            Button(
                translator.gettext(language, N_("Approve")), ApprovalPress("y", member_id).pack()
            ),
            Button(
                translator.gettext(language, N_("Reject")), ApprovalPress("n", member_id).pack()
            ),
        ]
    ]


async def announce(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    now: datetime,
    platforms: Sequence[str],
    member: Member,
) -> int:
    """Queue the new application's card to the coordinators; how many were queued."""
    await session.flush()
    sponsor = await session.get(Member, member.sponsor_id) if member.sponsor_id else None
    namesake = await approvals.coordinator_namesake(session, member)

    def render(language: str) -> Message:
        text = card_text(settings, translator, language, member, sponsor)
        if namesake is not None:
            text += "\n" + translator.gettext(
                language, NAMESAKE, coordinator=f"{namesake.display_name} (#{namesake.id})"
            )
        return Message.with_rows(text, buttons(translator, language, member.id))

    return await audience.tell_coordinators(
        session,
        settings,
        now=now,
        platforms=platforms,
        key_prefix=f"application:{member.id}:card",
        render=render,
        subjects=[member.id, *([sponsor.id] if sponsor else [])],
    )
