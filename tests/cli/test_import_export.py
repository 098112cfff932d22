"""``relais import members`` and ``relais export``, through the real command line, on
SQLite and PostgreSQL; claiming an imported account with ``/start CODE``."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from bot.models import Identity, Member, PointsEntry
from tests.support.cli import read_csv, relais
from tests.support.harness import Network

GOOD = (
    "nom;e-mail;téléphone;catégorie;langue;rôle\n"
    "Éloïse Müller;eloise@example.org;;Tourisme & culture;fr;\n"
    "Jean Dupont;;06 12 34 56 78;business;français;membre\n"
    "Ann Smith;ann@example.org;;Research & education;en;referent\n"
)
BAD = (
    "name,email,phone,category,language,role\n"
    "Ok Person,,,business,en,\n"
    ",x@y.test,,business,en,\n"
    "Bob,not-an-email,,business,en,\n"
    "Caro,,12,nowhere,de,boss\n"
    "Ok Person,,,Business,,\n"
)


async def test_import_reimport_export_and_claim(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "members.csv"
    source.write_bytes(GOOD.encode("utf-8-sig"))
    dry = await relais(database_url, "import", "members", str(source), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert b"would import 3 new member(s); 0 already there" in dry.stdout
    assert read_csv((await relais(database_url, "export", "members")).stdout) == []

    first = await relais(database_url, "import", "members", str(source))
    assert b"imported 3 new member(s); 0 already there" in first.stdout, first.stderr
    again = await relais(database_url, "import", "members", str(source))
    assert b"imported 0 new member(s); 3 already there" in again.stdout

    rows = read_csv((await relais(database_url, "export", "members")).stdout)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"Éloïse Müller", "Jean Dupont", "Ann Smith"}
    assert by_name["Éloïse Müller"]["category"] == "tourism"
    assert by_name["Jean Dupont"]["phone"] == "0612345678"
    assert by_name["Ann Smith"]["role"] == "referent"
    assert all(len(row["invitation_code"]) == 8 for row in rows)
    exported = json.loads(
        (await relais(database_url, "export", "members", "--format", "json")).stdout
    )
    assert [row["name"] for row in exported] == [row["name"] for row in rows]

    code = by_name["Éloïse Müller"]["invitation_code"]
    out = await network.play(
        f"""
        @eloise /start {code.lower()}
        @eloise [Français]
        @eloise [J'accepte]
        """
    )
    assert "Bonjour Éloïse\u00a0!" in out  # a claimed account: greeted by first name
    assert "Bienvenue parmi les ambassadeurs «\u00a0Tourisme & culture\u00a0»" in out
    async with network.sessions() as session:
        member = await session.scalar(select(Member).where(Member.email == "eloise@example.org"))
        assert member is not None
        assert (member.invite_code, member.consent_version) == (None, "1")
        identity = await session.scalar(select(Identity).where(Identity.user_id == "eloise"))
        assert identity is not None and identity.member_id == member.id
    # The code works once: someone else sending it is told, and makes nobody new.
    out = await network.play(f"@mallory /start {code}")
    assert f"Le code {code} ne fonctionne pas" in out
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 3


async def test_a_bad_file_imports_nothing_and_lists_every_bad_row(
    database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(BAD, encoding="utf-8")
    result = await relais(database_url, "import", "members", str(source))
    assert result.returncode == 1
    errors = result.stderr.decode()
    assert f"{source}:3: name is empty" in errors
    assert f"{source}:4: email 'not-an-email' is not valid" in errors
    assert f"{source}:5: phone is not a phone number" in errors
    assert f"{source}:5: category 'nowhere' is unknown" in errors
    assert f"{source}:5: language must be one of fr, en" in errors
    assert f"{source}:5: role must be member, referent or coordinator" in errors
    assert f"{source}:6: same person as line 2" in errors
    assert "nothing was imported" in errors
    assert read_csv((await relais(database_url, "export", "members")).stdout) == []


async def test_export_reports_signals_points_round_trip(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    await network.join("alice", category="Tourism & culture")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice https://presse.test/fête-des-lumières
        @alice /report
        @alice [Opportunity signal]
        @alice [Film shoot]
        @alice Tournage d'un long métrage à Fourvière
        @alice Hélène, 06 11 22 33 44
        """
    )
    reports = read_csv((await relais(database_url, "export", "reports")).stdout)
    assert [r["kind"] for r in reports] == ["mention", "signal"]
    assert reports[0]["url"] == "https://presse.test/fête-des-lumières"
    signals = read_csv((await relais(database_url, "export", "signals")).stdout)
    assert signals[0]["contact"] == "Hélène, 06 11 22 33 44" and signals[0]["stage"] == "new"
    for_french_excel = (
        await relais(database_url, "export", "signals", "--separator", "semicolon")
    ).stdout
    assert for_french_excel.decode("utf-8-sig").splitlines()[0].count(";") >= 3
    assert read_csv(for_french_excel, delimiter=";") == signals
    output = tmp_path / "points.json"
    result = await relais(
        database_url, "export", "points", "--format", "json", "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    points = json.loads(output.read_text(encoding="utf-8"))
    async with network.sessions() as session:
        total = await session.scalar(select(func.sum(PointsEntry.points)))
    assert sum(entry["points"] for entry in points) == total == 15
    later = read_csv(
        (await relais(database_url, "export", "reports", "--since", "2026-03-05")).stdout
    )
    assert later == []
