"""The signal pipeline: coordinators get every signal with buttons, move it through its
stages, the reporter hears it in their language, a won signal pays its bonus once."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import AuditEntry, PointsEntry, Report, ReportEvent
from tests.support.actions import press
from tests.support.harness import Network

SIGNAL = """
    @{name} /report
    @{name} [{kind}]
    @{name} [{what}]
    @{name} {text}
    @{name} [{skip}]
"""


async def report_signal(network: Network, name: str, text: str, *, french: bool = False) -> str:
    return await network.play(
        SIGNAL.format(
            name=name,
            kind="Signal d'opportunité" if french else "Opportunity signal",
            what="Investisseur" if french else "Investor",
            text=text,
            skip="Passer" if french else "Skip",
        )
    )


async def scalar_count(network: Network, query) -> int:  # type: ignore[no-untyped-def]
    async with network.sessions() as session:
        return int(await session.scalar(query) or 0)


async def test_signal_life_cycle_with_notifications(network: Network) -> None:
    await network.join("carol")  # a coordinator by config
    await network.join("bruno", category="Sport", language="Français")
    out = await report_signal(
        network, "bruno", "Un fonds regarde la biotech à Gerland", french=True
    )
    assert "→ @carol: Opportunity signal #1 — Investor" in out
    assert "From Bruno (Sport)" in out and "“Un fonds regarde la biotech à Gerland”" in out
    assert (
        "[1] Qualify  [2] Assign to me  [3] Won  [4] Lost  [5] Not relevant  [6] Add a note" in out
    )
    assert "→ #coordinators: Signal d'opportunité n°1 — Investisseur" in out  # network language
    assert "→ #sport" not in out and "→ #business" not in out  # never a category channel

    out = await network.play("@carol [Qualify]")
    assert "→ @carol (edited): Opportunity signal #1" in out and "Stage: qualified" in out
    assert "→ @bruno: Bonne nouvelle\u00a0: les coordinateurs ont qualifié" in out

    out = await network.play("@carol [Assign to me]")
    assert "Stage: in progress — followed by Carol" in out
    assert "→ @bruno: Un coordinateur suit maintenant" in out
    assert "Assign to me" not in out.split("followed by Carol", 1)[1]

    out = await network.play(
        """
        @carol [Add a note]
        @carol Called the fund, meeting on Friday
        """
    )
    assert "Note added to signal #1." in out
    assert "@bruno" not in out  # notes stay between coordinators

    out = await network.play("@carol /signals 1")
    assert "History:" in out
    for line in (
        "Bruno: reported",
        "Carol: qualified",
        "Carol: in progress",
        "Carol: note — Called the fund, meeting on Friday",
    ):
        assert line in out

    network.clock.advance(__import__("datetime").timedelta(days=2))
    out = await network.play("@carol [Won]")
    assert "Stage: won" in out
    assert "→ @bruno: Votre signal d'opportunité «\u00a0Un fonds regarde la biotech" in out
    assert "+50 points" in out

    # A second press (another coordinator's old card, a retried update) changes nothing.
    out = await press(network, "carol", "sig:l:1")
    assert "Signal #1 is already closed: won." in out
    won = select(func.count()).select_from(PointsEntry).where(PointsEntry.reason == "signal_won")
    assert await scalar_count(network, won) == 1
    async with network.sessions() as session:
        report = await session.scalar(select(Report))
        assert report is not None and report.stage == "won"
        actions = list(await session.scalars(select(ReportEvent.action).order_by(ReportEvent.id)))
        assert actions == ["qualified", "in_progress", "note", "won"]
        audited = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert audited == ["signal.qualified", "signal.in_progress", "signal.note", "signal.won"]


async def test_only_coordinators_triage_and_list(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.join("rita")  # a referent: still not allowed to triage
    await report_signal(network, "alice", "A film crew scouting the old town")
    for user in ("alice", "rita"):
        out = await press(network, user, "sig:w:1")
        assert "This button is for coordinators." in out
        out = await network.play(f"@{user} /signals")
        assert "This command is for coordinators or referents." in out
    won = select(func.count()).select_from(PointsEntry).where(PointsEntry.reason == "signal_won")
    assert await scalar_count(network, won) == 0
    out = await press(network, "carol", "sig:w:99")
    assert "no longer active" in out


async def test_signals_listing_filters_and_stays_private(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.join("sam", category="Sport")
    await report_signal(network, "alice", "Investor from Geneva")
    await report_signal(network, "sam", "Investor for the stadium")
    await press(network, "carol", "sig:x:1")
    out = await network.play("@carol #business /signals")
    assert "→ #business: I have sent you a private message" in out
    assert "→ @carol: 1 signal" in out and "#2" in out and "#1 " not in out
    out = await network.play("@carol /signals all")
    assert "2 signals" in out
    out = await network.play("@carol /signals not_relevant business")
    assert "1 signal" in out and "Investor from Geneva" in out
    out = await network.play("@carol /signals won")
    assert "No signal matches." in out
    out = await network.play("@carol /signals nonsense")
    assert "Usage: /signals" in out
