"""The payloads of an event's buttons: answers, the calendar file, feedback, previews.

Cards are posted by handlers and jobs and pressed weeks later, so the families live
here, below both. Each carries the occurrence's id; the handler checks the presser is
invited (:func:`bot.animation.events.rsvp.invited`), so a forged payload for another
category's event is refused. Never reorder fields (old buttons must keep working).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.payloads import Payload
from bot.models import RsvpAnswer

#: The answers a member may press (``waiting`` is where "going" lands when full).
PRESSABLE = (RsvpAnswer.GOING, RsvpAnswer.MAYBE, RsvpAnswer.NO)


@dataclass(frozen=True)
class RsvpPress(Payload, prefix="ev"):
    """Going / Maybe / Can't go under an occurrence's card."""

    occurrence_id: int
    answer: RsvpAnswer

    def valid(self) -> bool:
        return self.answer in PRESSABLE


@dataclass(frozen=True)
class CalendarPress(Payload, prefix="evc"):
    """ "Add to calendar": the ``.ics`` file (and the date in words) privately."""

    occurrence_id: int


@dataclass(frozen=True)
class FeedbackPress(Payload, prefix="evf"):
    """ "How was it?" after the occurrence: 1 (not great) to 3 (great)."""

    occurrence_id: int
    rating: Literal["1", "2", "3"]


@dataclass(frozen=True)
class CheckinPress(Payload, prefix="evk"):
    """ "I'm here": check in from a button (Discord, where there is no deep link); the
    code travels with it, so pressing it is the same as typing ``/checkin CODE``."""

    code: str


@dataclass(frozen=True)
class PreviewPress(Payload, prefix="evp"):
    """A preview's buttons: they answer "this is a preview" and record nothing."""

    answer: str
