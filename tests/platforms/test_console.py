"""The console platform as a terminal tool: numbered messages whose buttons all stay
pressable (``[3.2]``), even after a restart; files and images saved with ``--save``; the
clock's line printed before what it triggers; /forget erases what the console kept."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bot.models import Member, MemberStatus, PlatformState
from tests.support.harness import Network, NetworkFactory
from tests.support.people import member_id

CARD = re.compile(r"\[1\] Accepter  \[2\] Refuser   \(message (\d+)\)")


async def _applications(network: Network, *names: str) -> list[int]:
    """``names`` apply; the numbers of their cards in #coordinators, oldest first."""
    numbers = []
    for name in names:
        out = await network.join(name)
        numbers += [int(number) for number in CARD.findall(out)]
    assert len(numbers) == len(names)
    return numbers


async def _status(network: Network, name: str) -> MemberStatus:
    async with network.sessions() as session:
        found = await session.scalar(select(Member.status).where(Member.display_name == name))
    assert found is not None
    return found


async def test_any_message_s_buttons_can_be_pressed_by_its_number(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")  # a coordinator from the settings: active at once
    cards = await _applications(network, "alice", "bob", "cyd", "dora", "eve")
    assert cards == sorted(set(cards))  # one number each, increasing
    # The third card of five, not the newest: button 2 (reject) of that message.
    out = await network.play(f"@carol #coordinators [{cards[2]}.2]")
    assert "Cyd" in out
    assert await _status(network, "Cyd") is MemberStatus.REJECTED
    out = await network.play(f"@carol #coordinators [{cards[0]}.1]")
    assert await _status(network, "Alice") is MemberStatus.ACTIVE
    assert await _status(network, "Bob") is MemberStatus.PENDING
    # A number that is no message there, a button past the end: said, nothing pressed.
    out = await network.play(f"@carol #coordinators [{cards[1]}.9]\n@carol [{cards[1]}.1]")
    assert out.count("(no button") == 2
    assert await _status(network, "Bob") is MemberStatus.PENDING


async def test_buttons_survive_a_restart_and_numbers_go_on(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(network__registration="approval")
    await network.join("carol")
    cards = await _applications(network, "alice", "bob", "cyd")
    again = await network.restarted()
    # The newest message with buttons there, from before the restart: Cyd's card.
    await again.play("@carol #coordinators [1]")
    assert await _status(again, "Cyd") is MemberStatus.ACTIVE
    out = await again.play(f"@carol #coordinators [{cards[0]}.1]")
    assert "Alice" in out and await _status(again, "Alice") is MemberStatus.ACTIVE
    assert await _status(again, "Bob") is MemberStatus.PENDING
    # New messages do not reuse the numbers of the old ones.
    later = await _applications(again, "dora")
    assert later[0] > cards[-1]
    # A flow's prompt survives too: half-way through joining, then a restart.
    await again.play("@fay /start\n@fay [English]")
    third = await again.restarted()
    out = await third.play("@fay [1]")  # I agree, on the prompt sent before the restart
    assert "category" in out.lower()


async def test_save_writes_images_and_files_and_prints_their_paths(
    network: Network, tmp_path: Path
) -> None:
    await network.join("carol")
    await network.join("alice")
    network.console.save_dir = tmp_path / "saved"
    out = await network.play("@carol /stats\n@alice /mydata")
    paths = re.findall(r"saved as (\S+)\]", out)
    assert len(paths) == 2, out
    chart, data = (Path(path) for path in paths)
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.parent == tmp_path / "saved"
    assert b"Alice" in data.read_bytes() and data.suffix == ".json"


async def test_the_clock_line_comes_before_what_it_triggers(network: Network) -> None:
    await network.join("alice")
    await network.play("@alice /report\n@alice [Mention]\n@alice [Press]\n@alice https://x.test/a")
    out = await network.play("~ +7d")
    lines = out.splitlines()
    assert lines[0] == "~ +7d" and any(line.startswith("→ #business") for line in lines[1:])


async def test_forget_erases_the_buttons_kept_for_the_person_s_chat(network: Network) -> None:
    await network.join("alice")
    await network.play("@alice /report")
    assert await _kept(network, "alice")
    alice = await member_id(network, "Alice")
    await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert not await _kept(network, "alice")
    assert alice


async def _kept(network: Network, chat: str) -> list[str]:
    async with network.sessions() as session:
        keys = await session.scalars(
            select(PlatformState.key).where(
                PlatformState.platform == "console", PlatformState.key.startswith(f"chat:{chat}:")
            )
        )
        return list(keys)


async def test_a_terminal_does_not_show_each_line_twice(network: Network) -> None:
    await network.console.play_line("@alice /start", echo=False)
    out = network.out.getvalue()
    assert "@alice /start" not in out and "→ @alice:" in out
