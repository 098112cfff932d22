"""Action plans: posted where the category is bound, answered once per member, "Done"
credited once and turned into a linked report, one reminder on the due date."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.port import Address, Event
from bot.models import ActionPlan, Answer, AuditEntry, Member, MemberStatus, PointsEntry, Report
from tests.support.fakes import RecordingPlatform
from tests.support.harness import Network
from tests.support.people import count, member_id, said_to, with_roles

PLAN = """
@rita /plan
@rita Share the festival video
@rita The festival made a video of the city. Let us make it travel.
@rita Share it on LinkedIn this week
@rita {due}
@rita [Confirm]
"""


async def plan_network(network: Network) -> Network:
    network = with_roles(
        network, referents={"business": ["console:rita"], "sport": ["console:sam"]}
    )
    await network.join("carol")
    await network.join("rita", category="Sport")
    await network.join("sam", category="Sport")
    for name in ("alice", "bob", "cleo", "dave"):
        await network.join(name)
    return network


async def answers(network: Network) -> dict[str, str]:
    async with network.sessions() as session:
        rows = await session.execute(select(Answer.member_id, Answer.answer))
        return {str(member): answer for member, answer in rows}


async def test_plan_goes_to_every_bound_channel_and_answers_count_once(network: Network) -> None:
    network = await plan_network(network)
    telegram = RecordingPlatform("telegram")
    network.app.attach(telegram)
    async with network.sessions.begin() as session:
        from bot.delivery import channels

        await channels.bind(
            session, Address("telegram", "-100", "5"), "category:business", by=None,
            now=network.clock.now(),
        )  # fmt: skip
    out = await network.play(PLAN.format(due="06/03/2026"))
    assert "Preview — this is how it will look in the channel:" in out
    post = said_to(out, "#business")[-1]
    assert post.startswith("📌 Share the festival video\n\nThe festival made a video")
    assert "→ Share it on LinkedIn this week\nÀ faire avant le 06/03/2026" in post
    assert "— Rita, pour les ambassadeurs Entreprises" in post
    assert post.endswith("[1] Fait  [2] Je m'en occupe  [3] Pas pour moi")
    assert telegram.by_chat["-100"] == [post.rsplit("\n", 1)[0]]
    assert telegram.sent[0].address == Address("telegram", "-100", "5")
    assert await count(network, AuditEntry, AuditEntry.action == "plan.publish") == 1
    out = await network.play(
        """
        @alice #business [Je m'en occupe]
        @alice #business [Je m'en occupe]
        @alice #business [Fait]
        @alice https://www.linkedin.test/posts/1
        @alice #business [Pas pour moi]
        @alice #business [Fait]
        @alice #business [Fait]
        @bob #business [Je m'en occupe]
        @cleo #business [Pas pour moi]
        """
    )
    alice_said = said_to(out, "@alice")
    assert alice_said[0] == "Your answer: I'm on it. Thank you!"
    assert alice_said[1] == "You had already answered: I'm on it."
    # One message: the answer and the invitation to report it.
    assert alice_said[2].startswith(
        "Your answer: Done. Thank you!\n+5 points\n\nWell done! To count it as a report"
    )
    assert alice_said[3] == "Thank you! It is recorded with your answer."
    assert alice_said[4:] == [
        "Your answer: Not for me. Thank you!\nThe 5 points of “Done” are withdrawn.",
        "Your answer: Done. Thank you!\n+5 points",  # held again, once; no second prompt
        "You had already answered: Done.",
    ]
    alice, bob, cleo = [await member_id(network, n) for n in ("Alice", "Bob", "Cleo")]
    assert await answers(network) == {str(alice): "d", str(bob): "o", str(cleo): "n"}
    # +5, a compensating −5, +5: never edited, never more than one "Done" held.
    async with network.sessions() as session:
        ledger = list(
            await session.scalars(
                select(PointsEntry.points)
                .where(PointsEntry.reason == "plan")
                .order_by(PointsEntry.id)
            )
        )
    assert ledger == [5, -5, 5]
    async with network.sessions() as session:
        report = await session.scalar(select(Report))
        assert report is not None
        assert (report.member_id, report.subject, report.url) == (
            alice, "p1", "https://www.linkedin.test/posts/1",
        )  # fmt: skip
    # Results: the referent of the category, by category, who answered what.
    out = await network.play(
        """
        @rita /plans
        @rita [Results #1]
        """
    )
    assert "#1 “Share the festival video” — Business — 04/03/2026 — Done 1 · I'm on it 1" in out
    results = said_to(out, "@rita")[-1]
    # carol, the coordinator, is counted apart
    assert "Targeted: 4 members; acted (reported by 07/03/2026 00:00): 1" in results
    assert "+ 1 coordinator or author, not counted" in results
    assert "Done: 1 · I'm on it: 1 · Not for me: 1" in results
    assert "• Business: 4 targeted, 1 acted — Done 1, I'm on it 1, Not for me 1" in results
    assert f"Done: Alice #{alice}\nI'm on it: Bob #{bob}\nNot for me: Cleo #{cleo}" in results


async def test_a_referent_posts_to_their_own_categories_only(network: Network) -> None:
    network = await plan_network(network)
    out = await network.play(
        """
        @sam /plan business
        @sam /plans business
        @alice /plan
        """
    )
    assert said_to(out, "@sam") == ["You are not a referent of this category."] * 2
    assert said_to(out, "@alice") == ["This command is for coordinators or referents."]
    await network.play(PLAN.format(due="[Skip]"))
    event = Event(
        platform="console", user_id="sam", user_name="Sam", chat_id="sam", is_private=True,
        payload="res:p1",
    )  # fmt: skip
    await network.app.dispatch(event, network.console)
    assert network.out.getvalue().endswith("→ @sam: You are not a referent of this category.\n")
    # A coordinator may post anywhere, choosing the category.
    out = await network.play(
        """
        @carol /plan
        @carol [Sport]
        @carol Come to the derby
        @carol The club offers seats to ambassadors.
        @carol Ask for your seat
        @carol [Skip]
        @carol [Confirm]
        """
    )
    assert said_to(out, "#sport")[-1].startswith("📌 Come to the derby")


async def test_on_the_due_date_those_on_it_get_one_reminder(network: Network) -> None:
    network = await plan_network(network)
    await network.play(PLAN.format(due="06/03"))
    out = await network.play(
        """
        @alice #business [Je m'en occupe]
        @bob #business [Je m'en occupe]
        @cleo #business [Pas pour moi]
        @alice #business [Fait]
        @alice [Skip]
        ~ +1d
        ~ +22h
        """
    )
    assert "Reminder" not in out  # Friday 08:00: not yet
    out = await network.play("~ +1h")
    assert said_to(out, "@bob") == [
        "Reminder: today is the due date of “Share the festival video”. You said you were "
        "on it — is it done?\n[1] Done  [2] Not for me"
    ]
    assert "@alice" not in out and "@cleo" not in out
    restarted = await network.restarted()
    out = await restarted.play(
        """
        ~ +1h
        ~ +1d
        """
    )
    assert "Reminder" not in out
    out = await network.play("@bob [Done]")  # on the reminder, shown by the first console
    assert said_to(out, "@bob")[0].startswith("Your answer: Done. Thank you!\n+5 points\n\n")
    async with network.sessions() as session:
        plan = await session.scalar(select(ActionPlan))
        assert plan is not None and plan.reminded_at is not None


async def test_targeted_counts_whom_the_plan_addressed_and_says_who_is_apart(
    network: Network,
) -> None:
    """Three imports who never joined and the coordinator are not "targeted" but said
    apart; an answer from another category (stored before such presses were refused)
    counts neither in /plans nor in Results: both read one count."""
    network = await plan_network(network)  # business: carol (coordinator), alice…dave
    await network.play(PLAN.format(due="06/03/2026"))
    now = network.clock.now()
    async with network.sessions.begin() as session:
        for n in range(3):
            session.add(
                Member(
                    display_name=f"Imported {n}",
                    status=MemberStatus.ACTIVE,
                    category="business",
                    language="fr",
                    sponsor_code=f"IMP{n:04d}",
                    invite_code=f"INV{n:04d}",
                    import_key=f"imported-{n}@example.test",
                    joined_at=now,
                )
            )
        sam = await session.scalar(select(Member.id).where(Member.display_name == "Sam"))
        assert sam is not None
        session.add(
            Answer(subject="p1", member_id=sam, answer="d", answered_at=now, changed_at=now)
        )
    out = await network.play(
        """
        @alice #business [Fait]
        @rita /plans
        @rita [Results #1]
        """
    )
    assert "— Done 1 · I'm on it 0 · Not for me 0" in out  # /plans: not Sam's answer
    results = said_to(out, "@rita")[-1]
    assert "Targeted: 4 members;" in results  # alice, bob, cleo, dave
    assert "+ 3 not reachable yet: imported, never joined" in results
    assert "+ 1 coordinator or author, not counted" in results  # carol
    assert "Done: 1 · I'm on it: 0 · Not for me: 0" in results
    assert "Sam" not in results
