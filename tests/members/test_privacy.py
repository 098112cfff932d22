"""GDPR: /mydata, /forget (by the member or a coordinator), consent versions, purge of
old applicants, and no personal data in the logs."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import func, select

from bot.cli import exporter
from bot.models import (
    AuditEntry,
    Delivery,
    DeliveryStatus,
    Identity,
    Member,
    PointsEntry,
    Report,
)
from tests.support.actions import press
from tests.support.harness import Network, NetworkFactory

SECRETS = ("Alice", "alice", "Hélène", "06 11 22 33 44", "biotech", "https://press.test/alice")


async def alice_and_bob(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.join("bob")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice https://press.test/alice
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice A fund looking at biotech
        @alice Hélène, 06 11 22 33 44
        @bob /report
        @bob [Mention]
        @bob [Social post]
        @bob https://social.test/bob
        """
    )


async def totals(network: Network) -> tuple[int, int]:
    async with network.sessions() as session:
        points = await session.scalar(select(func.sum(PointsEntry.points)))
        reports = await session.scalar(select(func.count()).select_from(Report))
    return int(points or 0), int(reports or 0)


async def exports(network: Network) -> str:
    texts = []
    async with network.sessions() as session:
        for kind in exporter.KINDS:
            out = io.BytesIO()
            chunks = exporter.rows(session, kind, None, network.settings.network.timezone)
            await exporter.write(out, kind, "json", chunks)
            texts.append(out.getvalue().decode())
    return "\n".join(texts)


async def test_forget_then_mydata_and_exports_show_nothing(network: Network) -> None:
    await alice_and_bob(network)
    out = await network.play("@alice /mydata")
    assert "[file: relais-mydata.json, " in out
    _name, content = network.console.history[-1].message.document  # type: ignore[misc]
    data = json.loads(content)
    assert data["member"]["name"] == "Alice"
    assert [r["contact"] for r in data["reports"]] == [None, "Hélène, 06 11 22 33 44"]
    assert sum(entry["points"] for entry in data["points"]) == 15
    assert data["identities"] == [
        {"platform": "console", "user_id": "alice", "private_chat_id": "alice"}
    ]
    out = await press(network, "carol", "sig:q:2")
    assert "→ @alice: Good news" in out  # a message through the queue, addressed to her
    before = await totals(network)
    stats_before = (await network.play("@carol /stats")).split("Actions in the last", 1)[1]
    out = await network.play("@bob /leaderboard")
    assert "1. Alice — 15" in out and "2. Bob — 2" in out
    exported = await exports(network)
    assert "Alice" in exported and "Hélène" in exported

    out = await network.play(
        """
        @alice /forget
        @alice [Yes, erase my data]
        """
    )
    assert "Your data was erased." in out
    assert await totals(network) == before
    stats_after = (await network.play("@carol /stats")).split("Actions in the last", 1)[1]
    assert stats_after.split("[image")[0] == stats_before.split("[image")[0]
    out = await network.play("@bob /leaderboard")
    assert "1. Bob — 2" in out and "Alice" not in out
    exported = await exports(network)
    # The signal was qualified: its description is the network's lead and stays.
    assert "A fund looking at biotech" in exported
    assert not [secret for secret in SECRETS if secret in exported and secret != "biotech"]
    out = await network.play("@alice /mydata")
    assert "Vous n'êtes pas encore membre." in out  # the default language now
    # The bot never contacts them again: their signal moving tells nobody.
    out = await press(network, "carol", "sig:w:2")
    assert "Stage: won" in out and "→ @alice" not in out
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Identity)) == 2
        to_alice = select(func.count()).select_from(Delivery).where(Delivery.chat_id == "alice")
        assert await session.scalar(to_alice) == 0  # the queue keeps nothing addressed to her
        husk = await session.scalar(select(Member).where(Member.status == "forgotten"))
        assert husk is not None and husk.display_name == "" and husk.email is None
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.forget"))
        assert audit is not None and audit.details == {"on_request_of": "self"}


async def test_coordinator_erases_on_request(network: Network) -> None:
    await alice_and_bob(network)
    out = await network.play("@alice /erase bob")
    assert "This command is for coordinators or referents." in out
    out = await network.play("@carol /erase o")
    assert "Several members match" in out and "Carol" in out and "Bob" in out
    out = await network.play("@carol /erase bob")
    assert "Erase the data of #3 Bob (Business)?" in out
    out = await press(network, "alice", "gdpr:erase:3")
    assert "This button is for coordinators." in out
    out = await network.play("@carol [Erase]")
    assert "Member #3 was erased." in out
    async with network.sessions() as session:
        bob = await session.get(Member, 3)
        assert bob is not None and bob.status == "forgotten"
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "member.forget"))
        assert entry is not None and entry.actor_id == 1 and entry.target_member_id == 3


async def test_changed_consent_text_asks_again(network_factory: NetworkFactory) -> None:
    first = network_factory()
    await first.join("alice")
    updated = network_factory(privacy__consent_version="2026-06")
    out = await updated.play("@alice /me")
    assert "The consent text has changed." in out and "Points:" not in out
    out = await updated.play("@alice /mydata")
    assert "[file: relais-mydata.json" in out
    out = await updated.play(
        """
        @alice /me
        @alice [I agree]
        """
    )
    # Agreeing carries out the command that was held back.
    assert "Thank you!" in out and "Points: 0 this week" in out
    async with updated.sessions() as session:
        alice = await session.scalar(select(Member))
        assert alice is not None and alice.consent_version == "2026-06"
        assert alice.consent_at == updated.clock.now()


