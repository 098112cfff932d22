"""``/quizadd``: one quiz question written in the chat, in its author's language.

Coordinators write for everyone or one category, referents for their own categories
(the gate lets referents in; the categories offered are theirs). Steps: who it is for,
the question, the options (one a line, 2 to 10), the correct one, an optional
explanation, then a preview to save or cancel. The same checks as ``relais import quiz``
(:func:`bot.animation.quiz.check`); a question in both languages comes from the file.
"""

from __future__ import annotations

from bot.animation import quiz, quiz_buttons
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.models import Conversation, Role
from bot.models.quiz import MAX_OPTIONS, MIN_OPTIONS
from handlers._labels import category_name

EVERYONE = "all"
SAVE = "save"


def _draft(ctx: Context, data: dict[str, object]) -> quiz.Draft:
    language = str(data["language"])
    texts = {language: str(data.get("question", ""))}
    explanation = {language: str(data.get("explanation", ""))}
    options = tuple(str(option) for option in data.get("options", []))  # type: ignore[attr-defined]
    scope = str(data.get("scope", EVERYONE))
    return quiz.Draft(
        text=Bilingual.of(texts),
        options={language: options},
        correct=(int(str(data.get("correct", -1))),),
        explanation=Bilingual.of(explanation),
        categories=() if scope == EVERYONE else (scope,),
    )


def _ask_scope(ctx: Context, _c: Conversation) -> str:
    return ctx._("A new quiz question. Who is it for?")


def _scopes(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    found = [(EVERYONE, ctx._("Everyone"))] if conversation.data.get("all") else []
    mine = conversation.data.get("mine") or []
    return found + [(str(key), category_name(ctx, str(key))) for key in mine]


async def _scope_chosen(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, scope=value)
    await flows.goto(ctx, ADD, conversation, "question")


def _ask_question(ctx: Context, _c: Conversation) -> str:
    return ctx._("Send the question ({n} characters at most).", n=quiz.MAX_TEXT)


async def _question(ctx: Context, conversation: Conversation, text: str) -> None:
    text = " ".join(text.split())
    if not text or len(text) > quiz.MAX_TEXT:
        ctx.reply(ctx._("Send the question ({n} characters at most).", n=quiz.MAX_TEXT))
        return
    flows.update(conversation, question=text)
    await flows.goto(ctx, ADD, conversation, "options")


def _ask_options(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Send the options, one a line or separated by | ({least} to {most}, {length} "
        "characters at most each).",
        least=MIN_OPTIONS,
        most=MAX_OPTIONS,
        length=quiz.MAX_OPTION,
    )


async def _options(ctx: Context, conversation: Conversation, text: str) -> None:
    lines = text.splitlines() if len(text.splitlines()) > 1 else text.split("|")
    options = [" ".join(line.split()) for line in lines if line.strip()]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or any(
        len(option) > quiz.MAX_OPTION for option in options
    ):
        ctx.reply(_ask_options(ctx, conversation))
        return
    flows.update(conversation, options=options)
    await flows.goto(ctx, ADD, conversation, "correct")


def _ask_correct(ctx: Context, _c: Conversation) -> str:
    return ctx._("Which option is correct?")


def _option_choices(_ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    options = conversation.data.get("options") or []
    return [(str(index), str(option)) for index, option in enumerate(options)]


async def _correct_chosen(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, correct=int(value))
    await flows.goto(ctx, ADD, conversation, "explanation")


def _ask_explanation(ctx: Context, _c: Conversation) -> str:
    return ctx._(
        "Send the explanation members read after answering ({n} characters at most), or tap Skip.",
        n=quiz.MAX_EXPLANATION,
    )


async def _explanation(ctx: Context, conversation: Conversation, text: str) -> None:
    text = " ".join(text.split())
    if len(text) > quiz.MAX_EXPLANATION:
        ctx.reply(_ask_explanation(ctx, conversation))
        return
    flows.update(conversation, explanation=text)
    await flows.goto(ctx, ADD, conversation, "confirm")


async def _no_explanation(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    await flows.goto(ctx, ADD, conversation, "confirm")


def _ask_confirm(ctx: Context, conversation: Conversation) -> str:
    draft = _draft(ctx, conversation.data)
    language = str(conversation.data["language"])
    question = quiz.build(draft, author_id=None, now=ctx.clock.now())
    asked = quiz.asked(question, language, language)
    right = asked.options[draft.correct[0]]
    lines = [
        ctx._("Preview:"),
        quiz_buttons.text(asked),
        "",
        ctx._("Correct: {answer}", answer=right),
    ]
    if asked.explanation:
        lines.append(asked.explanation)
    return "\n".join(lines)


def _confirm_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(SAVE, ctx._("Save the question"))]


async def _confirmed(ctx: Context, conversation: Conversation, value: str) -> None:
    assert ctx.member is not None and value == SAVE
    try:
        draft = quiz.check(_draft(ctx, conversation.data), [c.key for c in ctx.settings.categories])
    except quiz.InvalidQuestion:  # pragma: no cover - every step checked its part
        ctx.reply(ctx._("This question cannot be saved. Send /quizadd to start again."))
        await flows.end(ctx, conversation)
        return
    question = quiz.build(draft, author_id=ctx.member.id, now=ctx.clock.now())
    ctx.session.add(question)
    await ctx.session.flush()
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="quiz.add", question=question.id
    )
    await flows.end(ctx, conversation)
    ctx.reply(ctx._("Saved. It can come up in /quiz and in the question of the week."))


ADD = Flow(
    "quizadd",
    steps={
        "scope": Step(_ask_scope, _scopes, _scope_chosen, columns=1),
        "question": Step(_ask_question, on_text=_question),
        "options": Step(_ask_options, on_text=_options),
        "correct": Step(_ask_correct, _option_choices, _correct_chosen, columns=1),
        "explanation": Step(
            _ask_explanation, on_choice=_no_explanation, on_text=_explanation, skippable=True
        ),
        "confirm": Step(_ask_confirm, _confirm_choices, _confirmed, columns=1),
    },
    min_role=Role.REFERENT,
)
