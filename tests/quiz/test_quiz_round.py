"""The private quiz on the console: a round of unanswered questions with explanations,
points once for a first correct answer (a double press counts nothing), a sign of life,
results for referents and coordinators only (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.animation import quiz
from bot.models import Member, PointsEntry, QuizAnswer, QuizQuestion
from tests.support.harness import Network
from tests.support.people import count, said_to, with_roles


async def seed(network: Network) -> None:
    now = network.clock.now()
    async with network.sessions.begin() as session:
        for number, categories in ((1, []), (2, []), (3, ["business"]), (4, ["sport"])):
            session.add(
                QuizQuestion(
                    text_fr=f"Question {number} ?",
                    text_en=f"Question {number}?",
                    options_fr=["Oui", "Non"],
                    options_en=["Yes", "No"],
                    correct=[0],
                    explanation_fr=f"Parce que {number}.",
                    explanation_en=f"Because {number}.",
                    categories=categories,
                    created_at=now,
                )
            )


async def test_a_round_explains_each_answer_and_counts_first_answers_once(
    network: Network,
) -> None:
    network = with_roles(network)
    await network.join("carol")
    await network.join("alice")
    await network.join("sam", category="Sport")
    await seed(network)
    network.clock.advance(timedelta(hours=1))
    out = await network.play("@alice /quiz")
    alice = said_to(out, "@alice")
    assert alice[0].startswith("A little quiz about our territory")
    assert alice[1].startswith("Question 1 of 3\n\n❓ Question 1?\n\n1. Yes\n2. No")
    out = await network.play("@alice [2. No]")
    alice = said_to(out, "@alice")
    assert "Not quite: the answer was “Yes”.\nBecause 1." in alice
    assert any(text.startswith("Question 2 of 3") for text in alice)
    out = await network.play("@alice [1. Yes]")
    alice = said_to(out, "@alice")
    assert "Right!\n+2 points\nBecause 2." in alice
    assert any(text.startswith("Question 3 of 3\n\n❓ Question 3?") for text in alice)
    out = await network.play("@alice [1. Yes]")
    assert "That is all for this round. Send /quiz for another one." in said_to(out, "@alice")
    # The sport question is not hers: nothing left.
    out = await network.play("@alice /quiz")
    assert said_to(out, "@alice") == [
        "You have answered every question for now. New ones come regularly!"
    ]
    async with network.sessions() as session:
        points = list(await session.scalars(select(PointsEntry.points)))
        alice_row = await session.scalar(select(Member).where(Member.display_name == "Alice"))
    assert sorted(points) == [2, 2]
    assert alice_row is not None and alice_row.last_action_at == network.clock.now()
    assert await count(network, QuizAnswer) == 3
    # Sam's round: the two general questions and his category's.
    out = await network.play("@sam /quiz\n@sam [1. Yes]")
    assert "Right!\n+2 points\nBecause 1." in said_to(out, "@sam")
    # The same press delivered again (a double click on a platform that keeps the
    # buttons) counts nothing more.
    async with network.sessions.begin() as session:
        sam_row = await session.scalar(select(Member).where(Member.display_name == "Sam"))
        first = await session.scalar(select(QuizQuestion).order_by(QuizQuestion.id))
        assert sam_row is not None and first is not None
        again = await quiz.record(
            session, network.settings, sam_row, first, [0], source="channel",
            now=network.clock.now(),
        )  # fmt: skip
    assert again == quiz.Outcome(correct=True, first=False, points=0)
    assert await count(network, PointsEntry) == 3
    # Results: referents and coordinators only, least known first, counts only.
    out = await network.play("@alice /quizresults")
    assert "Quiz results" not in out and said_to(out, "@alice")
    out = await network.play("@carol /quizresults")
    carol = said_to(out, "@carol")[-1]
    assert carol.startswith(
        "Quiz results, least known first:\n• #1 Question 1?\n  1 of 2 answers correct (50%)\n"
        "    Business: 0 of 1 answer correct (0%)\n    Sport: 1 of 1 answer correct (100%)\n"
    )
    assert "• #4 Question 4?\n  no answer yet" in carol
    assert "alice" not in carol and "sam" not in carol
    # One category: its questions, its members' answers.
    out = await network.play("@carol /quizresults sport")
    carol = said_to(out, "@carol")[-1]
    assert "• #1 Question 1?\n  1 of 1 answer correct (100%)" in carol
    assert "Question 3?" not in carol and "Business:" not in carol


async def test_retiring_a_question(network: Network) -> None:
    network = with_roles(network)
    await network.join("carol")
    await network.join("rita")  # referent of business
    await network.join("alice")
    await seed(network)
    out = await network.play("@rita /quizretire 1")  # for everyone: coordinators only
    assert "Only coordinators may retire a question for other categories." in out
    out = await network.play("@rita /quizretire 3")  # business's own
    assert "Retired question #3: “Question 3?”." in out
    out = await network.play("@alice /quizretire 2")
    assert "Retired" not in out
    for typed in ("/quizretire", "/quizretire x", "/quizretire 99", "/quizretire 3"):
        out = await network.play(f"@carol {typed}")
        assert "Retired question" not in out
    assert "There is no quiz question #99." in await network.play("@carol /quizretire 99")
    assert "Question #3 was already retired." in await network.play("@carol /quizretire 3")
    out = await network.play("@carol /quizretire #1")
    assert "Retired question #1" in out
    out = await network.play("@carol /quizresults")
    assert "Question 1?" not in out and "Question 3?" not in out and "#2 Question 2?" in out
    out = await network.play("@alice /quiz")
    assert any(
        text.startswith("Question 1 of 1\n\n❓ Question 2?") for text in said_to(out, "@alice")
    )  # 1 and 3 are asked no more
    async with network.sessions() as session:
        retired = list(
            await session.scalars(
                select(QuizQuestion.id).where(QuizQuestion.retired_at.is_not(None))
            )
        )
    assert sorted(retired) == [1, 3]


async def test_onboarding_is_off_by_default(network: Network) -> None:
    assert network.settings.quiz.onboarding is False
    await seed(network)
    out = await network.join("alice")
    assert "quiz" not in out.lower()


async def test_onboarding_offers_a_round_when_on(network: Network) -> None:
    quiz_settings = network.settings.quiz.model_copy(update={"onboarding": True})
    network = with_roles(network, quiz=quiz_settings)
    await seed(network)
    out = await network.join("alice")
    assert "Want to discover the territory? A short quiz, nothing to lose." in out
    out = await network.play("@alice [Take the quiz]")
    assert any(text.startswith("Question 1 of 3") for text in said_to(out, "@alice"))


async def test_coordinators_and_referents_write_questions(network: Network) -> None:
    network = with_roles(network)
    await network.join("carol")
    await network.join("rita")
    await network.join("alice")
    out = await network.play(
        """
        @carol /quizadd
        @carol [Everyone]
        @carol Which river runs through Roanne?
        @carol The Rhône | The Loire
        @carol [The Loire]
        @carol [Skip]
        """
    )
    preview = said_to(out, "@carol")[-1]
    assert preview.startswith(
        "Preview:\n❓ Which river runs through Roanne?\n\n1. The Rhône\n2. The Loire\n\n"
        "Correct: The Loire"
    )
    out = await network.play("@carol [Save the question]")
    assert "Saved. It can come up in /quiz and in the question of the week." in out
    async with network.sessions() as session:
        saved = await session.scalar(select(QuizQuestion))
    assert saved is not None
    assert (saved.text_en, saved.options_en, saved.correct) == (
        "Which river runs through Roanne?",
        ["The Rhône", "The Loire"],
        [1],
    )
    assert saved.text_fr == "" and saved.categories == []
    # A referent writes for their category only; a member may not write.
    out = await network.play("@rita /quizadd")
    assert "[1] Business  [2] Cancel" in out and "Everyone" not in out
    out = await network.play("@alice /quizadd")
    assert "A new quiz question" not in out
    out = await network.play("@alice /quiz\n@alice [2. The Loire]")
    assert "Right!\n+2 points" in said_to(out, "@alice")
