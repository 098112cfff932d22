"""The burst benchmark's tables (:mod:`bench.burst`): reply latencies by kind, the
broadcast's share of the limit, lost, doubled and the ledger."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bench.burst_accounting import COMMANDS, LATE, PRESSES, Accounting
from bench.common import Table, median, percentile


@dataclass
class Run:
    database: str
    accounting: Accounting
    seconds: float
    cpu: float
    load: tuple[float, float]
    logged: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def _ms(values: list[float], fraction: float) -> str:
    return f"{1000 * percentile(values, fraction):,.0f}" if values else "n/a"


def table(runs: list[Run], title: str) -> Table:
    replies = Table(
        title,
        [
            "database: replies",
            "count",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            f"late (> {LATE:g} s)",
            "unanswered",
        ],
    )
    for run in runs:
        found = run.accounting
        rows = [
            ("presses: Done", found.latencies(("done",)), ("done",)),
            ("presses: Done again (double)", found.latencies(("double",)), ("double",)),
            ("presses: all", found.latencies(PRESSES), PRESSES),
            ("commands: /report, /me", found.latencies(COMMANDS), COMMANDS),
        ]
        for name, values, tags in rows:
            replies.add(
                f"{run.database}: {name}",
                len(values),
                _ms(values, 0.5),
                _ms(values, 0.95),
                _ms(values, 0.99),
                _ms(values, 1.0),
                found.late(tags),
                sum(found.unanswered[tag] for tag in tags),
            )
        replies.add(
            f"{run.database}: baseline: /me, bot at rest",
            len(found.quiet),
            _ms(found.quiet, 0.5),
            _ms(found.quiet, 0.95),
            _ms(found.quiet, 0.99),
            _ms(found.quiet, 1.0),
            sum(1 for value in found.quiet if value > LATE),
            found.quiet_unanswered,
        )
        late_complete = sum(1 for value in found.complete if value > LATE)
        replies.add(
            f"{run.database}: Done, whole answer (with the invitation)",
            len(found.complete),
            _ms(found.complete, 0.5),
            _ms(found.complete, 0.95),
            _ms(found.complete, 0.99),
            _ms(found.complete, 1.0),
            late_complete,
            found.incomplete,
        )
        replies.add(
            f"{run.database}: presses: spinner stopped",
            len(found.spinner),
            _ms(found.spinner, 0.5),
            _ms(found.spinner, 0.95),
            _ms(found.spinner, 0.99),
            _ms(found.spinner, 1.0),
            sum(1 for value in found.spinner if value > LATE),
            found.callbacks_unanswered,
        )
    totals = Table(
        "Burst: the broadcast during the burst, lost, doubled, the ledger",
        [
            "database",
            "campaign ÷ limit (min / median per 10 s)",
            "all sends ÷ limit (min / median)",
            "lost",
            "doubled",
            "points (missing / twice / unexpected)",
            "429s (campaign / replies)",
            "other replies",
            "wall s",
            "CPU s",
            "load avg",
        ],
    )
    for run in runs:
        found = run.accounting
        totals.add(
            run.database,
            f"{min(found.broadcast_ratios, default=float('nan')):.3f} / "
            f"{median(found.broadcast_ratios):.3f}",
            f"{min(found.all_ratios, default=float('nan')):.3f} / {median(found.all_ratios):.3f}",
            found.lost,
            found.doubled,
            f"{found.points_missing} / {found.points_twice} / {found.points_unexpected}",
            f"{found.floods_campaign} / {found.floods_replies}",
            found.other,
            run.seconds,
            run.cpu,
            f"{run.load[0]:.2f} → {run.load[1]:.2f}",
        )
    replies.notes.append(
        "latency: from the instant the fake server made the update available to the "
        "instant it accepted the answer, both on its clock. A first Done is answered by two "
        'messages ("Your answer: Done", then the invitation to turn it into a report); its '
        "first answer is the first, its whole answer the second. The double press's answer "
        'is "You had already answered". lost: members who never received the campaign, '
        "actions never answered, presses never answered (answerCallbackQuery), pressers "
        "without their points; doubled: the campaign twice in a chat, one answer twice, a "
        "press answered twice, points twice."
    )
    replies.notes.append("\n" + totals.render())
    replies.print()
    return replies


def print_run(run: Run) -> None:
    found = run.accounting
    print(
        f"burst [{run.database}]: {dict(found.updates)} actions; lost {found.lost} "
        f"(campaign {found.campaign_lost}, unanswered {dict(found.unanswered)}, "
        f"spinners {found.callbacks_unanswered}, points {found.points_missing}); doubled "
        f"{found.doubled}; other replies {found.other} {found.other_samples}; "
        f"log lines {dict(run.logged)}; errors {run.errors}",
        flush=True,
    )
    for tag, values in sorted(found.first.items()):
        print(
            f"  {tag}: {len(values)} answers, p50 {_ms(values, 0.5)} ms, p95 "
            f"{_ms(values, 0.95)} ms, p99 {_ms(values, 0.99)} ms, max {_ms(values, 1.0)} ms",
            flush=True,
        )
    print(
        f"  campaign ÷ limit per 10 s: {[round(r, 3) for r in found.broadcast_ratios]}\n"
        f"  all sends ÷ limit per 10 s: {[round(r, 3) for r in found.all_ratios]}",
        flush=True,
    )
