"""CSV in and out: a file Relais cannot read ends in one line and an exit code, never a
traceback; every cell Relais writes is one a spreadsheet will not run as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.core import csvsafe
from tests.support.cli import read_csv, relais

HEADER = b"name,category\n"


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (HEADER + b"Ann," + b"x" * 200_000 + b"\n", "line 2: field larger than field limit"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "it holds NUL bytes"),
        (HEADER + b"Ann\x00Smith,sport\n", "it holds NUL bytes"),
        (HEADER + b"\x81\x8d\x90,sport\n", "it is neither UTF-8 nor Windows-1252 text"),
        (b"", "the file is empty"),
        (b"nickname,town\nAnn,Lyon\n", "the header has no name and no category column"),
    ],
    ids=["oversized field", "binary", "NUL in a cell", "undecodable", "empty", "no columns"],
)
async def test_a_file_that_cannot_be_read_ends_in_one_line(
    database_url: str, tmp_path: Path, content: bytes, says: str
) -> None:
    source = tmp_path / "members.csv"
    source.write_bytes(content)
    for dry_run in (("--dry-run",), ()):
        result = await relais(database_url, "import", "members", str(source), *dry_run)
        assert result.returncode == 1
        assert one_line(result.stderr).startswith(f"relais: {source}: {says}")
    assert read_csv((await relais(database_url, "export", "members")).stdout) == []


async def test_a_missing_file_ends_in_one_line(database_url: str, tmp_path: Path) -> None:
    result = await relais(database_url, "import", "members", str(tmp_path / "nowhere.csv"))
    assert result.returncode == 1
    assert one_line(result.stderr) == f"relais: {tmp_path / 'nowhere.csv'}: no such file"


async def test_windows_1252_with_semicolons_is_read(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes("Prénom;Nom;Catégorie\nHélène;Lefèvre;Sport\n".encode("cp1252"))
    result = await relais(database_url, "import", "members", str(source))
    assert result.returncode == 0, result.stderr
    [row] = read_csv((await relais(database_url, "export", "members")).stdout)
    assert (row["name"], row["category"]) == ("Hélène Lefèvre", "sport")


async def test_a_formula_in_a_name_is_exported_as_text(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    names = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "Ann"]
    source.write_bytes(
        (
            "name,category\n"
            + "".join(f'"{n.replace(chr(34), 2 * chr(34))}",sport\n' for n in names)
        ).encode()
    )
    result = await relais(database_url, "import", "members", str(source))
    assert result.returncode == 0, result.stderr
    for separator, flag in ((",", "comma"), (";", "semicolon")):
        exported = await relais(database_url, "export", "members", "--separator", flag)
        rows = read_csv(exported.stdout, separator)
        assert sorted(row["name"] for row in rows) == sorted(
            ["'" + name for name in names[:4]] + ["Ann"]
        )
        assert rows[0]["name"] == """'=HYPERLINK("http://x","y")"""


def test_every_formula_start_is_neutralized() -> None:
    out = io.StringIO()
    values = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "a=b", ""]
    csvsafe.write_rows(out, ["v", "n"], [{"v": v, "n": -3} for v in values])
    [header, *rows] = list(csv.reader(io.StringIO(out.getvalue())))
    assert header == ["v", "n"]
    assert [row[0] for row in rows] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "plain", "a=b", ""
    ]  # fmt: skip
    assert {row[1] for row in rows} == {"-3"}  # numbers stay numbers