async def test_applicants_never_approved_are_deleted_after_retention(
    network_factory: NetworkFactory,
) -> None:
    network = network_factory(
        network__registration="approval", privacy__delivery_retention_days="365"
    )
    await network.join("carol")
    await network.join("paul")

    async def members() -> int:
        async with network.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(Member)) or 0)

    async def cards() -> int:  # the application card, sent to the coordinators, names Paul
        async with network.sessions() as session:
            query = select(func.count()).where(Delivery.key.startswith("application:2:card"))
            return int(await session.scalar(query) or 0)

    await network.play("~ +89d")
    assert await members() == 2 and await cards() == 1
    await network.play("~ +2d")
    assert await members() == 1 and await cards() == 0
    out = await network.play("@paul /report")
    assert "Vous n'êtes pas encore membre." in out  # the default language now


async def test_no_personal_data_in_logs(network: Network, caplog: pytest.LogCaptureFixture) -> None:
    # Everything at DEBUG, and SQLAlchemy's statement log on as `database.echo = true`
    # turns it on (SQLAlchemy keeps itself at WARNING otherwise).
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    await alice_and_bob(network)
    await network.play(
        """
        @carol [Qualify]
        @carol [Add a note]
        @carol Hélène called back about biotech
        @carol /stats
        @carol /signals 2
        @alice /mydata
        @alice /forget
        @alice [Yes, erase my data]
        """
    )
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "INSERT INTO reports" in logged  # statements were logged, at DEBUG
    leaks = [secret for secret in (*SECRETS, "Bob", "social.test") if secret in logged]
    assert not leaks, leaks


async def test_mydata_holds_notes_reasons_audit_messages_and_flows(network: Network) -> None:
    await alice_and_bob(network)
    await press(network, "carol", "sig:q:2")
    await network.play(
        """
        @carol /signals 2
        @carol [Add a note]
        @carol Biotech fund, call on Monday
        """
    )
    await press(network, "carol", "rev:r:1")
    await network.play("@carol Duplicate of another article")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice /mydata
        """
    )
    _name, content = network.console.history[-1].message.document  # type: ignore[misc]
    data = json.loads(content)
    history = {r["id"]: r["history"] for r in data["reports"]}
    assert {"action": "note", "note": "Biotech fund, call on Monday"} in [
        {"action": e["action"], "note": e["note"]} for e in history[2]
    ]
    assert "Duplicate of another article" in [e["note"] for e in history[1]]
    assert [e["action"] for e in data["audit"]] == [
        "signal.qualified",
        "signal.note",
        "mention.rejected",
    ]
    texts = [m["text"] for m in data["messages"]]
    assert any(t.startswith("Good news: the coordinators qualified") for t in texts), texts
    assert any("Reason: Duplicate of another article" in t for t in texts), texts
    assert [(f["flow"], f["step"]) for f in data["flows_in_progress"]] == [("report", "medium")]


async def test_forget_keeps_the_leads_coordinators_took_up(network: Network) -> None:
    await alice_and_bob(network)
    await network.play(
        """
        @alice /report
        @alice [Opportunity signal]
        @alice [Talent]
        @alice A designer moving to town
        @alice Jo, jo@example.test
        """
    )
    await press(network, "carol", "sig:q:2")
    await press(network, "carol", "sig:w:2")
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    assert "Kept, without any name" in out and "description, stage and history" in out
    out = await network.play("@carol /signals 2")
    assert "Opportunity signal #2 — Investor" in out and "From a forgotten member" in out
    assert "“A fund looking at biotech”" in out and "Stage: won" in out
    assert "Carol: qualified" in out and "Carol: won" in out
    assert "Hélène" not in out and "Contact:" not in out
    # Nobody had taken up signal #4: it was only her words, now erased, and it left triage.
    out = await network.play("@carol /signals 4")
    assert "designer" not in out and "Jo," not in out and "Stage: not relevant" in out
    out = await network.play("@carol /signals")
    assert "#4" not in out
    async with network.sessions() as session:
        won = await session.get(Report, 2)
        dropped = await session.get(Report, 4)
        assert won is not None and won.text == "A fund looking at biotech" and won.contact is None
        assert dropped is not None and (dropped.text, dropped.contact) == (None, None)
        entries = await session.scalar(
            select(func.count()).select_from(PointsEntry).where(PointsEntry.report_id == 2)
        )
        assert entries == 2  # the report's points and the won bonus stay, anonymous


async def test_sent_messages_are_pruned_after_the_retention_period(network: Network) -> None:
    await alice_and_bob(network)
    async with network.sessions.begin() as session:
        session.add(
            Delivery(
                key="waiting:1",
                batch="waiting",
                platform="telegram",  # not running here: it stays pending
                chat_id="1",
                message={"text": "later"},
                status=DeliveryStatus.PENDING,
                not_before=network.clock.now(),
                created_at=network.clock.now(),
            )
        )

    async def kept() -> dict[str, DeliveryStatus]:
        async with network.sessions() as session:
            return dict((await session.execute(select(Delivery.key, Delivery.status))).all())

    first = await kept()
    sent = {key for key, status in first.items() if status is DeliveryStatus.SENT}
    assert len(sent) == 2 and first["waiting:1"] is DeliveryStatus.PENDING
    await network.play("~ +29d")  # later jobs queue and send other messages meanwhile
    assert sent <= set(await kept())
    await network.play("~ +2d")
    left = await kept()
    assert not sent & set(left) and left["waiting:1"] is DeliveryStatus.PENDING
