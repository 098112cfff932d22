"""Collective goals through the console: a coordinator sets one (a referent cannot),
the weekly post shows its progress bar, and reaching it is announced once in the
channel whatever the re-runs. SQLite and PostgreSQL."""

from __future__ import annotations

from tests.support.harness import Network
from tests.support.people import said_to

SETTLE = """
@{name} /report
@{name} [Settlement]
@{name} A company settled in the territory
"""


async def test_goal_progress_in_the_weekly_post_and_reached_once(network: Network) -> None:
    for name in ("carol", "rita", "alice", "bob"):
        await network.join(name)
    refused = await network.play("@rita /goal all 3 settlements month")
    assert "Goal set" not in refused
    bad = await network.play("@carol /goal all many settlements month")
    assert "Usage: /goal" in bad and "settlements" in bad
    out = await network.play("@carol /objectif tout 3 implantations mois")
    assert "Goal set." in out
    assert "Goal for the network (until 31/03/2026) — settlements: 0 / 3 ░░░░░░░░░░ 0\u00a0%" in out
    await network.play(SETTLE.format(name="alice") + SETTLE.format(name="bob"))
    quiet = await network.play("~ +1m")
    assert "Objectif atteint" not in quiet
    weekly = await network.play("~ +5d")  # Monday 9 March, 09:00: the weekly posts
    general = "\n".join(said_to(weekly, "#general"))
    assert (
        "Objectif pour le réseau (jusqu'au 31/03/2026) — implantations\u00a0: 2 / 3 "
        "▓▓▓▓▓▓▓░░░ 67\u00a0%"
    ) in general
    await network.play(SETTLE.format(name="alice"))
    reached = await network.play("~ +1m")
    assert said_to(reached, "#general") == [
        "Objectif atteint pour le réseau (jusqu'au 31/03/2026) — implantations\u00a0: 3. "
        "Merci à toutes et à tous\u00a0!"
    ]
    await network.play(SETTLE.format(name="bob"))
    again = await network.play("~ +1m\n~ +1m")
    assert "Objectif atteint" not in again
    listed = await network.play("@carol /goal")
    assert "settlements: 4 / 3 ▓▓▓▓▓▓▓▓▓▓ 100\u00a0%" in listed
