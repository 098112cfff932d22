"""The card members see in a channel (and privately): the event and its buttons.

Title, text in the reader's language, when (in words), where, places left, live counts,
the repeat, then Going / Maybe / Can't go and "Add to calendar". A preview has the same
text and buttons whose presses record nothing (:class:`.buttons.PreviewPress`), so the
author sees exactly what members will.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.animation.events import occurrences, words
from bot.animation.events.buttons import CalendarPress, PreviewPress, RsvpPress
from bot.animation.kit.buttons import KitOpen
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Button, Message
from bot.models import Event, EventOccurrence, EventStatus, RsvpAnswer

LABELS = {
    RsvpAnswer.GOING: N_("Going"),
    RsvpAnswer.MAYBE: N_("Maybe"),
    RsvpAnswer.NO: N_("Can't go"),
}
CALENDAR = N_("Add to calendar")
COUNTS = N_("Going: {going} · Maybe: {maybe} · Can't go: {no}")
WAITING = N_("Waiting list: {count}")
PLACES_LEFT = N_("Places left: {left} of {capacity}")
FULL = N_("Full ({capacity} places): a new “Going” joins the waiting list.")
DEADLINE = N_("Answers close {hours} h before the start.")
REPEATS = N_("Repeats: {rule}")
CANCELLED = N_("CANCELLED")
POINTS = N_("Attending earns {points} points.")
KIT_ITEM = N_("📎 Something to share about it is in the kit.")
OPEN_KIT = N_("Open in the kit")


def card(
    translator: Translator,
    settings: Settings,
    language: str,
    event: Event,
    occurrence: EventOccurrence,
    counts: Mapping[RsvpAnswer, int],
    *,
    preview: bool = False,
) -> Message:
    """The card in ``language``; ``counts`` as :func:`.rsvp.counts` gives them for
    ``occurrence`` (missing answers count 0). A cancelled event or occurrence shows no
    answer buttons."""
    _ = translator.gettext
    cancelled = event.status is EventStatus.CANCELLED or occurrence.cancelled_at is not None
    title = f"📅 {event.title}"
    lines = [f"❌ {_(language, CANCELLED)} — {title}" if cancelled else title]
    text, _written = Bilingual(fr=event.text_fr, en=event.text_en).pick(
        language, settings.network.default_language
    )
    if text:
        lines += ["", text]
    lines += ["", f"🕒 {words.when(settings, language, occurrence)}"]
    if event.place:
        lines.append(f"📍 {event.place}")
    if event.repeat != "none":
        rule = occurrences.describe_repeat(translator, language, event.repeat)
        lines.append(f"🔁 {_(language, REPEATS, rule=rule)}")
    going = counts.get(RsvpAnswer.GOING, 0)
    lines.append("")
    lines.append(
        _(
            language,
            COUNTS,
            going=going,
            maybe=counts.get(RsvpAnswer.MAYBE, 0),
            no=counts.get(RsvpAnswer.NO, 0),
        )
    )
    if event.capacity is not None:
        left = max(event.capacity - going, 0)
        if left:
            lines.append(_(language, PLACES_LEFT, left=left, capacity=event.capacity))
        else:
            lines.append(_(language, FULL, capacity=event.capacity))
        waiting = counts.get(RsvpAnswer.WAITING, 0)
        if waiting:
            lines.append(_(language, WAITING, count=waiting))
    if event.rsvp_hours_before:
        lines.append(_(language, DEADLINE, hours=event.rsvp_hours_before))
    if event.points > 0:
        lines.append(_(language, POINTS, points=event.points))
    rows = buttons(translator, language, occurrence, preview=preview, cancelled=cancelled)
    if event.kit_item_id is not None and not cancelled:
        lines.append(_(language, KIT_ITEM))
        rows.append([Button(_(language, OPEN_KIT), KitOpen(event.kit_item_id).pack())])
    return Message.with_rows("\n".join(lines), rows)


def buttons(
    translator: Translator,
    language: str,
    occurrence: EventOccurrence,
    *,
    preview: bool = False,
    cancelled: bool = False,
) -> list[list[Button]]:
    """The card's rows: the answers, then "Add to calendar" (none when cancelled)."""
    if cancelled:
        return []
    answers = [
        Button(
            translator.gettext(language, label),
            (PreviewPress(answer.value) if preview else RsvpPress(occurrence.id, answer)).pack(),
        )
        for answer, label in LABELS.items()
    ]
    calendar = Button(
        translator.gettext(language, CALENDAR),
        (PreviewPress("cal") if preview else CalendarPress(occurrence.id)).pack(),
    )
    return [answers, [calendar]]
