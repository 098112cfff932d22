"""What the burst benchmark counts, from the fake server's records (:mod:`bench.burst_fake`)
and the ledger: pure functions, so a test can feed them made-up records.

Each scripted action has a tag, and each tag is answered by known messages, the first of
which is *the* answer (its latency is the reply latency):

* ``done``: a member's "Done" on the campaign's message: "Your answer: Done…" (``ack``)
  and the invitation to turn it into a report (``prompt``), in one message (two before
  2026-12-06: a separate invitation is still recognised);
* ``double``: the same member's second press on "Done": "You had already answered…";
* ``report``: ``/report``: its first question; ``me``: ``/me``: the member's card.

A chat's script never holds two actions answered by the same kind of message, so every
message is attributed by what it says, whatever the order the bot handled them in. A kind
seen twice in one chat is an answer given twice; a message of no known kind is counted
apart (an apology, a "slow down"), with a few samples to read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: An answer later than this (seconds from the update's availability) is late.
LATE = 1.0
#: What answers each tag, in order; the first is the answer that is timed.
EXPECTED: dict[str, tuple[str, ...]] = {
    "done": ("ack", "prompt"),
    "double": ("already",),
    "report": ("report",),
    "me": ("me",),
}
PRESSES = ("done", "double")
#: How the invitation to report a "Done" begins.
INVITATION = "Well done! To count it as a report"
COMMANDS = ("report", "me")


def classify(chat: int, text: str) -> str:
    """The kind of a reply the bot sent into ``chat`` (English members)."""
    if text.startswith("Your answer: "):
        return "ack"
    if text.startswith("You had already answered"):
        return "already"
    if text.startswith(INVITATION):
        return "prompt"
    if text.startswith("What would you like to report?"):
        return "report"
    if text.startswith(f"U{chat} — "):
        return "me"
    return "other"


@dataclass
class Accounting:
    members: int
    #: Members whose chat never received the campaign; received it more than once.
    campaign_lost: int = 0
    campaign_twice: int = 0
    updates: Counter[str] = field(default_factory=Counter)
    #: Actions whose answer never came, by tag; presses whose spinner was never stopped.
    unanswered: Counter[str] = field(default_factory=Counter)
    callbacks_unanswered: int = 0
    #: Answers of one kind given twice in a chat; callback queries answered twice.
    answered_twice: int = 0
    callbacks_twice: int = 0
    #: A first "Done" whose invitation (its second message) never came.
    incomplete: int = 0
    other: int = 0
    other_samples: list[str] = field(default_factory=list)
    #: Seconds from availability to the first answer, by tag; to the last message of a
    #: "Done"'s answer; to ``answerCallbackQuery`` of a press.
    first: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    complete: list[float] = field(default_factory=list)
    spinner: list[float] = field(default_factory=list)
    #: Per full 10-s window of the broadcast: campaign messages ÷ limit, all sends ÷ limit.
    broadcast_ratios: list[float] = field(default_factory=list)
    all_ratios: list[float] = field(default_factory=list)
    #: 429s in scripted chats: before the campaign reached the chat, and after.
    floods_campaign: int = 0
    floods_replies: int = 0
    #: The same run's baseline: ``/me`` on a quiet bot, before the campaign.
    quiet: list[float] = field(default_factory=list)
    quiet_unanswered: int = 0
    #: From the ledger (see :func:`ledger`).
    points_missing: int = 0
    points_twice: int = 0
    points_unexpected: int = 0

    def latencies(self, tags: Sequence[str]) -> list[float]:
        return [value for tag in tags for value in self.first.get(tag, [])]

    def late(self, tags: Sequence[str]) -> int:
        return sum(1 for value in self.latencies(tags) if value > LATE)

    @property
    def lost(self) -> int:
        return (
            self.campaign_lost
            + sum(self.unanswered.values())
            + self.callbacks_unanswered
            + self.points_missing
        )

    @property
    def doubled(self) -> int:
        return self.campaign_twice + self.answered_twice + self.callbacks_twice + self.points_twice


def account(
    report: Mapping[str, Any], chats: Sequence[int], limit: float, window: float = 10.0
) -> Accounting:
    """Count from ``GET /control/script``'s report; ``chats`` are the scripted members'
    chats, ``limit`` the enforced messages per second overall."""
    found = Accounting(members=len(chats))
    received: dict[str, list[float]] = report["received"]
    found.campaign_lost = sum(1 for chat in chats if not received.get(str(chat)))
    found.campaign_twice = sum(1 for times in received.values() if len(times) > 1)
    # chat → kind → when each message of that kind was accepted
    kinds: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    sends: list[float] = []
    for chat_key, items in report["replies"].items():
        chat = int(chat_key)
        for at, _method, text in items:
            sends.append(float(at))
            kind = classify(chat, str(text))
            kinds[chat][kind].append(float(at))
            if kind == "ack" and INVITATION in str(text):
                kinds[chat]["prompt"].append(float(at))
            if kind == "other":
                found.other += 1
                if len(found.other_samples) < 5:
                    found.other_samples.append(str(text)[:80])
    for chat_kinds in kinds.values():
        found.answered_twice += sum(
            len(times) - 1 for kind, times in chat_kinds.items() if kind != "other" and times
        )
    answers: Mapping[str, list[float]] = report["answers"]
    for update in report["updates"]:
        tag, chat, at = str(update["tag"]), int(update["chat"]), float(update["at"])
        found.updates[tag] += 1
        expected = EXPECTED[tag]
        chat_kinds = kinds.get(chat, {})
        firsts = chat_kinds.get(expected[0], [])
        if not firsts:
            found.unanswered[tag] += 1
        else:
            found.first[tag].append(firsts[0] - at)
            if len(expected) > 1:
                rest = [chat_kinds.get(kind, []) for kind in expected[1:]]
                if all(rest):
                    found.complete.append(max(times[0] for times in rest) - at)
                else:
                    found.incomplete += 1
        query = update.get("query")
        if query is not None:
            stopped = answers.get(str(query), [])
            if not stopped:
                found.callbacks_unanswered += 1
            else:
                found.spinner.append(stopped[0] - at)
                found.callbacks_twice += len(stopped) - 1
    for _at, _chat, after_receipt in report["floods"]:
        if after_receipt:
            found.floods_replies += 1
        else:
            found.floods_campaign += 1
    for at, replied in report.get("probes", {}).values():
        if replied:
            found.quiet.append(float(replied[0]) - float(at))
        else:
            found.quiet_unanswered += 1
    campaign = sorted(t for times in received.values() for t in times)
    found.broadcast_ratios, found.all_ratios = _windows(campaign, sends, limit, window)
    return found


def _windows(
    campaign: Sequence[float], replies: Sequence[float], limit: float, window: float
) -> tuple[list[float], list[float]]:
    """Rate ÷ limit in each full window from the campaign's first message to its last
    (the whole span as one window when it is shorter than one)."""
    if len(campaign) < 2:
        return [], []
    start, end = campaign[0], campaign[-1]
    count = int((end - start) // window)
    bounds = (
        [(start + i * window, start + (i + 1) * window) for i in range(count)]
        if count
        else [(start, end)]
    )
    ours, everything = [], []
    for low, high in bounds:
        span = high - low
        sent = sum(1 for t in campaign if low <= t < high)
        answered = sum(1 for t in replies if low <= t < high)
        ours.append(sent / span / limit)
        everything.append((sent + answered) / span / limit)
    return ours, everything


def ledger(
    accounting: Accounting,
    points: Mapping[int, tuple[int, int]],
    pressers: Sequence[int],
    earned: int,
) -> None:
    """Check the ledger's "campaign" entries (member → (sum, entries)): every member who
    pressed "Done" holds ``earned`` points in one entry, nobody else holds any."""
    expected = set(pressers)
    for member in expected:
        total, entries = points.get(member, (0, 0))
        if total < earned:
            accounting.points_missing += 1
        elif total > earned or entries > 1:
            accounting.points_twice += 1
    accounting.points_unexpected = sum(1 for member in points if member not in expected)
