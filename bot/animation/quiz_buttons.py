"""The quiz's buttons and how a question reads in a chat, on every platform alike: one
button per option (numbered in the text, so a long option stays readable), pressed once."""

from __future__ import annotations

from dataclasses import dataclass

from bot.animation.quiz import Asked
from bot.core.payloads import Payload
from bot.core.port import Button

#: Discord's button labels hold 80 characters; Telegram's are shown cut well before.
MAX_LABEL = 40


@dataclass(frozen=True)
class QuizPress(Payload, prefix="qz"):
    """An option of a question; ``left`` questions follow in a private round (0 in a
    channel)."""

    question_id: int
    option: int
    left: int = 0

    def valid(self) -> bool:
        return self.option >= 0 and 0 <= self.left <= 10


def _label(number: int, option: str) -> str:
    text = f"{number}. {option}"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def text(asked: Asked, header: str = "") -> str:
    lines = [f"{header}\n" if header else "", f"❓ {asked.text}", ""]
    lines += [f"{number}. {option}" for number, option in enumerate(asked.options, 1)]
    return "\n".join(lines).lstrip("\n")


def buttons(question_id: int, asked: Asked, left: int = 0) -> list[list[Button]]:
    """One option a row, so that long options are not squeezed side by side."""
    return [
        [Button(_label(number, option), QuizPress(question_id, number - 1, left).pack())]
        for number, option in enumerate(asked.options, 1)
    ]
