"""The coordinators' phone lists through python-telegram-bot and the fake Bot API: /pending
pages by editing its message, "approve all shown" asks and then tells each applicant once
even when Telegram delivers the press twice, /member links to the desk, the applications
reminder reaches the coordinator privately (no coordinators' group here) once a day, and
cancelling a campaign asks first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.models import Campaign, CampaignStatus, Member, MemberStatus
from jobs import application_reminders
from tests.support.fake_telegram import FakeTelegram
from tests.support.harness import START, seed_applicants
from tests.support.telegram_network import TelegramNetwork

APPLICANTS = list(range(2001, 2046))


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(
        engine, database_url, clock, fake, coordinators=["telegram:1002"],
        web__public_url="https://relais.test", network__registration="approval",
    )  # fmt: skip
    await network.platform.initialize()
    yield network
    await network.platform.stop()


async def test_pending_pages_and_approves_all_shown_on_telegram(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    await tg.join(carol)
    await seed_applicants(
        tg.engine, APPLICANTS, platform="telegram", joined=START - timedelta(days=5)
    )
    for applicant in APPLICANTS:
        fake.user(applicant, f"U{applicant}")
        fake.open_private_chat(applicant)
    await tg.say(carol, "/pending")
    listing = fake.last_message(carol, with_buttons=True)
    assert listing["text"].startswith("45 applications waiting:\n#2001 U2001")
    assert "Page 1 of 5 (1–10 of 45). 35 more on the next pages." in listing["text"]
    assert "On the desk: https://relais.test/desk/applications" in listing["text"]
    await tg.tap(carol, "Next ▶")
    page = fake.message(carol, listing["message_id"])  # the same message, edited
    assert "#2011 U2011" in page["text"] and "#2001 U2001" not in page["text"]
    assert "Page 2 of 5 (11–20 of 45). 25 more on the next pages." in page["text"]
    await tg.tap(carol, "◀ Previous")
    assert "Page 1 of 5" in fake.message(carol, listing["message_id"])["text"]

    await tg.tap(carol, "Approve all 10 shown")
    question = fake.last_message(carol, with_buttons=True)
    assert question["text"].startswith("Approve these 10 applications? #2001 U2001")
    yes = fake.press(carol, question, "Yes, approve 10")
    await tg.deliver(yes)
    await tg.deliver(yes)  # Telegram delivers the same press again
    await tg.app.sender.drain()
    done = fake.message(carol, question["message_id"])
    assert done["text"].startswith("10 applications approved by Carol: #2001 U2001")
    assert not done.get("reply_markup")  # the question cannot be answered twice
    for applicant in APPLICANTS[:10]:
        assert fake.texts(applicant) == [
            "Good news: your application was approved. Welcome to the Business ambassadors! "
            "Send /help to see what you can do."
        ]
    assert fake.texts(APPLICANTS[10]) == []
    async with tg.sessions() as session:
        statuses = list(
            await session.scalars(select(Member.status).where(Member.id.in_(APPLICANTS)))
        )
    assert statuses.count(MemberStatus.ACTIVE) == 10

    await tg.say(carol, "/member #2001")
    page_text = fake.texts(carol)[-1]
    assert page_text.startswith("#2001 U2001 — Business\nRole: member; status: active")
    assert "On the desk: https://relais.test/desk/members/2001" in page_text

    # The reminder: 35 applications have waited almost 5 days; no coordinators' group here, so
    # Carol hears it privately, once however often the job runs that day.
    before = len(fake.texts(carol))
    for _ in range(3):
        await application_reminders.run(tg.app)
    await tg.app.sender.drain()
    assert fake.texts(carol)[before:] == [
        "35 applications have waited more than 3 days (the oldest, #2011 U2011, for 4 days). "
        "Send /pending to decide.\nOn the desk: https://relais.test/desk/applications"
    ]
    assert fake.unanswered_callbacks == set()


async def test_cancelling_a_campaign_asks_first_on_telegram(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    carol = fake.user(1002, "Carol")
    await tg.join(carol)
    async with tg.sessions.begin() as session:
        author = await session.scalar(select(Member.id))
        session.add(
            Campaign(
                author_id=author,
                text_fr="Derby dimanche",
                text_en="Derby on Sunday",
                categories=[],
                starts_at=START + timedelta(days=3),
                next_run_at=START + timedelta(days=3),
                status=CampaignStatus.SCHEDULED,
                created_at=START,
                updated_at=START,
            )
        )
    await tg.say(carol, "/campaigns")
    assert "On the desk: https://relais.test/desk/campaigns" in fake.texts(carol)[-1]
    await tg.tap(carol, "Cancel #1")
    assert fake.texts(carol)[-1].startswith("Cancel campaign #1 “Derby on Sunday”?")
    await tg.tap(carol, "No, keep it")
    assert fake.texts(carol)[-1] == "Campaign #1 is kept."
    await tg.say(carol, "/campaigns")
    await tg.tap(carol, "Cancel #1")
    await tg.tap(carol, "Yes, cancel it")
    assert fake.texts(carol)[-1] == "Campaign #1 is cancelled."
    async with tg.sessions() as session:
        assert await session.scalar(select(Campaign.status)) is CampaignStatus.CANCELLED
