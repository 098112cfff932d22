"""Nudging dormant members: the ladder, its caps and quiet hours, and every answer.

The network starts on Wednesday 4 March 2026, 10:00 in Paris (09:00 UTC); a member who
joins then and never acts is dormant 30 days later, on Friday 3 April at 11:00 (summer
time), when the hourly job sends the gentle nudge.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.models import Identity, Member, Nudge
from tests.support.harness import Network, NetworkFactory


@pytest.fixture
def network(network_factory: NetworkFactory) -> Network:
    return network_factory(network__default_language="en")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def ladder(network: Network, name: str) -> list[tuple[str, datetime]]:
    async with network.sessions() as session:
        rows = await session.execute(
            select(Nudge.step, Nudge.sent_at)
            .join(Member, Member.id == Nudge.member_id)
            .where(Member.display_name == name.capitalize())
            .order_by(Nudge.sent_at, Nudge.ordinal)
        )
        return [(str(step), sent) for step, sent in rows]


GENTLE_DUE = utc("2026-04-03T09:00")


async def test_the_ladder_gentle_personal_referent_then_silence(network: Network) -> None:
    await network.join("alice")
    assert "→ @alice" not in await network.play("~ +29d")
    out = await network.play("~ +1d")
    assert "→ @alice: " in out
    assert "Tell us in two taps?" in out or "One tap is enough" in out
    assert "[1] I did something  [2] I have a lead  [3] Remind me next week" in out
    await network.play("~ +14d")
    out = await network.play("~ +14d")
    assert await ladder(network, "alice") == [
        ("gentle", GENTLE_DUE),
        ("personal", GENTLE_DUE + timedelta(days=14)),
        ("referent", GENTLE_DUE + timedelta(days=28)),
    ]
    await network.play("~ +8w")
    assert len(await ladder(network, "alice")) == 3


async def test_the_personal_nudge_names_the_rank(network: Network) -> None:
    """A rank for a member with points; "not ranked yet" for one with none (not "#2",
    nor "#1" of a board nobody is on)."""
    await network.join("alice")
    await network.join("bob")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice https://news.test/one
        ~ +45d
        """
    )
    said = network.out.getvalue()
    assert "You are #1 among the Business ambassadors, all time." in said
    assert (
        "You are not ranked yet among the Business ambassadors: one action puts you on the board."
        in said
    )
    assert "You are #2" not in said


async def test_quiet_hours_wait_for_the_morning_in_the_members_zone(network: Network) -> None:
    network.clock.advance(timedelta(hours=12, minutes=30))  # 22:30 in Paris
    await network.join("night")
    await network.join("york")
    async with network.sessions.begin() as session:
        await session.execute(
            update(Member).where(Member.display_name == "York").values(timezone="America/New_York")
        )
    await network.play("~ +31d")
    # Due at 23:30 Paris: Paris waits for 09:00; New York (17:30) gets it at the next run.
    assert (await ladder(network, "night"))[0] == ("gentle", utc("2026-04-04T07:00"))
    assert (await ladder(network, "york"))[0] == ("gentle", utc("2026-04-03T22:00"))


