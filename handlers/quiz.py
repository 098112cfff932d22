"""The quiz, privately: ``/quiz`` gives a short round of questions the member has not
answered yet, the explanation after each answer, and the next question. Learning, not an
exam: a wrong answer costs nothing and nobody else sees it; only the first answer to a
question counts (:mod:`bot.animation.quiz`). The same buttons answer a question posted in a
channel; the answer and explanation then come privately (ephemeral on Discord).

``/quizadd`` writes one question (:mod:`handlers._quiz_add`). ``/quizresults`` shows
referents and coordinators, per question, how many answered and the share of correct
answers, the least known first, and the same per category: the talking points the network
does not know yet. Counts only, never who answered what. ``/quizretire`` stops asking a
question.
"""

from __future__ import annotations

from bot.animation import quiz, quiz_buttons, quiz_posts
from bot.animation.quiz_buttons import QuizPress
from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core import audit, ids
from bot.members import roles
from bot.models import MemberStatus, QuizQuestion, Role
from handlers import _quiz_add as add
from handlers._labels import category_name

router = Router("quiz")
router.flow(add.ADD)


def _ask(ctx: Context, question: QuizQuestion, number: int, total: int) -> None:
    asked = quiz.asked(question, ctx.language, ctx.settings.network.default_language)
    header = ctx._("Question {n} of {total}", n=number, total=total)
    ctx.reply(
        quiz_buttons.text(asked, header),
        quiz_buttons.buttons(question.id, asked, left=total - number),
    )


@router.command("quiz")
async def start_round(ctx: Context) -> None:
    """A short round of questions the member never answered."""
    assert ctx.member is not None
    questions = await quiz.unanswered(ctx.session, ctx.member, ctx.settings.quiz.round_size)
    if not questions:
        ctx.reply(ctx._("You have answered every question for now. New ones come regularly!"))
        return
    ctx.reply(
        ctx._(
            "A little quiz about our territory: no trap, nothing lost with a wrong answer, "
            "and nobody else sees your answers."
        )
    )
    _ask(ctx, questions[0], 1, len(questions))


@router.button(QuizPress, access=Access.ACTIVE)
async def answered(ctx: Context, press: QuizPress) -> None:
    """Count the member's first answer, explain, and ask the round's next question."""
    assert ctx.member is not None
    question = await ctx.session.get(QuizQuestion, press.question_id)
    if question is None or question.retired_at is not None:
        ctx.reply_private(ctx._("This question is no longer active."))
        return
    if not quiz.concerns(question, ctx.member.category):
        ctx.reply_private(ctx._("This question is for other categories."))
        return
    asked = quiz.asked(question, ctx.language, ctx.settings.network.default_language)
    if press.option >= len(asked.options):
        ctx.reply_private(ctx._("This button is no longer active."))
        return
    now = ctx.clock.now()
    outcome = await quiz.record(
        ctx.session,
        ctx.settings,
        ctx.member,
        question,
        [press.option],
        source="private" if ctx.event.is_private else "channel",
        now=now,
    )
    ctx.reply_private(_verdict(ctx, question, asked, outcome))
    if ctx.event.is_private:
        ctx.edit_pressed(quiz_buttons.text(asked) + "\n\n→ " + asked.options[press.option])
        await _next(ctx, press.left)


def _verdict(ctx: Context, question: QuizQuestion, asked: quiz.Asked, outcome: quiz.Outcome) -> str:
    right = ", ".join(asked.options[i] for i in question.correct if i < len(asked.options))
    if not outcome.first:
        lines = [ctx._("You had already answered this question: only your first answer counts.")]
    elif outcome.correct:
        lines = [ctx._("Right!")]
        if outcome.points:
            lines.append(ctx.ngettext("+{n} point", "+{n} points", outcome.points))
    else:
        lines = [ctx._("Not quite: the answer was “{answer}”.", answer=right)]
    if asked.explanation:
        lines.append(asked.explanation)
    return "\n".join(lines)


async def _next(ctx: Context, left: int) -> None:
    assert ctx.member is not None
    if left <= 0:
        ctx.reply(ctx._("That is all for this round. Send /quiz for another one."))
        return
    following = await quiz.unanswered(ctx.session, ctx.member, 1)
    if not following:
        ctx.reply(ctx._("You have answered every question for now. New ones come regularly!"))
        return
    total = ctx.settings.quiz.round_size
    _ask(ctx, following[0], max(1, total - left + 1), max(total, left))


