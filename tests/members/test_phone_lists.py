"""The coordinators' lists on a phone, through the console: /pending pages through 45
applicants with Previous / Next, approves all shown after a confirmation (each applicant
told once, however many presses), /member shows a member's page in short to whom may see
it, and every list links to the desk once the web is configured."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.core.port import Event
from bot.models import (
    ActionPlan,
    AuditEntry,
    Campaign,
    CampaignStatus,
    Delivery,
    Member,
    MemberStatus,
    Nudge,
    NudgeStep,
    Report,
    ReportKind,
)
from tests.support.harness import START, Network, NetworkFactory, seed_applicants
from tests.support.people import count, member_id, said_to, with_roles

APPLICANTS = list(range(1001, 1046))  # 45, the oldest first


def press(network: Network, user: str, payload: str, message_id: str = "1") -> Event:
    return Event(
        platform="console",
        user_id=user,
        user_name=user.capitalize(),
        chat_id=user,
        is_private=True,
        payload=payload,
        message_id=message_id,
    )


def payload_of(network: Network, label: str) -> str:
    """The payload of the newest button called ``label`` the console showed."""
    for outgoing in reversed(network.console.history):
        for row in outgoing.message.buttons:
            for button in row:
                if button.label == label:
                    return button.payload
    raise LookupError(label)


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", text, re.MULTILINE)]


async def test_pending_pages_through_45_applications(network_factory: NetworkFactory) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    await seed_applicants(network.engine, APPLICANTS, joined=START - timedelta(days=1))
    out = said_to(await network.play("@carol /pending"), "@carol")[-1]
    assert out.startswith("45 applications waiting:")
    assert numbers(out) == APPLICANTS[:10]  # the oldest first
    assert "Page 1 of 5 (1–10 of 45). 35 more on the next pages." in out
    assert "Approve all 10 shown" in out and "Next ▶" in out and "Previous" not in out
    assert "On the desk" not in out  # no web configured
    out = said_to(await network.play("@carol [Next ▶]"), "@carol")[-1]
    assert numbers(out) == APPLICANTS[10:20]
    assert "Page 2 of 5 (11–20 of 45). 25 more on the next pages." in out
    assert "◀ Previous" in out and "Next ▶" in out
    for _ in range(3):
        out = said_to(await network.play("@carol [Next ▶]"), "@carol")[-1]
    assert numbers(out) == APPLICANTS[40:]
    assert "Page 5 of 5 (41–45 of 45). This is the last page." in out
    assert "Next ▶" not in out and "Approve all 5 shown" in out
    out = said_to(await network.play("@carol [◀ Previous]"), "@carol")[-1]
    assert numbers(out) == APPLICANTS[30:40]
    # A stale Next (the list shrank to 12 since) shows the last page instead of failing.
    async with network.sessions.begin() as session:
        for member in await session.scalars(select(Member).where(Member.id.in_(APPLICANTS[:33]))):
            member.status = MemberStatus.REJECTED
    mark = len(network.out.getvalue())
    await network.app.dispatch(press(network, "carol", "pg:ap:4"), network.console)
    out = said_to(network.out.getvalue()[mark:], "@carol")[-1]
    assert numbers(out) == APPLICANTS[43:]
    assert "Page 2 of 2 (11–12 of 12). This is the last page." in out
    # The gate checks the role on every press: a member cannot page through applications.
    await network.join("alice")
    async with network.sessions.begin() as session:
        alice = await session.scalar(select(Member).where(Member.display_name == "Alice"))
        assert alice is not None
        alice.status = MemberStatus.ACTIVE
    mark = len(network.out.getvalue())
    await network.app.dispatch(press(network, "alice", "pg:ap:1"), network.console)
    out = network.out.getvalue()[mark:]
    assert "U10" not in out and "for coordinators" in out


async def test_approve_all_shown_asks_then_tells_each_applicant_once(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    network = with_roles(network, coordinators=["console:carol", "console:dora"])
    await network.join("carol")
    await network.join("dora")
    await seed_applicants(network.engine, APPLICANTS[:12])
    await network.play("@carol /pending")
    out = said_to(await network.play("@carol [Approve all 10 shown]"), "@carol")[-1]
    assert out.startswith("Approve these 10 applications? #1001 U1001, #1002 U1002")
    assert "Each applicant will be told." in out and "[1] Yes, approve 10  [2] No" in out
    assert await count(network, Member, Member.status == MemberStatus.ACTIVE) == 2  # not yet
    yes = payload_of(network, "Yes, approve 10")
    # A double click, and another coordinator pressing the same confirmation at once.
    mark = len(network.out.getvalue())
    await asyncio.gather(
        network.app.dispatch(press(network, "carol", yes, "70"), network.console),
        network.app.dispatch(press(network, "carol", yes, "70"), network.console),
        network.app.dispatch(press(network, "dora", yes, "71"), network.console),
    )
    await network.app.sender.drain()
    out = network.out.getvalue()[mark:]
    assert out.count("10 applications approved by") == 1
    # The others find the page changed, or (read at the same instant) its applications
    # decided already by the first press.
    assert out.count("nothing was approved") + out.count("nothing more was approved") == 2
    for applicant in APPLICANTS[:10]:
        assert said_to(out, f"@u{applicant}") == [
            "Good news: your application was approved. Welcome to the Business ambassadors! "
            "Send /help to see what you can do."
        ]
    for applicant in APPLICANTS[10:12]:
        assert said_to(out, f"@u{applicant}") == []
    approved = await count(network, Member, Member.status == MemberStatus.ACTIVE)
    assert approved == 2 + 10
    assert await count(network, AuditEntry, AuditEntry.action == "member.approve") == 10
    outcome_keys = Delivery.key.like("application:%:outcome%")
    assert await count(network, Delivery, outcome_keys) == 10
    # "No" approves nothing; the last two stay waiting.
    await network.play("@carol /pending\n@carol [Approve all 2 shown]")
    out = await network.play("@carol [No]")
    assert "Nothing was approved." in out
    assert await count(network, Member, Member.status == MemberStatus.PENDING) == 2


async def test_member_page_by_number_and_name_for_whom_may_see_it(network: Network) -> None:
    network = with_roles(network, referents={"business": ["console:rita"]})
    await network.join("carol")
    await network.join("rita", category="Business")
    await network.join("alice", category="Business")
    await network.join("sam", category="Sport")
    alice = await member_id(network, "Alice")
    sam = await member_id(network, "Sam")
    async with network.sessions.begin() as session:
        session.add(
            Report(member_id=alice, kind=ReportKind.MENTION, subkind="press", created_at=START)
        )
        session.add(
            Nudge(member_id=sam, spell_start=START, ordinal=1, step=NudgeStep.GENTLE, sent_at=START)
        )
        await session.execute(update(Member).where(Member.id == alice).values(last_action_at=START))
    out = said_to(await network.play(f"@carol /member #{alice}"), "@carol")[-1]
    async with network.sessions() as session:
        mentions = await session.scalar(
            select(func.count()).where(Report.member_id == alice, Report.kind == ReportKind.MENTION)
        )
    assert out.startswith(f"#{alice} Alice — Business\nRole: member; status: active\n")
    assert f"Reports: {mentions} mentions, 0 opportunity signals, 0 settlements" in out
    assert "Activity: active" in out and "Last action: 04/03/2026" in out
    assert "Nudges received: 0, answered: 0" in out
    # By name, in French (/membre), and by a referent of the member's category.
    out = said_to(await network.play("@rita /membre alice"), "@rita")[-1]
    assert out.startswith(f"#{alice} Alice — Business")
    # A referent of another category, a member: refused.
    out = said_to(await network.play(f"@rita /member #{sam}"), "@rita")[-1]
    assert out == "Only a coordinator or this member's referent can see their page."
    assert "Nudges received" not in await network.play(f"@alice /member #{sam}")
    out = said_to(await network.play(f"@carol /member #{sam}"), "@carol")[-1]
    assert "Nudges received: 1, answered: 0" in out
    out = said_to(await network.play("@carol /member nobody"), "@carol")[-1]
    assert out.startswith("No such member.")
    assert "Usage" in await network.play("@carol /member")


async def test_lists_link_to_the_desk_when_the_web_is_configured(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__registration="approval", web__public_url="https://relais.test"
    )
    await network.join("carol")
    await seed_applicants(network.engine, APPLICANTS[:3])
    out = await network.play(
        "@carol /pending\n@carol /members\n@carol /signals\n@carol /member #1001"
    )
    assert "On the desk: https://relais.test/desk/applications" in out
    assert "On the desk: https://relais.test/desk/members" in out
    assert "On the desk: https://relais.test/desk/members/1001" in out
    assert "No signal matches." in out  # an empty list says so, without a link


async def test_the_other_lists_page_the_same_way(network: Network) -> None:
    """/members, /signals, /review, /campaigns and /plans share the pager: where you are,
    how many remain, Next and Previous, the last page."""
    network = with_roles(network, referents={"business": ["console:rita"]})
    await network.join("carol")
    await network.join("rita")
    await seed_applicants(network.engine, list(range(3001, 3024)))  # 23 more in business
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.id >= 3001).values(status=MemberStatus.ACTIVE)
        )
        author = 3001
        for n in range(25):
            kind = ReportKind.SIGNAL if n < 22 else ReportKind.MENTION
            stage = "new" if kind is ReportKind.SIGNAL else None
            at = START - timedelta(hours=n)
            session.add(
                Report(
                    member_id=author,
                    kind=kind,
                    subkind="investor" if stage else "press",
                    text=f"Lead {n}",
                    stage=stage,
                    created_at=at,
                )
            )
        for n in range(12):
            session.add(
                ActionPlan(
                    author_id=author,
                    category="business",
                    title_en=f"Plan {n}",
                    posted_at=START,
                    window_ends_at=START + timedelta(days=7),
                )
            )
        for n in range(9):
            session.add(
                Campaign(
                    author_id=author,
                    text_en=f"Campaign {n}",
                    categories=[],
                    starts_at=START + timedelta(days=3),
                    next_run_at=START + timedelta(days=3),
                    status=CampaignStatus.SCHEDULED,
                    created_at=START,
                    updated_at=START,
                )
            )
    # /members: rita, carol and the 23 seeded, twenty a page.
    out = said_to(await network.play("@rita /members business"), "@rita")[-1]
    total = int(out.split(" ", 1)[0])
    assert f"Page 1 of 2 (1–20 of {total}). {total - 20} more on the next pages." in out
    out = said_to(await network.play("@rita [Next ▶]"), "@rita")[-1]
    assert f"Page 2 of 2 (21–{total} of {total}). This is the last page." in out
    # /signals: 22 new signals, twenty a page.
    out = said_to(await network.play("@carol /signals"), "@carol")[-1]
    assert out.startswith("22 signals") and "Page 1 of 2 (1–20 of 22). 2 more" in out
    out = said_to(await network.play("@carol [Next ▶]"), "@carol")[-1]
    assert "#1 " not in out and "Page 2 of 2 (21–22 of 22). This is the last page." in out
    # /signals new business investor: the filters ride along on the buttons.
    await network.play("@carol /signals new business investor")
    out = said_to(await network.play("@carol [Next ▶]"), "@carol")[-1]
    assert "Page 2 of 2 (21–22 of 22)" in out
    # /review: three mentions, but five a page: one page, no pager; a referent sees them.
    out = said_to(await network.play("@rita /review"), "@rita")
    assert len([t for t in out if t.startswith("Mention #")]) == 3
    assert not any("Page 1" in t for t in out)
    # /plans: twelve, ten a page.
    out = said_to(await network.play("@rita /plans"), "@rita")[-1]
    assert "Page 1 of 2 (1–10 of 12). 2 more on the next pages." in out
    out = said_to(await network.play("@rita [Next ▶]"), "@rita")[-1]
    assert "Plan 0" in out and "Page 2 of 2 (11–12 of 12)" in out
    # /campaigns: nine, eight a page, newest first.
    out = said_to(await network.play("@carol /campaigns"), "@carol")[-1]
    assert "Page 1 of 2 (1–8 of 9). 1 more on the next pages." in out
    out = said_to(await network.play("@carol [Next ▶]"), "@carol")[-1]
    assert "Campaign 0" in out and "Page 2 of 2 (9–9 of 9)" in out


async def test_review_pages_five_at_a_time(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    alice = await member_id(network, "Alice")
    async with network.sessions.begin() as session:
        for n in range(7):
            session.add(
                Report(
                    member_id=alice,
                    kind=ReportKind.MENTION,
                    subkind="press",
                    text=f"Article {n}",
                    created_at=START - timedelta(hours=n),
                )
            )
    out = said_to(await network.play("@carol /review"), "@carol")
    assert len([t for t in out if t.startswith("Mention #")]) == 5
    assert out[-1].startswith("Page 1 of 2 (1–5 of 7). 2 more on the next pages.")
    out = said_to(await network.play("@carol [Next ▶]"), "@carol")
    assert [t.split("—")[0] for t in out if t.startswith("Mention #")] == [
        "Mention #6 ",
        "Mention #7 ",
    ]
    assert out[-1].startswith("Page 2 of 2 (6–7 of 7). This is the last page.")
