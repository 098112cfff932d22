"""Every surface that counts activity agrees with one count written here by hand.

One network is seeded through the real domain functions (reports, a review, a plan,
answers of each kind) over a hundred days; then /stats' numbers and text, the weekly
post's shares and chart data, a referent's digest, the nudge candidates, plan results,
/members and the member export are each compared with a count made in plain Python over
the seed below — never with :mod:`bot.activity.engagement`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.activity import reports, review, stats, weekly
from bot.animation import calls, nudging, plans, results
from bot.animation.calls import Choice, Subject
from bot.cli import exporter
from bot.core.bilingual import Bilingual
from bot.models import (
    ActionPlan,
    Identity,
    Member,
    MemberStatus,
    Nudge,
    NudgeStep,
    ReferentCategory,
    ReportKind,
    Role,
)
from jobs import digest
from tests.support.harness import START, Network

DAYS = 30  # nudges.dormant_days in the example config
NOW = START + timedelta(days=100)


@dataclass
class Person:
    name: str
    category: str
    role: Role = Role.MEMBER
    claimed: bool = True
    #: (day, kind, rejected) of each report.
    reports: list[tuple[int, ReportKind, bool]] = field(default_factory=list)
    #: (day, choice) of an answer to the business plan.
    answer: tuple[int, Choice] | None = None
    #: Days on which the person did a referent's work (posting the plan, reviewing).
    work: list[int] = field(default_factory=list)


PLAN_DAY = 90
MENTION, SETTLEMENT = ReportKind.MENTION, ReportKind.SETTLEMENT
PEOPLE = [
    Person("Alice", "business", reports=[(90, MENTION, False), (91, SETTLEMENT, False)]),
    Person("Bob", "business", reports=[(90, ReportKind.MENTION, True)]),  # rejected at 92
    Person("Dan", "business", answer=(93, Choice.ON_IT)),
    Person("Eve", "business", answer=(93, Choice.NOT_FOR_ME)),
    Person("Fay", "business", answer=(94, Choice.DONE)),
    Person("Rita", "business", Role.REFERENT, work=[PLAN_DAY, 92]),
    Person("Dora", "business"),
    Person("Carol", "business", Role.COORDINATOR),
    Person("Ivy", "business", claimed=False),  # imported, never claimed
    Person("Chloe", "sport", reports=[(91, SETTLEMENT, False), (98, MENTION, False)]),
    Person("Gus", "sport", reports=[(40, ReportKind.SETTLEMENT, False)]),
]  # fmt: skip


def at(day: int) -> datetime:
    return START + timedelta(days=day)


# -- the count by hand ----------------------------------------------------------------


def last_sign(person: Person) -> int | None:
    days = [day for day, _kind, _rejected in person.reports] + person.work
    if person.answer:
        days.append(person.answer[0])
    return max(days) if days else None


def state(person: Person) -> str:
    if not person.claimed:
        return "never_activated"
    last = last_sign(person)
    quiet_since = last if last is not None else 0  # everyone joined on day 0
    return "dormant" if 100 - quiet_since >= DAYS else "active"


def actions(start: datetime, end: datetime, category: str | None = None) -> list[str]:
    return [
        person.name
        for person in PEOPLE
        for day, _kind, rejected in person.reports
        if not rejected and start <= at(day) < end and category in (None, person.category)
    ]


# -- the seed, through the domain functions --------------------------------------------


async def seed(network: Network) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with network.sessions.begin() as session:
        for person in PEOPLE:
            member = Member(
                display_name=person.name,
                status=MemberStatus.ACTIVE,
                role=person.role,
                category=person.category,
                language="en",
                sponsor_code=f"S{person.name.upper()}",
                joined_at=START,
                consent_at=START if person.claimed else None,
                consent_version="1" if person.claimed else None,
                invite_code=None if person.claimed else f"I{person.name.upper()}",
            )
            session.add(member)
            await session.flush()
            ids[person.name] = member.id
            if person.claimed:
                name = person.name.lower()
                session.add(
                    Identity(
                        platform="console", user_id=name, member_id=member.id, private_chat_id=name
                    )
                )
        session.add(
            ReferentCategory(member_id=ids["Rita"], category="business", appointed_at=START)
        )
        # An old referent rung for Dora and one for Rita, as the ladder wrote them when
        # both were quiet since joining.
        for name in ("Dora", "Rita"):
            session.add(
                Nudge(
                    member_id=ids[name],
                    spell_start=START,
                    ordinal=1,
                    step=NudgeStep.REFERENT,
                    sent_at=at(89),
                )
            )
    events: list[tuple[int, str, Person]] = []
    for person in PEOPLE:
        events += [(day, "report", person) for day, _k, _r in person.reports]
        events += [
            (day, "answer", person) for day, _c in ([person.answer] if person.answer else [])
        ]
    events.append((PLAN_DAY, "plan", PEOPLE[5]))
    events.append((92, "review", PEOPLE[5]))
    plan_id = 0
    bob_mention = 0
    for day, what, person in sorted(events, key=lambda e: (e[0], e[1] != "plan")):
        network.clock.advance(at(day) - network.clock.now())
        async with network.sessions.begin() as session:
            member = await session.get(Member, ids[person.name])
            assert member is not None
            now = network.clock.now()
            if what == "plan":
                draft = plans.Draft(
                    "business",
                    Bilingual(en="Speak up"),
                    Bilingual(en="Text"),
                    Bilingual(en="Post about it"),
                    None,
                )
                plan, _queued = await plans.publish(
                    session, network.settings, network.app.translator, draft=draft,
                    author_id=member.id, author_name=member.display_name, platforms=[], now=now,
                )  # fmt: skip
                plan_id = plan.id
            elif what == "review":
                pending = await review.load(session, bob_mention)
                assert pending is not None
                await review.decide(session, network.clock, pending, member, review.REJECTED)
            elif what == "answer":
                assert person.answer is not None
                await calls.record(
                    session, network.settings, member=member, subject=Subject(plan_id=plan_id),
                    choice=person.answer[1], now=now,
                )  # fmt: skip
            else:
                kind = next(k for d, k, _r in person.reports if d == day)
                url = f"https://news.test/{person.name}/{day}"
                recorded = await reports.record(
                    session, network.settings, network.clock, member, kind=kind,
                    subkind="press" if kind is MENTION else None,
                    url=url if kind is MENTION else None,
                )  # fmt: skip
                if person.name == "Bob":
                    bob_mention = recorded.report.id
    network.clock.advance(NOW - network.clock.now())
    ids["plan"] = plan_id
    return ids


# -- the surfaces -----------------------------------------------------------------------


async def test_every_surface_counts_what_the_seed_says(network: Network) -> None:
    ids = await seed(network)
    zone = network.settings.network.timezone
    by_name = {person.name: person for person in PEOPLE}
    expected_state = {person.name: state(person) for person in PEOPLE}
    # The hand count itself, so that a wrong seed cannot pass unnoticed.
    assert expected_state == {
        "Alice": "active", "Bob": "active", "Dan": "active", "Eve": "active", "Fay": "active",
        "Rita": "active", "Dora": "dormant", "Carol": "dormant", "Ivy": "never_activated",
        "Chloe": "active", "Gus": "dormant",
    }  # fmt: skip
    week = weekly.last_week(NOW, zone)
    async with network.sessions() as session:
        # /stats' numbers.
        numbers = await stats.compute(session, NOW, zone, days=DAYS)
        for category in ("business", "sport"):
            people = [p for p in PEOPLE if p.category == category]
            assert numbers.active_by_category.get(category, 0) == sum(
                expected_state[p.name] == "active" for p in people
            )
            assert numbers.dormant_in(category) == sum(
                expected_state[p.name] == "dormant" for p in people
            )
        assert numbers.never_activated == 1
        assert numbers.funnel.acted_once == len(set(actions(START, NOW)))
        last, current = numbers.trend[-2], numbers.trend[-1]
        assert (last.actions, last.actors) == (
            len(actions(week.start, week.end)),
            len(set(actions(week.start, week.end))),
        )
        assert last.complete and not current.complete
        assert current.actions == len(actions(week.end, NOW))

        # The weekly post's shares and the chart's data.
        shares = await weekly.active_share(session, week)
        weeks = weekly.weeks_before(week, 8, zone)
        trend = await weekly.actions_per_week(session, weeks)
        for category in ("business", "sport"):
            members = sum(p.category == category for p in PEOPLE)
            assert shares[category] == (
                len(set(actions(week.start, week.end, category))),
                members,
            )
            assert trend.get(category, [0] * 8) == [
                len(actions(w.start, w.end, category)) for w in weeks
            ]
            # /stats of the category says the same week the same way.
            own = await stats.compute(session, NOW, zone, category, days=DAYS)
            assert own.trend[-2].actors == shares[category][0]
            assert own.trend[-2].actions == trend.get(category, [0] * 8)[-1]
        kinds = await weekly.actions_by_kind(session, week, "business")
        assert kinds == {ReportKind.MENTION: 1, ReportKind.SETTLEMENT: 1}

        # Rita's digest: the week's actions, Dora waiting for a word, never Rita herself.
        rita = await session.get(Member, ids["Rita"])
        assert rita is not None
        message = await digest.compose(network.app, session, rita, ["business"], week, NOW)
        assert "Actions: 1 mention, 0 opportunity signals, 1 settlement." in message.text
        listed = [
            line
            for line in message.text.splitlines()
            if line.startswith("• ") and "no action" in line
        ]
        assert listed == ["• Dora: no action for 100 days"]
        written_to = [button.label for row in message.buttons for button in row]
        assert written_to == ["Write to Dora", "Dora contacted"]

        # The nudge ladder: dormant, claimed, not a coordinator, no rung in this spell.
        due = await nudging.due(session, network.settings, NOW, ["console"])
        assert [rung.member.display_name for rung in due] == [
            p.name for p in PEOPLE
            if expected_state[p.name] == "dormant" and p.role is not Role.COORDINATOR
            and p.name != "Dora"  # her spell already reached the referent step
        ]  # fmt: skip

        # The plan's results: business members it addressed with an action in its window.
        plan = await session.get(ActionPlan, ids["plan"])
        assert plan is not None
        plan_results = await results.compute(
            session,
            subject=f"p{ids['plan']}",
            call=plans.call(plan),
            categories=["business"],
            start=at(PLAN_DAY),
            end=at(PLAN_DAY + 7),
        )
        addressed = {p.name for p in PEOPLE if p.claimed and p.role is Role.MEMBER}
        assert plan_results.categories[0].acted == len(
            set(actions(at(PLAN_DAY), at(PLAN_DAY + 7), "business")) & addressed
        )

        # The member export.
        exported = {
            row["name"]: row["engagement"]
            async for chunk in exporter.rows(session, "members", None, zone, at=NOW, days=DAYS)
            for row in chunk
        }
        assert exported == expected_state

        referents = list(
            await session.scalars(select(Member.display_name).where(Member.role == Role.REFERENT))
        )
        assert referents == ["Rita"]

    # /members and /stats as a coordinator reads them.
    out = await network.play("@carol /members business")
    business = [p for p in PEOPLE if p.category == "business"]
    count = {
        s: sum(expected_state[p.name] == s for p in business)
        for s in ("active", "dormant", "never_activated")
    }
    assert (
        f"Active: {count['active']}; dormant: {count['dormant']}; "
        f"never activated: {count['never_activated']}" in out
    )
    assert f"#{ids['Dora']} Dora — Business · dormant" in out
    assert f"#{ids['Ivy']} Ivy — Business · never activated" in out
    assert f"#{ids['Alice']} Alice — Business\n" in out
    out = await network.play("@carol /stats")
    states = list(expected_state.values())
    members = len(PEOPLE)
    active = states.count("active")
    assert (
        f"Active: {active} of {members} ({round(100 * active / members)}%); dormant (no sign "
        f"of life for 30 days): {states.count('dormant')}; never activated (imported, not "
        f"claimed): 1" in out
    )
    assert (
        f"Referents and coordinators with no sign of life for 30 days: #{ids['Carol']} Carol" in out
    )
    assert by_name["Rita"].role is Role.REFERENT