@router.poll_answered
async def poll_answered(ctx: Context) -> None:
    """A Telegram quiz poll answered: the member's first answer counts, silently
    (Telegram itself shows right or wrong and the explanation). Strangers, applicants
    and a poll Relais did not post count nothing; a redelivered ``poll_answer`` meets the
    one-answer constraint."""
    assert ctx.event.poll_answer is not None
    poll_id, chosen = ctx.event.poll_answer
    member = ctx.member
    if member is None or member.status is not MemberStatus.ACTIVE or not chosen:
        return  # a retracted vote (no option) changes nothing either
    post = await quiz_posts.by_poll(ctx.session, ctx.event.platform, poll_id)
    question = await ctx.session.get(QuizQuestion, post.question_id) if post else None
    if question is None or not quiz.concerns(question, member.category):
        return
    await quiz.record(
        ctx.session, ctx.settings, member, question, chosen, source="poll", now=ctx.clock.now()
    )


@router.command("quizadd")
async def add_question(ctx: Context) -> None:
    """Write one question (coordinators: for anyone; referents: for their categories)."""
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    if not mine:
        ctx.reply(ctx._("You are not a referent of any category yet."))
        return
    if not ctx.move_to_private():
        return
    data: dict[str, object] = {
        "mine": mine,
        "all": ctx.member.role is Role.COORDINATOR,
        "language": ctx.language,
    }
    await flows.begin(ctx, add.ADD, "scope", data)


@router.command("quizresults")
async def results(ctx: Context) -> None:
    """Per question: answers and share correct, the least known first, and the same per
    category (coordinators: every category; referents: their own)."""
    assert ctx.member is not None
    category = ctx.event.args[0].strip() if ctx.event.args else None
    keys = {c.key for c in ctx.settings.categories}
    if category and category not in keys:
        ctx.refuse(ctx._("Unknown category: {key}.", key=category))
        return
    found = await quiz.results(ctx.session, category or None)
    if not found:
        ctx.reply(ctx._("No quiz question yet: import some with relais import quiz FILE."))
        return
    mine = set(await roles.categories_of(ctx.session, ctx.settings, ctx.member))
    lines = [ctx._("Quiz results, least known first:")]
    for result in found:
        asked = quiz.asked(result.question, ctx.language, ctx.settings.network.default_language)
        figures = _figures(ctx, result.answers, result.correct)
        lines.append(f"• #{result.question.id} {asked.text}\n  {figures}")
        if category is None:
            for key, (answers, correct) in result.by_category.items():
                if key in mine:
                    name = category_name(ctx, key)
                    lines.append(f"    {name}: {_figures(ctx, answers, correct)}")
    lines.append(ctx._("/quizretire NUMBER stops asking a question."))
    ctx.reply("\n".join(lines))


def _figures(ctx: Context, answers: int, correct: int) -> str:
    if not answers:
        return ctx._("no answer yet")
    return ctx.ngettext(
        "{correct} of {n} answer correct ({share}%)",
        "{correct} of {n} answers correct ({share}%)",
        answers,
        correct=correct,
        share=round(100 * correct / answers),
    )


@router.command("quizretire")
async def retire(ctx: Context) -> None:
    """Stop asking a question: coordinators any, referents those of their categories."""
    assert ctx.member is not None
    number = ids.row_id(ctx.event.args[0]) if len(ctx.event.args) == 1 else None
    if number is None:
        ctx.refuse(ctx._("Usage: /quizretire NUMBER (the number /quizresults shows)."))
        return
    question = await ctx.session.get(QuizQuestion, number)
    if question is None:
        ctx.refuse(ctx._("There is no quiz question #{number}.", number=number))
        return
    mine = set(await roles.categories_of(ctx.session, ctx.settings, ctx.member))
    if ctx.member.role is not Role.COORDINATOR and not (
        question.categories and set(question.categories) <= mine
    ):
        ctx.refuse(ctx._("Only coordinators may retire a question for other categories."))
        return
    asked = quiz.asked(question, ctx.language, ctx.settings.network.default_language)
    if not quiz.retire(question, ctx.clock.now()):
        ctx.reply(ctx._("Question #{number} was already retired.", number=number))
        return
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="quiz.retire",
        question_id=question.id,
    )  # fmt: skip
    ctx.reply(
        ctx._(
            "Retired question #{number}: “{text}”. It is asked no more; the answers already "
            "given stay counted.",
            number=number,
            text=asked.text,
        )
    )
