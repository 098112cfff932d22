"""Telegram end to end: python-telegram-bot talks HTTP to the fake Bot API server.

Updates go through real ``getUpdates`` calls (``poll_once``, or the polling loop itself)
and real webhook requests; every test runs on SQLite and on PostgreSQL. Retries never
sleep: the adapter's ``sleep`` is a recorder here, so a test asserts the wait instead.
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import TimedOut

from bot.core.clock import FrozenClock
from bot.core.port import Address, Button, Message, Outgoing
from bot.delivery import channels, queue
from bot.models import DeliveryStatus, ProcessedUpdate, Report
from bot.platforms.telegram.convert import split_text, to_event
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.paths import EXAMPLE_CONFIG
from tests.support.telegram_network import TelegramNetwork

GROUP_ID = -1001234
SECRET = "s3cret_token-for-tests"


@pytest.fixture
async def tg(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram
) -> AsyncIterator[TelegramNetwork]:
    network = TelegramNetwork(engine, database_url, clock, fake)
    await network.platform.initialize()
    yield network
    await network.platform.stop()


@pytest.fixture
def alice(fake: FakeTelegram) -> JSON:
    return fake.user(1001, "Alice", last_name="<b>Martin</b>")


@pytest.fixture
def bob(fake: FakeTelegram) -> JSON:
    return fake.user(1002, "Bob", language_code="fr")


# -- joining and reporting ------------------------------------------------------------


async def test_deep_link_join_fills_in_the_sponsor(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON, bob: JSON
) -> None:
    await tg.join(bob)
    sponsor = await tg.member(bob)
    await tg.join(alice, code=sponsor.sponsor_code.lower())
    member = await tg.member(alice)
    assert member.sponsor_id == sponsor.id
    assert member.display_name == "Alice <b>Martin</b>"
    texts = fake.texts(alice)
    assert not any("sponsor code" in text for text in texts)  # the link gave it
    assert "Welcome to the Business ambassadors!" in texts[-1]
    assert fake.unanswered_callbacks == set()
    identity = await tg.identity(alice)
    assert identity.private_chat_id == str(alice["id"])


async def test_invite_links_to_the_bot_it_learned_at_start(
    tg: TelegramNetwork, fake: FakeTelegram, bob: JSON
) -> None:
    await tg.join(bob)
    await tg.say(bob, "/invite")
    code = (await tg.member(bob)).sponsor_code
    assert f"On Telegram: https://t.me/relais_test_bot?start={code}" in fake.texts(bob)[-1]


async def test_mention_with_buttons_then_a_link(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    await tg.join(alice)
    await tg.say(alice, "/report")
    prompt = fake.last_message(alice, with_buttons=True)
    await tg.tap(alice, "Mention")
    # The pressed prompt now shows the choice and has lost its buttons.
    edited = fake.message(alice, prompt["message_id"])
    assert edited["text"].endswith("→ Mention") and "reply_markup" not in edited
    await tg.tap(alice, "Press")
    await tg.say(alice, "https://news.test/lyon")
    assert "+5 points" in fake.texts(alice)[-1]
    async with tg.sessions() as session:
        report = await session.scalar(select(Report))
    assert report is not None and (report.subkind, report.url) == (
        "press",
        "https://news.test/lyon",
    )
    assert fake.unanswered_callbacks == set()
    # Plain text: no parse mode, so a name with markup is shown as written.
    assert all("parse_mode" not in call.params for call in fake.calls_to("sendMessage"))


async def test_me_in_private_and_leaderboard_in_a_forum_topic(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    group = fake.group(GROUP_ID, "Lyon ambassadors", forum=True)
    await tg.join(alice)
    await tg.say(alice, "/report")
    await tg.tap(alice, "Mention")
    await tg.tap(alice, "Blog")
    await tg.tap(alice, "Skip")
    await tg.say(alice, "/me")
    assert "Points: 3 this week" in fake.texts(alice)[-1]

    await tg.deliver(fake.command(alice, "/leaderboard@relais_test_bot", chat=group, thread_id=7))
    [answer] = fake.sent_to(group)
    assert answer.params["message_thread_id"] == 7
    assert "1. Alice <b>Martin</b> — 3" in answer.text
    # A command meant for another bot in the group is not Relais' business.
    await tg.deliver(fake.command(alice, "/leaderboard@other_bot", chat=group, thread_id=7))
    assert len(fake.sent_to(group)) == 1


async def test_an_old_prompt_button_is_no_longer_active(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    await tg.join(alice)
    await tg.say(alice, "/report")
    old_prompt = copy.deepcopy(fake.last_message(alice, with_buttons=True))
    await tg.tap(alice, "Mention")
    await tg.deliver(fake.press(alice, old_prompt, "Opportunity signal"))
    assert fake.texts(alice)[-1] == "This button is no longer active."
    await tg.deliver(fake.forged_press(alice, old_prompt, "f:nope:1:x"))
    assert fake.texts(alice)[-1] == "This button is no longer active."
    assert fake.unanswered_callbacks == set()
    assert await tg.count(Report) == 0


async def test_a_redelivered_update_counts_once(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    await tg.join(alice)
    await tg.say(alice, "/report")
    await tg.tap(alice, "Mention")
    await tg.tap(alice, "Press")
    # The process handles the last message, then dies before its next getUpdates
    # acknowledges it: Telegram delivers it again to the restarted process.
    fake.push(fake.text(alice, "https://news.test/twice"))
    assert await tg.platform.poll_once() == 1
    assert len(fake.pending_updates) == 1
    again = await tg.restarted()
    await again.platform.initialize()
    try:
        assert await again.platform.poll_once() == 1
        assert await again.platform.poll_once() == 0  # acknowledged now
    finally:
        await again.platform.stop()
    assert await tg.count(Report) == 1
    assert sum("Your mention is recorded" in text for text in fake.texts(alice)) == 1
    # The same update twice in one batch (a webhook retry does this) is also one fact.
    twice = fake.text(alice, "/me")
    await tg.deliver(twice, copy.deepcopy(twice))
    assert sum(text.startswith("Alice") for text in fake.texts(alice)) == 1


# -- sending under Telegram's conditions ------------------------------------------------


async def test_flood_control_waits_retry_after_then_sends(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    fake.fail("sendMessage", "429", retry_after=3)
    await tg.say(alice, "/help")
    assert tg.sleeps == [pytest.approx(3.0, abs=0.5)]
    assert len(fake.calls_to("sendMessage")) == 2
    assert fake.texts(alice)[-1].startswith("What you can do:")


async def test_a_dropped_connection_is_retried_with_backoff(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    fake.fail("sendMessage", "disconnect")
    fake.fail("sendMessage", "502")
    await tg.say(alice, "/help")
    assert tg.sleeps == [1.0, 2.0]
    assert fake.texts(alice)[-1].startswith("What you can do:")


async def test_a_blocked_bot_marks_the_identity_unreachable(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON, clock: FrozenClock
) -> None:
    group = fake.group(GROUP_ID, "Lyon ambassadors")
    await tg.join(alice)
    fake.block(alice["id"])
    # Alice still talks in the group; the report flow must go to her private chat.
    await tg.deliver(fake.command(alice, "/report@relais_test_bot", chat=group))
    assert fake.texts(group) == ["I have sent you a private message to continue."]
    identity = await tg.identity(alice)
    assert identity.unreachable_at == clock.now()
    # She unblocks and writes in private: reachable again.
    fake.unblock(alice["id"])
    await tg.say(alice, "/help")
    assert (await tg.identity(alice)).unreachable_at is None


async def test_editing_with_identical_content_is_not_an_error(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON, caplog: pytest.LogCaptureFixture
) -> None:
    await tg.join(alice)
    await tg.say(alice, "/privacy")
    prompt = copy.deepcopy(fake.last_message(alice, with_buttons=True))
    await tg.tap(alice, "Anonymously")
    await tg.deliver(fake.press(alice, prompt, "Anonymously"))  # the same edit again
    edits = [
        c
        for c in fake.calls_to("editMessageText")
        if c.params["message_id"] == prompt["message_id"]
    ]
    assert len(edits) == 2  # the second one got "400 message is not modified"
    assert fake.texts(alice)[-2:] == ["Leaderboards: Anonymously", "Saved."]
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_group_that_became_a_supergroup_still_gets_its_messages(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    fake.group(-4001, "Lyon business")
    async with tg.sessions.begin() as session:
        await channels.bind(
            session, Address("telegram", "-4001"), "category:business", by=None, now=tg.clock.now()
        )
    supergroup = fake.migrate(-4001, -1004001)
    outgoing = Outgoing(Address("telegram", "-4001"), Message(text="Weekly leaderboard"))
    assert await tg.platform.send(outgoing) == "1"
    assert await tg.platform.send(outgoing) == "2"  # straight to the new id this time
    assert fake.texts(supergroup) == ["Weekly leaderboard", "Weekly leaderboard"]
    assert len(fake.sent_to(-4001)) == 1
    # The category's channel follows the group to its new id, across restarts.
    async with tg.sessions() as session:
        found = await channels.addresses_for(
            session, tg.settings, "category:business", ["telegram"]
        )
    assert found == [Address("telegram", "-1004001")]


async def test_images_long_texts_and_buttons(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    fake.push(fake.text(alice, "hi"))  # opens the private chat
    chat = Address("telegram", str(alice["id"]))
    button = Button("Open", "cmd:me")
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    await tg.platform.send(Outgoing(chat, Message("Your badge", ((button,),), image_png=png)))
    [photo] = fake.calls_to("sendPhoto")
    assert photo.params["photo"] == png and photo.text == "Your badge"
    assert photo.buttons == [("Open", "cmd:me")]
    data = b'{"member": {"name": "Alice"}}'
    await tg.platform.send(
        Outgoing(chat, Message("Your data", document=("relais-mydata.json", data)))
    )
    [document] = fake.calls_to("sendDocument")
    assert document.params["document"] == data and document.text == "Your data"
    long_text = "\n".join(f"{i}. " + "x" * 90 for i in range(60))  # about 5,600 characters
    message_id = await tg.platform.send(Outgoing(chat, Message(long_text, ((button,),))))
    first, second = fake.calls_to("sendMessage")
    assert first.buttons == [] and second.buttons == [("Open", "cmd:me")]
    assert first.text + "\n" + second.text == long_text
    assert message_id == str(fake.last_message(alice)["message_id"])


async def test_the_fake_server_can_answer_too_late(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON
) -> None:
    fake.push(fake.text(alice, "hi"))
    fake.fail("sendMessage", "timeout", delay=0.5)
    with pytest.raises(TimedOut):
        await tg.platform.bot.send_message(alice["id"], "late", read_timeout=0.1)

    # Like Telegram, it may still have delivered it: the reason a retry can duplicate.
    def delivered() -> bool:
        try:
            return fake.last_message(alice).get("text") == "late"
        except LookupError:
            return False

    await fake.wait_for(delivered)


# -- menus, polling and webhook ----------------------------------------------------------


async def test_command_menus_per_scope_and_language(
    tg: TelegramNetwork, fake: FakeTelegram
) -> None:
    private = fake.menu("all_private_chats", "en")
    assert {"start", "report", "me", "leaderboard", "help"} <= set(private)
    # French members see the French aliases (Telegram allows no accents in names).
    assert set(fake.menu("all_group_chats", "fr")) == {"signaler", "classement", "aide"}
    key = next(k for k in fake.commands if "all_private_chats" in k[0] and k[1] == "fr")
    descriptions = {c["command"]: c["description"] for c in fake.commands[key]}
    assert descriptions["rejoindre"] == "Rejoindre le réseau"
    assert {"moi", "confidentialite", "mesdonnees", "annuler"} <= set(descriptions)
    # The fallback for other languages speaks the network's (French here), names included.
    assert fake.menu("all_private_chats") == fake.menu("all_private_chats", "fr")


async def test_polling_loop_end_to_end(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram, alice: JSON
) -> None:
    network = TelegramNetwork(engine, database_url, clock, fake)
    await network.platform.start()
    try:
        fake.push(fake.command(alice, "/start"))
        await fake.wait_for(lambda: bool(fake.sent_to(alice)))
        fake.push(fake.press(alice, fake.last_message(alice, with_buttons=True), "English"))
        await fake.wait_for(lambda: "I agree" in str(fake.sent_to(alice)[-1].buttons))
    finally:
        await network.platform.stop()
    assert fake.pending_updates == []  # stopping acknowledged what was handled
    assert fake.unanswered_callbacks == set()
    assert await network.count(ProcessedUpdate) == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_refuses_requests_without_the_secret(
    engine: AsyncEngine, database_url: str, clock: FrozenClock, fake: FakeTelegram, alice: JSON
) -> None:
    port = _free_port()
    network = TelegramNetwork(
        engine,
        database_url,
        clock,
        fake,
        telegram__mode="webhook",
        telegram__webhook_port=str(port),
        telegram__webhook_url=f"http://127.0.0.1:{port}/telegram",
        telegram_webhook_secret=SECRET,
    )
    await network.platform.start()
    try:
        assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
        update = fake.command(alice, "/help")
        assert await fake.deliver_webhook(update, secret="not-the-secret") == 403
        assert await fake.deliver_webhook(update, secret=None) == 403
        assert await network.count(ProcessedUpdate) == 0
        assert fake.sent_to(alice) == []
        assert await fake.deliver_webhook(update) == 200
        await fake.wait_for(lambda: bool(fake.sent_to(alice)))
    finally:
        await network.platform.stop()
    assert fake.texts(alice)[0].startswith("What you can do:")
    assert await network.count(ProcessedUpdate) == 1


# -- pure conversions --------------------------------------------------------------------


def _update(data: JSON) -> Update:
    return Update.de_json(data, None)  # type: ignore[arg-type]


def test_group_text_and_commands_convert(fake: FakeTelegram, alice: JSON) -> None:
    group = fake.group(GROUP_ID, "Lyon", forum=True)
    event = to_event(_update(fake.text(alice, "hello", chat=group, thread_id=4)), "relais_test_bot")
    assert event is not None
    assert (event.chat_id, event.is_private, event.thread_id, event.text) == (
        str(GROUP_ID),
        False,
        "4",
        "hello",
    )
    command = to_event(
        _update(fake.command(alice, "/START@Relais_Test_Bot Abc123")), "relais_test_bot"
    )
    assert command is not None and (command.command, command.args) == ("start", ("Abc123",))
    assert command.is_private and command.user_name == "Alice <b>Martin</b>"
    assert command.language_code == "en"


def test_long_texts_are_cut_at_line_breaks() -> None:
    lines = [f"line {i:04d} " + "x" * 80 for i in range(100)]
    chunks = split_text("\n".join(lines), limit=1000)
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert "\n".join(chunks) == "\n".join(lines)


# -- `relais run` ----------------------------------------------------------------------


async def _relais_run(tmp_path: Path, fake: FakeTelegram, token: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "RELAIS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.sqlite3'}",
        "RELAIS_TELEGRAM_TOKEN": token,
        "RELAIS_TELEGRAM__API_BASE_URL": fake.base_url,
        "RELAIS_TELEGRAM__POLL_TIMEOUT": "10",
    }
    env.pop("RELAIS_DISCORD_TOKEN", None)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(EXAMPLE_CONFIG),
        "run",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )


async def test_relais_run_serves_telegram_until_sigterm(
    tmp_path: Path, fake: FakeTelegram, alice: JSON
) -> None:
    process = await _relais_run(tmp_path, fake, fake.token)
    try:
        fake.push(fake.command(alice, "/help"))
        await fake.wait_for(lambda: bool(fake.sent_to(alice)), within=30)
        process.send_signal(signal.SIGTERM)  # arrives during a 10 s long poll
        _, stderr = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert fake.texts(alice)[0].startswith("What you can do:")
    assert fake.pending_updates == []  # acknowledged on the way out


async def test_relais_run_with_a_refused_token_says_so(tmp_path: Path, fake: FakeTelegram) -> None:
    process = await _relais_run(tmp_path, fake, "999:WRONG")
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 3
    assert "the token was refused" in stderr.decode()
    assert "Traceback" not in stderr.decode()


# -- broadcasts through the delivery queue -----------------------------------------


async def test_queued_broadcast_marks_blocked_members_unreachable(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON, bob: JSON, clock: FrozenClock
) -> None:
    await tg.join(alice)
    await tg.join(bob)
    fake.block(bob["id"])
    planned = [
        queue.Planned(
            key=f"test:{user['id']}",
            address=Address("telegram", str(user["id"])),
            message=Message(text="Campaign: share the festival"),
            private=True,
        )
        for user in (alice, bob)
    ]
    async with tg.sessions.begin() as session:
        assert await queue.enqueue(session, clock.now(), "test", planned) == 2
    await tg.app.sender.drain()
    async with tg.sessions() as session:
        counts = await queue.progress(session, "test")
    assert (counts[DeliveryStatus.SENT], counts[DeliveryStatus.UNREACHABLE]) == (1, 1)
    assert fake.texts(alice)[-1] == "Campaign: share the festival"
    assert (await tg.identity(bob)).unreachable_at == clock.now()


# -- groups: greeting newcomers, moving to the private chat ---------------------------


async def test_newcomers_in_a_category_group_are_greeted_once(
    tg: TelegramNetwork, fake: FakeTelegram, alice: JSON, bob: JSON
) -> None:
    group = fake.group(GROUP_ID, "Lyon business")
    async with tg.sessions.begin() as session:
        await channels.bind(
            session,
            Address("telegram", str(GROUP_ID)),
            "category:business",
            by=None,
            now=tg.clock.now(),
        )
    await tg.join(alice)
    joined = fake.joins(group, alice, bob)
    await tg.deliver(joined)
    await tg.deliver(joined)  # redelivered
    await tg.deliver(fake.joins(group, bob))  # leaves and comes back
    greetings = fake.sent_to(group)
    assert [call.text for call in greetings] == [
        "Bienvenue, Bob\u00a0! Pour rejoindre les ambassadeurs Entreprises, "
        "ouvrez une discussion privée avec moi."
    ]
    assert greetings[0].buttons == [("Rejoindre", "https://t.me/relais_test_bot")]


async def test_a_stranger_in_a_group_gets_a_button_to_the_private_chat(
    tg: TelegramNetwork, fake: FakeTelegram, bob: JSON
) -> None:
    group = fake.group(GROUP_ID, "Lyon business")
    await tg.deliver(fake.command(bob, "/start@relais_test_bot SPONSOR1", chat=group))
    call = fake.sent_to(group)[-1]
    assert call.text.startswith("Continuons en privé")
    assert call.buttons == [
        ("Ouvrir une discussion privée", "https://t.me/relais_test_bot?start=SPONSOR1")
    ]
    assert fake.sent_to(bob["id"]) == []


async def test_referents_appointed_by_command_get_their_menu_and_lose_it(
    engine: AsyncEngine,
    database_url: str,
    clock: FrozenClock,
    fake: FakeTelegram,
    alice: JSON,
    bob: JSON,
) -> None:
    network = TelegramNetwork(engine, database_url, clock, fake, coordinators=["telegram:1002"])
    await network.platform.initialize()
    try:
        assert "referent" in fake.chat_menu(1002, "fr")  # appointed in config: set at start
        await network.join(bob)
        await network.join(alice)
        assert fake.chat_menu(1001) == []  # members use the members' menu
        number = (await network.member(alice)).id
        await network.say(bob, f"/referent #{number} business")
        menu = fake.chat_menu(1001, "en")
        assert {"plan", "stats", "report"} <= set(menu) and "referent" not in menu
        # The fallback for other languages speaks the network's (French), names included.
        assert fake.chat_menu(1001) == fake.chat_menu(1001, "fr")
        sets = len(fake.calls_to("setMyCommands"))
        await network.say(bob, f"/move #{number} tourism")  # same role: menu unchanged
        assert len(fake.calls_to("setMyCommands")) == sets
        await network.say(bob, f"/referent remove #{number} business")
        assert fake.chat_menu(1001) == [] and fake.chat_menu(1001, "fr") == []
        await network.say(bob, f"/coordinator #{number}")
        assert "referent" in fake.chat_menu(1001, "en")
    finally:
        await network.platform.stop()


async def test_french_commands_and_arguments_through_telegram(
    tg: TelegramNetwork, fake: FakeTelegram, bob: JSON
) -> None:
    """A French member types the names of his menu and French arguments; texts name the
    commands the way his menu does."""
    await tg.say(bob, "/rejoindre")
    await tg.tap(bob, "Français")
    await tg.tap(bob, "J'accepte")
    await tg.tap(bob, "Entreprises")
    await tg.tap(bob, "Passer")
    await tg.say(bob, "/aide")
    shown = fake.texts(bob)[-1]
    assert shown.startswith("Ce que vous pouvez faire\u00a0:")
    assert "/signaler — " in shown and "/classement — " in shown and "/report" not in shown
    await tg.say(bob, "/classement mois")
    assert fake.texts(bob)[-1].startswith("Classement — Toutes catégories — ce mois-ci")
    assert "Ouvrez le bal\u00a0: /signaler" in fake.texts(bob)[-1]
    await tg.say(bob, "/classement entreprises tout")
    assert fake.texts(bob)[-1].startswith("Classement — Entreprises — depuis le début")
    await tg.say(bob, "/signaler")
    assert fake.texts(bob)[-1] == "Que souhaitez-vous déclarer\u00a0?"
