"""Commands whose answer lists people or a person's own settings are answered in the
private chat even when typed in a group (``in_private`` in the command table): the group
sees at most a pointer there. One mechanism, the one /stats uses."""

from __future__ import annotations

import pytest

from bot.conversation.commands import BY_NAME
from tests.support.harness import Network

MOVED = (
    "members", "plans", "campaigns", "nudges", "reminders", "platform", "stats", "events", "answer",
    "kit", "desk", "card", "benefits", "partners", "member",
    "quiz", "quizresults",
    "profile", "directory",
)  # fmt: skip


def test_the_table_marks_them() -> None:
    assert {name for name, command in BY_NAME.items() if command.in_private} == set(MOVED)


@pytest.mark.parametrize("name", MOVED)
async def test_typed_in_a_group_it_is_answered_in_private(network: Network, name: str) -> None:
    await network.join("carol")  # the example config's coordinator
    await network.join("alice")
    out = await network.play(f"@carol #business /{name}")
    to_group = [line for line in out.splitlines() if line.startswith("→ #business")]
    assert to_group == ["→ #business: I have sent you a private message to continue."]
    assert "→ @carol:" in out
    if name == "members":  # the list names members: only the person who asked sees it
        assert "Alice" in out.split("→ @carol:", 1)[1]
