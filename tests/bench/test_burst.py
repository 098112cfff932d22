"""The burst benchmark's accounting: what it calls lost, doubled and late, on made-up
records, and on a tiny real run (20 members) in which nothing may be lost or doubled and
every member who pressed "Done" holds the campaign's points once. No timing is asserted:
the tiny run's latencies are whatever the machine gives."""

from __future__ import annotations

from typing import Any

from bench import burst
from bench.burst_accounting import account, classify, ledger
from bench.common import FakeProcess

CHATS = [1, 2, 3, 4]


def _report() -> dict[str, Any]:
    """Chat 1 pressed Done twice and got everything once; chat 2's Done was acknowledged
    twice and never invited to report, and its spinner was stopped twice; chat 3's /me
    was never answered; chat 4 never received the campaign."""
    return {
        "received": {"1": [0.0], "2": [0.5], "3": [1.0, 1.2]},
        "replies": {
            "1": [
                [10.2, "sendMessage", "Your answer: Done. Thank you!\n+5 points"],
                [11.3, "sendMessage", "Well done! To count it as a report, send a link"],
                [12.4, "sendMessage", "You had already answered: Done."],
            ],
            "2": [
                [21.5, "sendMessage", "Your answer: Done. Thank you!\n+5 points"],
                [21.9, "sendMessage", "Your answer: Done. Thank you!\n+5 points"],
                [22.0, "sendMessage", "Something went wrong. Please try again."],
            ],
        },
        "updates": [
            {"update_id": 1, "chat": 1, "tag": "done", "at": 10.0, "query": "q1"},
            {"update_id": 2, "chat": 1, "tag": "double", "at": 10.4, "query": "q2"},
            {"update_id": 3, "chat": 2, "tag": "done", "at": 20.0, "query": "q3"},
            {"update_id": 4, "chat": 3, "tag": "me", "at": 30.0, "query": None},
        ],
        "answers": {"q1": [10.05], "q2": [10.5], "q3": [20.1, 20.2]},
        "floods": [[11.0, 1, True], [0.4, 3, False]],
        "probes": {"9": [5.0, [5.1]], "10": [6.0, []]},
    }


def test_classify_reads_each_kind_of_answer() -> None:
    assert classify(7, "Your answer: Done. Thank you!") == "ack"
    assert classify(7, "U7 — active member") == "me"
    assert classify(7, "U8 — active member") == "other"
    assert classify(7, "What would you like to report?") == "report"


def test_lost_doubled_and_late_on_made_up_records() -> None:
    found = account(_report(), CHATS, limit=30)
    assert found.campaign_lost == 1  # chat 4
    assert found.campaign_twice == 1  # chat 3
    assert dict(found.unanswered) == {"me": 1}
    assert found.answered_twice == 1  # chat 2's second "Your answer"
    assert found.callbacks_twice == 1 and found.callbacks_unanswered == 0
    assert found.incomplete == 1  # chat 2 never got the invitation
    assert found.other == 1 and found.other_samples[0].startswith("Something went wrong")
    assert found.lost == 1 + 1 and found.doubled == 1 + 1 + 1
    # chat 1's Done answered in 0.2 s, its whole answer in 1.3 s; the double in 2.0 s;
    # chat 2's Done in 1.5 s
    assert sorted(round(x, 3) for x in found.first["done"]) == [0.2, 1.5]
    assert [round(x, 3) for x in found.first["double"]] == [2.0]
    assert [round(x, 3) for x in found.complete] == [1.3]
    assert found.late(("done",)) == 1 and found.late(("done", "double")) == 2
    assert (found.floods_campaign, found.floods_replies) == (1, 1)
    assert [round(x, 3) for x in found.quiet] == [0.1] and found.quiet_unanswered == 1


def test_a_done_answered_in_one_message_is_complete_with_its_first_answer() -> None:
    report = _report()
    report["replies"]["1"][:2] = [
        [
            10.2,
            "sendMessage",
            "Your answer: Done. Thank you!\n+5 points\n\nWell done! To "
            "count it as a report, send a link",
        ]
    ]
    found = account(report, CHATS, limit=30)
    assert [round(x, 3) for x in found.complete] == [0.2]
    assert found.incomplete == 1  # still chat 2 alone
    assert found.answered_twice == 1


def test_the_ledger_check_finds_points_missing_twice_or_unexpected() -> None:
    found = account(_report(), CHATS, limit=30)
    ledger(found, {1: (5, 1), 2: (10, 2), 5: (5, 1)}, pressers=[1, 2, 3], earned=5)
    assert (found.points_missing, found.points_twice, found.points_unexpected) == (1, 1, 1)


async def test_a_tiny_burst_loses_and_doubles_nothing(database_url: str) -> None:
    async with FakeProcess() as fake:
        run = await burst.burst_run(
            fake, "tiny", database_url, burst.Shape(members=20, window=2.0, probes=2)
        )
    found = run.accounting
    assert found.updates == {"done": 6, "double": 1, "report": 1, "me": 1}
    assert found.lost == 0 and found.doubled == 0 and found.other == 0
    assert found.points_unexpected == 0 and not run.errors
    assert sum(len(values) for values in found.first.values()) == 9
    assert len(found.quiet) == 2
