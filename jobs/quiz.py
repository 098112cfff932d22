"""The weekly quiz question (``[jobs] quiz``, by default Wednesday noon) and the closing
of last week's (``quiz_close``, every minute).

Every category channel and the general channel get one question a week
(:mod:`bot.animation.quiz_posts`): a post is claimed in one transaction, sent, and the
platform's ids (message, and on Telegram the quiz poll's) recorded in a second; a rerun
for the same week posts nothing. When a post's ``[quiz] open_days`` are over, Telegram's
poll is stopped (its own ``open_period`` lasts ten minutes at most) and elsewhere the
post loses its buttons; answers pressed later are still counted privately, since
learning has no deadline, but the channel shows the question is over.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.animation import quiz, quiz_buttons, quiz_posts
from bot.core.port import Address, Message, Outgoing, PollCloser
from bot.delivery import channels
from bot.models import QuizQuestion
from bot.scheduling.runner import occurrence
from jobs._words import Words

if TYPE_CHECKING:
    from bot.app import Relais

ID = "quiz"
SCHEDULE = "wed 12:00"
CLOSE_ID = "quiz_close"
log = logging.getLogger(__name__)


async def run(app: Relais) -> None:
    settings = app.settings
    now = app.clock.now()
    week = quiz_posts.period(occurrence(app), settings.network.timezone)
    _ = Words(app, settings.network.default_language)
    header = _("Question of the week — answer to learn, nothing to lose:")
    closes_at = quiz_posts.open_until(now, settings.quiz.open_days)
    claimed: list[tuple[int, Address, Message]] = []
    async with app.sessions.begin() as session:
        scopes = [channels.category_scope(c.key) for c in settings.categories]
        for scope in [*scopes, channels.GENERAL]:
            question = await quiz_posts.pick(session, scope)
            if question is None:
                continue
            addresses = await channels.addresses_for(session, settings, scope, app.served)
            for address in addresses:
                post_id = await quiz_posts.claim(
                    session, address, question, week=week, closes_at=closes_at, now=now
                )
                if post_id is not None:
                    claimed.append(
                        (post_id, address, quiz_posts.message(question, settings, header))
                    )
    sent: list[tuple[int, quiz_posts.Sent]] = []
    for post_id, address, message in claimed:
        platform = app.platforms.get(address.platform)
        if platform is None:
            continue
        try:
            sent.append(
                (post_id, quiz_posts.parse_sent(await platform.send(Outgoing(address, message))))
            )
        except Exception:
            log.exception("the quiz question could not be posted to a %s chat", address.platform)
    if sent:
        async with app.sessions.begin() as session:
            for post_id, ids in sent:
                await quiz_posts.record_sent(session, post_id, ids)
        log.info("posted the quiz question of the week in %d chats", len(sent))


async def close(app: Relais) -> None:
    settings = app.settings
    _ = Words(app, settings.network.default_language)
    language = settings.network.default_language
    closing: list[tuple[Address, str, str | None, Message]] = []
    async with app.sessions.begin() as session:
        for post in await quiz_posts.close_due(session, app.clock.now()):
            question = await session.get(QuizQuestion, post.question_id)
            if post.message_id is None or question is None:
                continue
            asked = quiz.asked(question, language, language)
            right = ", ".join(asked.options[i] for i in question.correct if i < len(asked.options))
            text = "\n".join(
                [
                    quiz_buttons.text(asked),
                    "",
                    _("Closed. The answer: {answer}.", answer=right),
                    asked.explanation,
                ]
            ).strip()
            address = Address(post.platform, post.chat_id)
            closing.append(
                (address, post.message_id, post.poll_id, Message(text, language=language))
            )
    for address, message_id, poll_id, message in closing:
        platform = app.platforms.get(address.platform)
        try:
            if poll_id is not None and isinstance(platform, PollCloser):
                await platform.close_poll(address, message_id)
            elif platform is not None:
                await platform.send(Outgoing(address, message, edit_message_id=message_id))
        except Exception:
            log.exception("a quiz post on %s could not be closed", address.platform)
