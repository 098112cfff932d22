"""Multi-step conversations as declared tables of steps, with their state in the database.

A flow is a name and its steps; a step asks a question, offers choices (buttons) and/or
accepts free text. Buttons carry ``f:<flow>:<version>:<value>``; the version grows at
every step, so pressing an old prompt is answered "no longer active" instead of being
applied to the wrong step. Because the state is a database row written in the update's
transaction, a restart resumes the flow where it was, and a cancelled flow leaves nothing.
Who may be in a flow is declared on it (:class:`Flow`'s ``needs_active``, ``min_role`` and
``before_consent``) and checked by the app's gate before every press and every text: a
flow whose person lost the role, the status or the current consent on the way ends there,
and nothing it was preparing is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, inspect, select

from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.core.payloads import Payload
from bot.core.port import Attachment, Button, Message
from bot.models import Conversation, Role

SKIP = "skip"
CANCEL = "cancel"

Choices = Callable[[Context, Conversation], list[tuple[str, str]]]
Question = Callable[[Context, Conversation], str]
OnChoice = Callable[[Context, Conversation, str], Awaitable[None]]
OnText = Callable[[Context, Conversation, str], Awaitable[None]]
OnFile = Callable[[Context, Conversation, Attachment], Awaitable[None]]


def _no_choices(_ctx: Context, _conversation: Conversation) -> list[tuple[str, str]]:
    return []


@dataclass(frozen=True)
class Step:
    question: Question
    choices: Choices = _no_choices
    on_choice: OnChoice | None = None
    on_text: OnText | None = None
    #: Accepts a file (an image, a PDF) sent in the private chat.
    on_file: OnFile | None = None
    #: Offer a "Skip" button; pressing it calls ``on_choice`` with ``SKIP``.
    skippable: bool | Callable[[Context], bool] = False
    columns: int = 2

    def can_skip(self, ctx: Context) -> bool:
        return self.skippable(ctx) if callable(self.skippable) else self.skippable


@dataclass
class Flow:
    name: str
    steps: dict[str, Step] = field(default_factory=dict)
    #: Only active members may be in this flow (a pending member cannot report).
    needs_active: bool = True
    #: The lowest role that may be in it: a flow started by a referent's or a
    #: coordinator's command stops answering someone who lost the role on the way.
    min_role: Role = Role.MEMBER
    #: May go on before agreeing to the current consent text (the join flow asks it).
    before_consent: bool = False

    @property
    def access(self) -> Access:
        """The flow as the command table would say it (see :class:`commands.Rule`)."""
        return Access.ACTIVE if self.needs_active else Access.ANYONE


@dataclass(frozen=True)
class FlowPress(Payload, prefix="f"):
    """A flow's button; ``version`` is the step's, so an old prompt is recognised."""

    flow: str
    version: int
    value: str


# -- storage ---------------------------------------------------------------------


async def current(ctx: Context) -> Conversation | None:
    """The person's flow in progress (looked up once per update, again if a bulk delete
    — erasure, linking — removed the one loaded)."""
    if ctx.conversation is not None:
        state = inspect(ctx.conversation)
        if state.was_deleted or state.detached:
            ctx.conversation_loaded = False
    if not ctx.conversation_loaded:
        ctx.conversation = await ctx.session.scalar(
            select(Conversation).where(
                Conversation.platform == ctx.event.platform,
                Conversation.user_id == ctx.event.user_id,
            )
        )
        ctx.conversation_loaded = True
    return ctx.conversation


#: The data key of a flow's opening words (see :func:`begin`).
OPENING = "opening"


async def begin(
    ctx: Context, flow: Flow, step: str, data: dict[str, Any], *, opening: str | None = None
) -> Conversation:
    """Start ``flow`` at ``step``, replacing any flow in progress, and ask its question.
    ``opening``: words the first question opens with, in the same message (what the
    press that started the flow did: one message instead of two in the chat, and one
    of the platform's sends instead of two)."""
    if opening is not None:
        data = {**data, OPENING: opening}
    if ctx.conversation is not None or not ctx.conversation_loaded:  # else there is none
        await ctx.session.execute(
            delete(Conversation).where(
                Conversation.platform == ctx.event.platform,
                Conversation.user_id == ctx.event.user_id,
            )
        )
    conversation = Conversation(
        platform=ctx.event.platform,
        user_id=ctx.event.user_id,
        flow=flow.name,
        step=step,
        data=data,
        version=1,
        updated_at=ctx.clock.now(),
    )
    ctx.session.add(conversation)
    await ctx.session.flush()
    ctx.conversation, ctx.conversation_loaded = conversation, True
    ask(ctx, flow, conversation)
    return conversation


async def goto(ctx: Context, flow: Flow, conversation: Conversation, step: str) -> None:
    conversation.step = step
    conversation.version += 1
    conversation.updated_at = ctx.clock.now()
    ask(ctx, flow, conversation)


def update(conversation: Conversation, **values: Any) -> None:
    """Store values in the flow's data (a new dict, so the JSON column is saved)."""
    conversation.data = {**conversation.data, **values}


async def end(ctx: Context, conversation: Conversation) -> None:
    await ctx.session.delete(conversation)
    if ctx.conversation is conversation:
        ctx.conversation = None


# -- rendering ---------------------------------------------------------------------


def payload(flow: Flow, conversation: Conversation, value: str) -> str:
    return FlowPress(flow.name, conversation.version, value).pack()


def question(ctx: Context, flow: Flow, conversation: Conversation) -> str:
    """The current step's question, after the flow's opening words while it is on the
    step it began with (they stay when the message is edited after a press)."""
    text = flow.steps[conversation.step].question(ctx, conversation)
    opening = conversation.data.get(OPENING)
    if opening and conversation.version == 1:
        return f"{opening}\n\n{text}"
    return text


def prompt(ctx: Context, flow: Flow, conversation: Conversation) -> Message:
    step = flow.steps[conversation.step]
    buttons = [
        Button(label, payload(flow, conversation, value))
        for value, label in step.choices(ctx, conversation)
    ]
    rows = [buttons[i : i + step.columns] for i in range(0, len(buttons), step.columns)]
    extra = []
    if step.can_skip(ctx):
        extra.append(Button(ctx._("Skip"), payload(flow, conversation, SKIP)))
    extra.append(Button(ctx._("Cancel"), payload(flow, conversation, CANCEL)))
    text_prompt = ctx._("Write an answer") if step.on_text is not None else None
    return Message.with_rows(
        question(ctx, flow, conversation), [*rows, extra], text_prompt=text_prompt
    )


def ask(ctx: Context, flow: Flow, conversation: Conversation) -> None:
    ctx.send(ctx.private_chat, prompt(ctx, flow, conversation))


# -- input -------------------------------------------------------------------------


async def cancel(ctx: Context, conversation: Conversation | None) -> None:
    if conversation is None:
        ctx.reply(ctx._("There is nothing to cancel."))
        return
    await end(ctx, conversation)
    ctx.reply(ctx._("Cancelled. Nothing was saved."))


async def on_button(ctx: Context, flow: Flow, press: FlowPress) -> None:
    """A press on a flow's button: check it belongs to the current step, then apply it."""
    version, value = press.version, press.value
    conversation = await current(ctx)
    if conversation is None or conversation.flow != flow.name or conversation.version != version:
        ctx.reply(ctx._("This button is no longer active."))
        return
    step = flow.steps[conversation.step]
    labels = dict(step.choices(ctx, conversation))
    if value == CANCEL:
        ctx.edit_pressed(question(ctx, flow, conversation))
        await cancel(ctx, conversation)
        return
    if value == SKIP and step.can_skip(ctx):
        label = ctx._("Skip")
    elif value in labels:
        label = labels[value]
    else:
        ctx.reply(ctx._("This button is no longer active."))
        return
    if step.on_choice is None:  # pragma: no cover - a step with buttons must handle them
        raise RuntimeError(f"flow {flow.name} step {conversation.step} has no on_choice")
    ctx.edit_pressed(f"{question(ctx, flow, conversation)}\n→ {label}")
    await step.on_choice(ctx, conversation, value)


async def on_text(ctx: Context, flow: Flow, conversation: Conversation, text: str) -> None:
    step = flow.steps[conversation.step]
    if step.on_text is None:
        ctx.reply(ctx._("Please choose with the buttons below, or send /cancel."))
        ask(ctx, flow, conversation)
        return
    await step.on_text(ctx, conversation, text)


async def on_file(
    ctx: Context, flow: Flow, conversation: Conversation, attachment: Attachment
) -> None:
    step = flow.steps[conversation.step]
    if step.on_file is None:
        ctx.reply(ctx._("No file is expected here: please answer the question below."))
        ask(ctx, flow, conversation)
        return
    await step.on_file(ctx, conversation, attachment)
