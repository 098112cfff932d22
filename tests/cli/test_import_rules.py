"""``relais import members``: the columns and roles it understands, what a re-import
reports and ``--update`` applies, and the suppression list that keeps erased people out
(through the real command line, on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.models import Member, MemberStatus, ReferentCategory, Role, Suppression
from tests.support.cli import read_csv, relais
from tests.support.harness import Network

MASTER = (
    "Prénom;Nom;Courriel;Portable;Catégorie;Langue;Rôle;Ville;Notes\n"
    "Éloïse;Müller;eloise@example.org;;Tourisme & culture;fr;Référente;Lyon;\n"
    "Jean;Dupont;;06 12 34 56 78;business;français;Ambassadrice;Vienne;x\n"
    "Ann;Smith;ann@example.org;;Research & education;en;COORDINATRICE;Lyon;\n"
)


async def write(tmp_path: Path, text: str, name: str = "members.csv") -> Path:
    source = tmp_path / name
    source.write_bytes(text.encode("utf-8-sig"))
    return source


async def test_first_and_last_names_phone_columns_roles_and_unknown_columns(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    source = await write(tmp_path, MASTER)
    dry = await relais(database_url, "import", "members", str(source), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "columns not understood (ignored): 'Ville', 'Notes'" in dry.stderr.decode()
    assert b"would import 3 new member(s)" in dry.stdout
    done = await relais(database_url, "import", "members", str(source))
    assert "columns not understood (ignored): 'Ville', 'Notes'" in done.stderr.decode()
    rows = {
        row["name"]: row
        for row in read_csv((await relais(database_url, "export", "members")).stdout)
    }
    assert set(rows) == {"Éloïse Müller", "Jean Dupont", "Ann Smith"}
    assert rows["Jean Dupont"]["phone"] == "0612345678"
    roles = {name: row["role"] for name, row in rows.items()}
    assert roles == {
        "Éloïse Müller": "referent",
        "Jean Dupont": "member",
        "Ann Smith": "coordinator",
    }
    async with network.sessions() as session:
        referent_of = (
            await session.execute(
                select(Member.display_name, ReferentCategory.category).join(
                    ReferentCategory, ReferentCategory.member_id == Member.id
                )
            )
        ).all()
    assert referent_of == [("Éloïse Müller", "tourism")]
    # She claims her account and /plan knows her category.
    code = rows["Éloïse Müller"]["invitation_code"]
    await network.play(
        f"""
        @eloise /start {code}
        @eloise [Français]
        @eloise [J'accepte]
        """
    )
    out = await network.play("@eloise /plan")
    assert "Tourisme & culture" in out, out


async def test_english_first_and_last_name_columns(database_url: str, tmp_path: Path) -> None:
    source = await write(
        tmp_path,
        "First name,Last name,Mobile,Category,Role\nAnn,Smith,+33 6 11 22 33 44,sport,Referent\n",
    )
    result = await relais(database_url, "import", "members", str(source))
    assert result.returncode == 0, result.stderr
    assert b"columns not understood" not in result.stderr
    [row] = read_csv((await relais(database_url, "export", "members")).stdout)
    assert (row["name"], row["phone"], row["role"]) == ("Ann Smith", "'+33611223344", "referent")


async def test_duplicate_headers_are_refused_in_one_line(database_url: str, tmp_path: Path) -> None:
    for header, says in (
        ("name,email,category,Email", "the header has the column 'Email' twice (columns 2 and 4)"),
        ("name,email,courriel,category", "the columns 'email' and 'courriel' both give the email"),
    ):
        source = await write(tmp_path, f"{header}\nAnn,a@x.org,b@x.org,sport\n")
        result = await relais(database_url, "import", "members", str(source))
        assert result.returncode == 1
        assert result.stderr.decode().splitlines() == [f"relais: {source}: {says}; keep one"]
    assert read_csv((await relais(database_url, "export", "members")).stdout) == []


async def test_reimport_lists_changed_rows_and_update_applies_them(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    await relais(database_url, "import", "members", str(await write(tmp_path, MASTER)))
    changed = MASTER.replace(
        "Jean;Dupont;;06 12 34 56 78;business;français;Ambassadrice",
        "Jean;Dupont;;06 12 34 56 78;sport;english;référent",
    ).replace(
        "ann@example.org;;Research & education;en",
        "ann@example.org;0611223344;Research & education;en",
    )
    source = await write(tmp_path, changed, "changed.csv")
    listed = await relais(database_url, "import", "members", str(source))
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout.decode()
    assert "imported 0 new member(s); 1 already there (3 rows)" in out
    assert "2 rows differ from the members already there (lines 3, 4); add --update" in out
    async with network.sessions() as session:
        jean = await session.scalar(select(Member).where(Member.display_name == "Jean Dupont"))
        assert jean is not None and (jean.category, jean.role) == ("business", Role.MEMBER)
    dry = await relais(database_url, "import", "members", str(source), "--update", "--dry-run")
    assert "would update 2 member(s) whose row changed (lines 3, 4)" in dry.stdout.decode()
    applied = await relais(database_url, "import", "members", str(source), "--update")
    assert "updated 2 member(s) whose row changed (lines 3, 4)" in applied.stdout.decode()
    async with network.sessions() as session:
        jean = await session.scalar(select(Member).where(Member.display_name == "Jean Dupont"))
        assert jean is not None
        assert (jean.category, jean.language, jean.role) == ("sport", "en", Role.REFERENT)
        categories = await session.scalars(
            select(ReferentCategory.category).where(ReferentCategory.member_id == jean.id)
        )
        assert list(categories) == ["sport"]
        ann = await session.scalar(select(Member).where(Member.email == "ann@example.org"))
        assert ann is not None and ann.phone == "0611223344"
    again = await relais(database_url, "import", "members", str(source))
    assert "3 already there" in again.stdout.decode() and "differ" not in again.stdout.decode()


async def test_people_who_asked_to_be_erased_are_never_imported_again(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    source = await write(tmp_path, MASTER)
    await relais(database_url, "import", "members", str(source))
    rows = read_csv((await relais(database_url, "export", "members")).stdout)
    code = next(row["invitation_code"] for row in rows if row["name"] == "Éloïse Müller")
    await network.play(
        f"""
        @eloise /start {code}
        @eloise [Français]
        @eloise [J'accepte]
        @eloise /forget
        @eloise [Oui, effacer mes données]
        """
    )
    async with network.sessions() as session:
        forgotten = await session.scalar(
            select(func.count()).where(Member.status == MemberStatus.FORGOTTEN)
        )
        assert forgotten == 1
    for dry_run in (("--dry-run",), ()):
        again = await relais(database_url, "import", "members", str(source), *dry_run)
        assert again.returncode == 0, again.stderr
        out = again.stdout.decode()
        assert "1 rows skipped: these people asked to be erased (lines 2)" in out
        assert "0 new member(s); 2 already there" in out
    # A later sheet with only her name in her category, or her address elsewhere, too.
    other = await write(
        tmp_path,
        "nom;catégorie;e-mail\nÉLOÏSE  müller;tourism;\nE. Müller;sport;Eloise@Example.org\n",
        "other.csv",
    )
    result = await relais(database_url, "import", "members", str(other))
    assert "2 rows skipped: these people asked to be erased (lines 2, 3)" in result.stdout.decode()
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 3
        digests = list(await session.scalars(select(Suppression.digest)))
    assert len(digests) == 2  # her email, her name in her category
    table = " ".join(digests).lower()
    for clear in ("eloise", "müller", "muller", "example.org", "tourism"):
        assert clear not in table
