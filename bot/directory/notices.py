"""What the directory's job tells members, each in their language, through the delivery
queue with a key naming the fact (so a re-run tells nobody twice): requests closed
without an answer, the month's pairs (with each other's contact), the odd one out, and a
week later "did you meet?".

Every message that names or quotes another member lists them as a subject, so erasing
either deletes the stored copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Button, Message
from bot.delivery import audience
from bot.directory import introductions, pairs, profiles
from bot.directory.buttons import PairAnswer
from bot.models import Member, Profile

NO_ANSWER = N_(
    "No answer from {name} to your introduction request. Requests close after {days} days; "
    "you may ask someone else in /directory."
)
PAIRED = N_(
    "Your meeting of the month: {name}{about}. Suggest a coffee or a call!\n"
    "How to reach them:\n{contact}\n"
    "In {days} days I will ask you whether you met."
)
ALONE = N_(
    "No meeting partner for you this month: nobody was left to meet (an odd number, or "
    "you met everyone else this year). You will be first in line next month."
)
DID_YOU_MEET = N_("Did you meet {name}, your meeting of the month?")
YES = N_("Yes, we met")
NO = N_("Not this time")


def about(member: Member, profile: Profile | None) -> str:
    """`` (job title, organisation, town)`` — what the profile says, if anything."""
    if profile is None:
        return ""
    parts = [part for part in (profile.job_title, profile.organisation, profile.town) if part]
    return f" ({', '.join(parts)})" if parts else ""


async def _people(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[Member, Profile | None]]:
    rows = await session.execute(
        select(Member, Profile)
        .outerjoin(Profile, Profile.member_id == Member.id)
        .where(Member.id.in_(ids))
    )
    return {member.id: (member, profile) for member, profile in rows.all()}


async def tell_no_answer(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    closed = await introductions.close_expired(session, settings, now)
    people = await _people(session, [i.target_id for i in closed])
    told = 0
    for introduction in closed:
        target = people.get(introduction.target_id)
        name = target[0].display_name if target else "—"
        told += await audience.tell_members(
            session,
            now=now,
            platforms=platforms,
            member_ids=[introduction.asker_id],
            key_prefix=f"intro:{introduction.id}:closed",
            batch="introductions",
            render=lambda language, name=name: Message(  # type: ignore[misc]
                text=translator.gettext(
                    language, NO_ANSWER, name=name, days=settings.directory.introduction_days
                )
            ),
            subjects=(introduction.target_id,),
        )
    return told


async def tell_pairs(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    if not settings.directory.pairs:
        return 0
    made = await pairs.pair_month(session, settings, now)
    ids = [i for pair in made for i in (pair.first_id, pair.second_id) if i is not None]
    people = await _people(session, ids)
    told = 0
    for pair in made:
        if pair.second_id is None:
            told += await audience.tell_members(
                session,
                now=now,
                platforms=platforms,
                member_ids=[pair.first_id],
                key_prefix=f"pair:{pair.id}:alone",
                batch="meetings",
                render=lambda language: Message(text=translator.gettext(language, ALONE)),
            )
            continue
        for me, other in ((pair.first_id, pair.second_id), (pair.second_id, pair.first_id)):
            member, profile = people[other]
            contact = "\n".join(await profiles.contact_lines(session, member, profile))
            text_values = {
                "name": member.display_name,
                "about": about(member, profile),
                "contact": contact,
                "days": settings.directory.pair_followup_days,
            }
            told += await audience.tell_members(
                session,
                now=now,
                platforms=platforms,
                member_ids=[me],
                key_prefix=f"pair:{pair.id}:made",
                batch="meetings",
                render=lambda language, values=text_values: Message(  # type: ignore[misc]
                    text=translator.gettext(language, PAIRED, **values)
                ),
                subjects=(other,),
            )
    return told


async def ask_followups(
    session: AsyncSession,
    settings: Settings,
    translator: Translator,
    *,
    platforms: Sequence[str],
    now: datetime,
) -> int:
    due = await pairs.due_followups(session, settings, now)
    ids = [i for pair in due for i in (pair.first_id, pair.second_id) if i is not None]
    people = await _people(session, ids)
    told = 0
    for pair in due:
        assert pair.second_id is not None
        for me, other in ((pair.first_id, pair.second_id), (pair.second_id, pair.first_id)):
            name = people[other][0].display_name
            pair_id = pair.id

            def render(language: str, name: str = name, pair_id: int = pair_id) -> Message:
                return Message.with_rows(
                    translator.gettext(language, DID_YOU_MEET, name=name),
                    [
                        [
                            Button(
                                translator.gettext(language, YES), PairAnswer("y", pair_id).pack()
                            ),
                            Button(
                                translator.gettext(language, NO), PairAnswer("n", pair_id).pack()
                            ),
                        ]
                    ],
                )

            told += await audience.tell_members(
                session,
                now=now,
                platforms=platforms,
                member_ids=[me],
                key_prefix=f"pair:{pair.id}:asked",
                batch="meetings",
                render=render,
                subjects=(other,),
            )
    return told
