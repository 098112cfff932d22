"""The payloads of a nudge's one-tap answers and of the referent's digest buttons.

Jobs post them (:mod:`jobs.nudges`, :mod:`jobs.digest`) and the nudges handler answers
them, so they live here, below both. Each carries the nudge's id: the handler checks that
the nudge is the presser's own (an answer) or in their categories (a digest button).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.payloads import Payload

#: The answers under a nudge, in the order they are offered (labels in
#: :data:`bot.animation.nudging.ANSWERS`).
NudgeAnswer = Literal["did", "lead", "later", "pause", "stop"]


@dataclass(frozen=True)
class NudgePress(Payload, prefix="nudge"):
    answer: NudgeAnswer
    nudge_id: int


@dataclass(frozen=True)
class DigestPress(Payload, prefix="digest"):
    """Write to a dormant member through the bot, or mark them contacted."""

    action: Literal["write", "done"]
    nudge_id: int
