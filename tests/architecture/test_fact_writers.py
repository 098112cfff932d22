"""Adapters report facts, one module writes them: checked on the source.

An adapter (a module under ``bot/platforms/``) never writes a fact it reports — whether a
chat is reachable, which chat a channel is bound to — and opens no database session but
for what it keeps about itself. ``unreachable_at`` is written by :mod:`bot.members.facts`
alone, so there is one rule for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tests.support.paths import ROOT
from tests.support.source import parsed

PLATFORMS = ROOT / "bot" / "platforms"
#: The one writer of what platforms report.
WRITER = "bot/members/facts.py"
#: Adapter modules that keep state of their own in the database, and what it is.
OWN_STATE = {
    # The hash of the slash commands last sent to Discord (sync only when it changed).
    "bot/platforms/discord/commands.py",
    # The channels Relais creates on the server, bound as /bind does, and why it could not.
    "bot/platforms/discord/channels.py",
    # The console's buttons, pressable after a restart as on Telegram's and Discord's servers.
    "bot/platforms/console_keys.py",
}
#: Models whose rows hold facts adapters report.
FACT_MODELS = {"Identity", "ChannelBinding"}
#: Domain functions that write such facts (an adapter reports instead).
FACT_WRITERS = {
    "migrate_chat",
    "mark_unreachable",
    "chat_closed",
    "chat_reopened",
    "chat_migrated",
    "member_joined",
}


def sources(*tops: str) -> Iterator[tuple[str, ast.Module]]:
    for path, tree in parsed(*tops):
        yield path.relative_to(ROOT).as_posix(), tree


def called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def fact_writes(tree: ast.Module) -> Iterator[str]:
    """What in this module writes a reported fact, as ``line: what``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "unreachable_at":
            yield f"{node.lineno}: unreachable_at"
        elif isinstance(node, ast.keyword) and node.arg == "unreachable_at":
            yield f"{node.value.lineno}: unreachable_at="
        elif isinstance(node, ast.Call):
            name = called_name(node)
            first = node.args[0] if node.args else None
            if (
                name in {"update", "insert", "delete"}
                and isinstance(first, ast.Name)
                and first.id in FACT_MODELS
            ):
                yield f"{node.lineno}: {name}({first.id})"
            elif name in FACT_MODELS or name in FACT_WRITERS:
                yield f"{node.lineno}: {name}(...)"


def opens_a_session(tree: ast.Module) -> Iterator[str]:
    """``sessions()``, ``sessions.begin()`` or ``app.sessions()``, as ``line``."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "begin":
            func = func.value
        named = (isinstance(func, ast.Name) and func.id == "sessions") or (
            isinstance(func, ast.Attribute) and func.attr == "sessions"
        )
        if named:
            yield str(node.lineno)


def test_adapters_write_no_fact_they_report() -> None:
    offenders = [
        f"{name}:{write}" for name, tree in sources("bot/platforms") for write in fact_writes(tree)
    ]
    assert offenders == []


def test_adapters_open_no_session_but_for_their_own_state() -> None:
    offenders = [
        f"{name}:{line}"
        for name, tree in sources("bot/platforms")
        if name not in OWN_STATE
        for line in opens_a_session(tree)
    ]
    assert offenders == []


def test_only_the_facts_module_writes_unreachable() -> None:
    """Reads (``Identity.unreachable_at.is_(None)``, ``identity.unreachable_at is None``)
    are everyone's; assignments and ``values(unreachable_at=…)`` are the writer's."""
    writers = set()
    for name, tree in sources("bot", "handlers", "jobs"):
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            assigned = any(
                isinstance(t, ast.Attribute) and t.attr == "unreachable_at" for t in targets
            )
            passed = isinstance(node, ast.keyword) and node.arg == "unreachable_at"
            if assigned or passed:
                writers.add(name)
    assert writers == {WRITER}


def test_the_rules_see_what_they_look_for() -> None:
    """The checks above find the writes they forbid (so a passing test means something)."""
    sample = ast.parse(
        "async def f(app, session, identity):\n"
        "    async with app.sessions() as s, s.begin():\n"
        "        await s.execute(update(Identity).values(unreachable_at=now))\n"
        "    async with app.sessions.begin() as s:\n"
        "        await channels.migrate_chat(s, 'telegram', '-1', '-2')\n"
        "        s.add(ChannelBinding(chat_id='-2'))\n"
    )
    found = {what.split(": ")[1] for what in fact_writes(sample)}
    assert found == {
        "update(Identity)",
        "unreachable_at=",
        "migrate_chat(...)",
        "ChannelBinding(...)",
    }
    assert sorted(opens_a_session(sample)) == ["2", "4"]
