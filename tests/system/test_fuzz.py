"""Fuzzing what people can send: arbitrary text, commands with arbitrary arguments, and
arbitrary or tampered button payloads, from every role, through the console and the
Telegram adapter's conversion. Never an unhandled exception (the app's apology must not
appear), always an answer in the person's language where one is due, and a refusal
writes nothing.

Hypothesis examples are shared out over the tests (about 5,100 in all) so that CI stays
quick; one SQLite database per test, reused across its examples.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.app import APOLOGY
from bot.conversation.commands import COMMANDS
from bot.core.config import MEDIUMS
from bot.core.db import create_engine
from bot.core.i18n import Translator
from bot.core.port import MAX_PAYLOAD_BYTES, Event
from bot.models import (
    AuditEntry,
    ChannelBinding,
    Delivery,
    Identity,
    Member,
    MemberStatus,
    PointsEntry,
    Report,
    Role,
)
from bot.platforms.telegram.convert import to_event
from tests.support.fakes import RecordingPlatform
from tests.support.harness import Network, settings_for

FUZZ = settings(
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
ROLES = ("stranger", "pending", "member", "referent", "coordinator")
USERS = {
    "stranger": "stranger",
    "pending": "pending",
    "member": "member",
    "referent": "rita",
    "coordinator": "carol",
}
COMMAND_NAMES = [command.name for command in COMMANDS] + ["nope", "START", "repor", ""]
TRANSLATOR = Translator("fr")
APOLOGIES = {TRANSLATOR.gettext(language, APOLOGY) for language in ("fr", "en")}
#: English sentences whose French translation differs: a French speaker must never
#: get one of these.
ENGLISH_ONLY = {
    message.id
    for message in __import__("bot.core.catalogs", fromlist=["extract"]).extract()
    if isinstance(message.id, str)
    and message.id
    and TRANSLATOR.gettext("fr", message.id) != message.id
}
#: Answers that refuse: when one comes back, nothing may have been written.
REFUSALS = {
    TRANSLATOR.gettext(language, text)
    for language in ("fr", "en")
    for text in (
        "You are not a member yet. Send /start to join.",
        "Your application is waiting for a coordinator's approval.",
        "This command is for coordinators or referents.",
        "This button is no longer active.",
        "Unknown command. Send /help to see what you can do.",
    )
}
BUSINESS_TABLES = (Member, Identity, Report, PointsEntry, Delivery, AuditEntry, ChannelBinding)


@pytest.fixture
async def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[AsyncEngine]:
    path = tmp_path / "fuzz.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield engine
    await engine.dispose()


class Fuzzed:
    """A network with one person of every role, French-speaking unless noted."""

    def __init__(self, engine: AsyncEngine, clock_start: object) -> None:
        from tests.support.harness import START

        url = str(engine.url)
        # The example config makes console:carol a coordinator, console:rita a referent.
        self.settings = settings_for(url, network__registration="approval")
        from bot.core.clock import FrozenClock

        self.clock = FrozenClock(START)
        self.network = Network(engine, self.settings, self.clock)
        self.app = self.network.app
        self.telegram = RecordingPlatform("telegram")
        self.app.attach(self.telegram)

    async def setup(self) -> None:
        for role in ROLES[1:]:
            await self.network.join(USERS[role], category="Entreprises", language="Français")
        async with self.app.sessions.begin() as session:
            (await _member(session, USERS["member"])).status = MemberStatus.ACTIVE
            for role, expected in (("referent", Role.REFERENT), ("coordinator", Role.COORDINATOR)):
                assert (await _member(session, USERS[role])).role is expected
            assert (await _member(session, "pending")).status is MemberStatus.PENDING

    async def counts(self) -> dict[str, int]:
        async with self.app.sessions() as session:
            return {
                table.__tablename__: int(
                    await session.scalar(select(func.count()).select_from(table)) or 0
                )
                for table in BUSINESS_TABLES
            }

    async def send(self, event: Event) -> list[str]:
        """Dispatch one event; return the texts the bot answered (console and Telegram)."""
        console_before = self.network.out.tell()
        telegram_before = len(self.telegram.sent)
        await self.app.dispatch(event, self.network.console)
        printed = self.network.out.getvalue()[console_before:]
        texts = [o.message.text for o in self.telegram.sent[telegram_before:]]
        texts += [
            line.split(":", 1)[1].strip()
            for line in printed.splitlines()
            if line.startswith("→ ") and ":" in line
        ]
        return texts


async def _member(session: object, name: str) -> Member:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    member = await session.scalar(
        select(Member)
        .join(Identity, Identity.member_id == Member.id)
        .where(Identity.platform == "console", Identity.user_id == name)
    )
    assert member is not None
    return member


def _check(role: str, texts: list[str], *, answer_due: bool) -> None:
    for text in texts:
        assert not any(apology in text for apology in APOLOGIES), text
        if role != "stranger":  # everyone else chose French
            for line in text.splitlines():
                assert line.strip() not in ENGLISH_ONLY, line
    if answer_due:
        assert texts, "no answer"


safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
)
payload_parts = st.one_of(
    st.sampled_from(["f", "cmd", "vis", "lang", "report", "join", "", "x", "1", "-1", "99"]),
    st.sampled_from([*MEDIUMS, "mention", "signal", "skip", "cancel", "yes", "no", "en"]),
    words,
)


@st.composite
def payloads(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        payload = ":".join(draw(st.lists(payload_parts, min_size=1, max_size=5)))
    else:
        payload = draw(safe_text)
    encoded = payload.encode()[:MAX_PAYLOAD_BYTES]
    return encoded.decode(errors="ignore") or "x"


def _event(role: str, *, private: bool = True, **action: object) -> Event:
    return Event(
        platform="console",
        user_id=USERS[role],
        user_name=role.capitalize(),
        chat_id=USERS[role] if private else "#business",
        is_private=private,
        language_code="fr",
        message_id="1" if "payload" in action else None,
        **action,  # type: ignore[arg-type]
    )


@pytest.fixture
async def fuzzed(sqlite_engine: AsyncEngine) -> Fuzzed:
    network = Fuzzed(sqlite_engine, None)
    await network.setup()
    return network


@FUZZ
@given(role=st.sampled_from(ROLES), text=safe_text, private=st.booleans())
async def test_arbitrary_text(fuzzed: Fuzzed, role: str, text: str, private: bool) -> None:
    texts = await fuzzed.send(_event(role, private=private, text=text))
    _check(role, texts, answer_due=private)


@FUZZ
@given(
    role=st.sampled_from(ROLES),
    name=st.sampled_from(COMMAND_NAMES),
    args=st.lists(words, max_size=4),
    private=st.booleans(),
)
async def test_commands_with_arbitrary_arguments(
    fuzzed: Fuzzed, role: str, name: str, args: list[str], private: bool
) -> None:
    before = await fuzzed.counts()
    texts = await fuzzed.send(_event(role, private=private, command=name, args=tuple(args)))
    _check(role, texts, answer_due=name not in ("cancel",) or private)
    if any(text in REFUSALS for text in texts):
        assert await fuzzed.counts() == before


@FUZZ
@given(role=st.sampled_from(ROLES), payload=payloads(), private=st.booleans())
async def test_arbitrary_or_tampered_buttons(
    fuzzed: Fuzzed, role: str, payload: str, private: bool
) -> None:
    before = await fuzzed.counts()
    texts = await fuzzed.send(_event(role, private=private, payload=payload))
    _check(role, texts, answer_due=False)
    if any(text in REFUSALS for text in texts):
        assert await fuzzed.counts() == before


@settings(FUZZ, max_examples=600)
@given(
    role=st.sampled_from(ROLES[1:]),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("text"), safe_text),
            st.tuples(st.just("press"), st.integers(min_value=1, max_value=9)),
            st.tuples(st.just("command"), st.sampled_from(["report", "cancel", "me", "help"])),
        ),
        min_size=1,
        max_size=8,
    ),
)
async def test_flows_driven_at_random_never_break(
    fuzzed: Fuzzed, role: str, steps: list[tuple[str, object]]
) -> None:
    """Real buttons pressed in any order, text at any step: every answer is a real one."""
    console = fuzzed.network.console
    for kind, value in steps:
        if kind == "press":
            found = await console._find_button(USERS[role], str(value))
            if found is None or found[1].url is not None:
                continue
            event = _event(role, payload=found[1].payload)
        elif kind == "text":
            event = _event(role, text=str(value))
        else:
            event = _event(role, command=str(value))
        texts = await fuzzed.send(event)
        _check(role, texts, answer_due=True)
    fuzzed.clock.advance(timedelta(minutes=1))


# -- the Telegram adapter's conversion ------------------------------------------------


telegram_users = st.fixed_dictionaries(
    {"id": st.integers(min_value=1, max_value=2**40), "is_bot": st.booleans(), "first_name": words},
    optional={"language_code": st.sampled_from(["fr", "en", "de", "", "zz-ZZ"])},
)


@st.composite
def telegram_updates(draw: st.DrawFn) -> dict[str, object]:
    user = draw(telegram_users)
    private = draw(st.booleans())
    chat = (
        {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if private
        else {"id": -draw(st.integers(1, 2**40)), "type": "supergroup", "title": "g"}
    )
    text = draw(safe_text.filter(bool))
    message: dict[str, object] = {"message_id": 1, "date": 0, "chat": chat, "from": user}
    if draw(st.booleans()):
        command = "/" + draw(words) + draw(st.sampled_from(["", "@relais_test_bot", "@other"]))
        text = command + draw(st.sampled_from(["", " "])) + text
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}
        ]
    message["text"] = text
    if draw(st.booleans()):
        return {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "from": user,
                "chat_instance": "c",
                "message": {**message, "from": {"id": 1, "is_bot": True, "first_name": "R"}},
                "data": draw(payloads()),
            },
        }
    return {"update_id": 1, "message": message}


@settings(FUZZ, max_examples=1_500)
@given(data=telegram_updates())
async def test_telegram_updates_convert_and_dispatch(
    fuzzed: Fuzzed, data: dict[str, object]
) -> None:
    update = Update.de_json(data, None)  # type: ignore[arg-type]
    event = to_event(update, "relais_test_bot")
    if event is None:
        return
    assert event.platform == "telegram" and event.user_id
    assert sum(x is not None for x in (event.command, event.payload, event.text)) == 1
    before = await fuzzed.counts()
    await fuzzed.app.dispatch(event, fuzzed.telegram)
    texts = [o.message.text for o in fuzzed.telegram.sent[-3:]]
    _check("stranger", texts, answer_due=False)
    if any(text in REFUSALS for text in texts[-1:]):
        assert await fuzzed.counts() == before


async def test_the_fuzz_checks_see_answers(fuzzed: Fuzzed) -> None:
    """The harness itself: answers are captured and the language check has teeth."""
    assert len(ENGLISH_ONLY) > 50
    texts = await fuzzed.send(_event("member", command="help"))
    assert texts and texts[0].startswith("Ce que vous pouvez faire")
    refused = await fuzzed.send(_event("pending", command="report"))
    assert refused and refused[0] in REFUSALS
    with pytest.raises(AssertionError):
        _check("member", ["What you can do:"], answer_due=True)