async def test_remind_me_next_week_brings_the_next_nudge_a_week_later(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +30d")
    out = await network.play("@alice [Remind me next week]")
    assert "→ @alice: Noted: I will remind you next week." in out
    await network.play("~ +7d")
    assert await ladder(network, "alice") == [
        ("gentle", GENTLE_DUE),
        ("personal", GENTLE_DUE + timedelta(days=7)),
    ]


async def test_pause_for_a_month_then_the_ladder_goes_on(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +30d")
    out = await network.play("@alice [Pause for a month]")
    assert "→ @alice: Noted: no reminders until 03/05/2026." in out
    await network.play("~ +29d")
    assert len(await ladder(network, "alice")) == 1
    await network.play("~ +1d")
    assert (await ladder(network, "alice"))[1] == ("personal", GENTLE_DUE + timedelta(days=30))


async def test_stop_these_messages_is_final(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +30d")
    out = await network.play("@alice [Stop these messages]")
    assert "Noted: no more reminders. You can still report anytime with /report;" in out
    await network.play("~ +10w")
    assert len(await ladder(network, "alice")) == 1
    # The member's own data (/mydata) says so.
    from bot.members.privacy import my_data

    async with network.sessions() as session:
        alice = await session.scalar(select(Member).where(Member.display_name == "Alice"))
        assert alice is not None
        data = await my_data(session, alice)
    assert [(n["step"], n["answer"]) for n in data["nudges"]] == [("gentle", "stop")]
    assert data["nudge_preferences"]["stopped_at"] is not None


async def test_any_action_resets_the_ladder(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +30d")
    out = await network.play(
        """
        @alice [I did something]
        @alice [Settlement]
        @alice A film crew chose our old town
        """
    )
    assert "Great! Tell me what you did:" in out and "Your settlement is recorded." in out
    await network.play("~ +29d")
    assert len(await ladder(network, "alice")) == 1
    await network.play("~ +1d")
    assert await ladder(network, "alice") == [
        ("gentle", GENTLE_DUE),
        ("gentle", GENTLE_DUE + timedelta(days=30)),
    ]


async def test_i_have_a_lead_opens_the_signal_flow(network: Network) -> None:
    await network.join("alice")
    await network.play("~ +30d")
    out = await network.play("@alice [I have a lead]")
    assert "Great! Tell me about this opportunity:" in out
    assert "What kind of opportunity?" in out


async def test_at_most_one_nudge_a_week(network_factory: NetworkFactory) -> None:
    network = network_factory(network__default_language="en", nudges__personal_after_days="2")
    await network.join("alice")
    await network.play("~ +40d")
    steps = await ladder(network, "alice")
    assert steps[:2] == [("gentle", GENTLE_DUE), ("personal", GENTLE_DUE + timedelta(days=7))]


async def test_who_is_never_nudged(network_factory: NetworkFactory) -> None:
    network = network_factory(network__default_language="en")
    for name in ("carol", "alice", "bob"):
        await network.join(name)
    async with network.sessions.begin() as session:
        await session.execute(
            update(Identity)
            .where(Identity.user_id == "bob")
            .values(unreachable_at=network.clock.now())
        )
    approval = network_factory(network__default_language="en", network__registration="approval")
    await approval.join("pat")
    await network.play("~ +10w")
    assert await ladder(network, "carol") == []  # a coordinator
    assert await ladder(network, "bob") == []  # unreachable
    assert await ladder(network, "pat") == []  # pending
    assert len(await ladder(network, "alice")) == 3


async def test_only_the_member_may_answer_their_nudge(network: Network) -> None:
    await network.join("alice")
    await network.join("bob")
    await network.play("~ +30d")
    async with network.sessions() as session:
        nudge_id = await session.scalar(
            select(Nudge.id)
            .join(Member, Member.id == Nudge.member_id)
            .where(Member.display_name == "Alice")
        )
    from bot.core.port import Event

    press = Event(
        platform="console",
        user_id="bob",
        chat_id="bob",
        is_private=True,
        payload=f"nudge:stop:{nudge_id}",
    )
    await network.app.dispatch(press, network.console)
    assert "This button is no longer active." in network.out.getvalue().splitlines()[-1]


async def test_the_referent_digest_lists_dormant_members_to_contact(network: Network) -> None:
    await network.join("rita")
    await network.join("alice")
    await network.join("bob")
    for _week in range(9):  # Rita and Bob stay active
        await network.play(
            """
            @rita /report
            @rita [Mention]
            @rita [Conversation]
            @rita [Skip]
            @bob /report
            @bob [Mention]
            @bob [Conversation]
            @bob [Skip]
            ~ +7d
            """
        )
    out = network.out.getvalue()
    digest = out[out.rindex("→ @rita: Your weekly digest") :]
    assert "1 dormant member did not answer two nudges" in digest
    assert "• Alice: no action for" in digest
    assert "[1] Write to Alice  [2] Alice contacted" in digest
    assert "Actions: 2 mentions, 0 opportunity signals, 0 settlements." in digest
    out = await network.play(
        """
        @rita [Write to Alice]
        @rita We miss you at the breakfast on Friday!
        """
    )
    assert "Write your message to Alice; I will send it from you." in out
    assert "→ @alice: Rita, referent of the Business ambassadors, writes to you:" in out
    assert "We miss you at the breakfast on Friday!" in out
    assert "→ @rita: Sent to Alice." in out
    out = await network.play("~ +7d")
    assert "No dormant member waits for you this week." in out


async def test_marking_contacted_and_nudge_statistics(network: Network) -> None:
    await network.join("rita")
    await network.join("alice")
    await network.join("bob")
    await network.play("~ +30d")
    await network.play(
        """
        @bob [I did something]
        @bob [Settlement]
        @bob A family moved here
        @alice [Remind me next week]
        """
    )
    await network.play("~ +5w")
    out = await network.play("@rita [Alice contacted]")
    assert "Alice is marked as contacted." in out
    out = await network.play("@alice /nudges")
    assert "This command is for coordinators or referents." in out
    await network.join("carol")
    out = await network.play("@carol /nudges")
    assert "Nudges in the last 12 weeks, by wording:" in out
    assert "acted within 7 days" in out
    assert "Remind me next week 1" in out and "I did something 1" in out


async def test_configured_wordings_speak_the_members_language(network: Network) -> None:
    from bot.core.config import NudgeSettings, NudgeVariant

    variant = NudgeVariant.model_validate(
        {
            "key": "coffee",
            "gentle": {
                "fr": "{name}, un café pour {network} ?",
                "en": "{name}, coffee for {network}?",
            },
            "personal": {"fr": "{name}, et {category} ?", "en": "{name}, and {category}?"},
        }
    )
    nudges = NudgeSettings(variants=[variant])
    network = Network(
        network.engine, network.settings.model_copy(update={"nudges": nudges}), network.clock
    )
    await network.join("alice")
    await network.join("bruno", category="Entreprises", language="Français")
    out = await network.play("~ +30d")
    assert "→ @alice: Alice, coffee for Lyon Ambassadors?" in out
    assert "→ @bruno: Bruno, un café pour Lyon Ambassadors ?" in out
    assert "[1] J'ai fait quelque chose  [2] J'ai une piste" in out


def test_bad_schedules_and_wordings_name_their_key() -> None:
    from bot.core.config import ConfigError, load_settings
    from tests.support.paths import EXAMPLE_CONFIG

    with pytest.raises(ConfigError, match="jobs: leaderboard: 'monday 9h' is not a schedule"):
        load_settings(EXAMPLE_CONFIG, {"RELAIS_JOBS__LEADERBOARD": "monday 9h"})
    with pytest.raises(ConfigError, match=r"nudges\.quiet_start"):
        load_settings(EXAMPLE_CONFIG, {"RELAIS_NUDGES__QUIET_START": "25:00"})
    settings = load_settings(EXAMPLE_CONFIG, {"RELAIS_JOBS__CAMPAIGNS": "every 30s"})
    assert settings.jobs.schedule_of("campaigns") == "every 30s"
    assert settings.jobs.schedule_of("plan_reminders") == "every 1m"


async def test_open_plans_reach_the_personal_nudge_and_the_digest(network: Network) -> None:
    from bot.models import ActionPlan, Answer

    await network.join("rita")
    await network.join("alice")
    async with network.sessions.begin() as session:
        plan = ActionPlan(
            category="business",
            title_en="Share the spring fair",
            text_en="The spring fair opens on 20 April.",
            call_en="Post about it on LinkedIn",
            posted_at=network.clock.now(),
            window_ends_at=network.clock.now() + timedelta(days=60),
        )
        session.add(plan)
        await session.flush()
        rita = await session.scalar(select(Member.id).where(Member.display_name == "Rita"))
        assert rita is not None
        now = network.clock.now()
        session.add(
            Answer(
                subject=f"p{plan.id}", member_id=rita, answer="o", answered_at=now, changed_at=now
            )
        )
    await network.play("~ +44d")
    out = network.out.getvalue()
    assert "What your category does now: Share the spring fair — Post about it on LinkedIn" in out
    digest = out[out.rindex("→ @rita: Your weekly digest") :]
    assert "Open action plans and their answers:" in digest
    assert "• Share the spring fair: Done 0, I'm on it 1, Not for me 0" in digest


async def test_reminders_shows_the_state_and_turns_stopped_reminders_back_on(
    network: Network,
) -> None:
    await network.join("alice")
    out = await network.play("@alice /reminders")
    assert "Reminders are on" in out
    assert "[1] Pause for a month  [2] Stop these messages" in out
    await network.play("~ +30d")
    await network.play("@alice [Stop these messages]")
    out = await network.play("@alice /reminders")
    assert "Reminders are off (since 03/04/2026)." in out
    assert "[1] Turn reminders on" in out
    await network.play("~ +4w")
    assert len(await ladder(network, "alice")) == 1
    out = await network.play("@alice [Turn reminders on]")
    assert "Reminders are on" in out and "Saved." in out
    await network.play("~ +1h")
    # The ladder goes on where it stopped: the personal nudge is long due.
    assert [step for step, _sent in await ladder(network, "alice")] == ["gentle", "personal"]


async def test_reminders_pause_from_the_command_and_buttons_act_for_the_presser_only(
    network: Network,
) -> None:
    await network.join("alice")
    await network.join("bob")
    await network.play("@alice /reminders")
    out = await network.play("@alice [Pause for a month]")
    assert "Reminders are paused until 03/04/2026." in out
    out = await network.play("@bob /reminders")
    assert "Reminders are on" in out
    async with network.sessions() as session:
        from bot.models import NudgePreference

        rows = list(await session.scalars(select(NudgePreference)))
    assert len(rows) == 1 and rows[0].paused_until is not None
    out = await network.play("@alice /reminders")
    assert "[1] Turn reminders on  [2] Stop these messages" in out
    await network.play("~ +31d")
    # The pause ran out by itself: the gentle nudge comes, and /reminders says so.
    assert [step for step, _sent in await ladder(network, "alice")] == ["gentle"]
    assert "Reminders are on" in await network.play("@alice /reminders")
