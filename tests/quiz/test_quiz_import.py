"""``relais import quiz``: CSV and TOML through the real command line, all or nothing with
line numbers, no question stored twice (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.models import QuizQuestion
from tests.support.cli import relais
from tests.support.harness import Network
from tests.support.people import count

CSV = (
    "question_fr;question_en;options_fr;options_en;correct;explanation_fr;explanation_en;"
    "categories\n"
    "Quelle rivière traverse Roanne ?;Which river runs through Roanne?;La Loire|Le Rhône;"
    "The Loire|The Rhône;1;La Loire, bien sûr.;The Loire, of course.;\n"
    "Combien de communes ?;How many municipalities?;40|50|60;40|50|60;1|3;Deux réponses.;;"
    "business\n"
)
BAD_ROW = CSV + "Une seule option ?;;Oui;;1;;;\n"
TOML = """
[[question]]
question_en = "Which year did the festival start?"
options_en = ["1990", "2001"]
correct = 2
explanation_en = "It started in 2001."

[[question]]
question_fr = "Quel est le plat local ?"
options_fr = ["La pizza", "La pomme de terre"]
correct = [3]
"""


async def test_csv_imports_once_and_a_bad_row_imports_nothing(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_ROW, encoding="utf-8")
    refused = await relais(database_url, "import", "quiz", str(bad))
    assert refused.returncode == 1
    assert f"{bad}:4: fr: a question has 2 to 10 options" in refused.stderr.decode()
    assert "nothing was imported" in refused.stderr.decode()
    assert await count(network, QuizQuestion) == 0
    good = tmp_path / "good.csv"
    good.write_text(CSV, encoding="utf-8")
    dry = await relais(database_url, "import", "quiz", str(good), "--dry-run")
    assert b"would import 2 question(s)" in dry.stdout, dry.stderr
    assert await count(network, QuizQuestion) == 0
    done = await relais(database_url, "import", "quiz", str(good))
    assert b"imported 2 question(s); 0 already there" in done.stdout, done.stderr
    again = await relais(database_url, "import", "quiz", str(good))
    assert b"imported 0 question(s); 2 already there" in again.stdout
    async with network.sessions() as session:
        second = await session.scalar(
            select(QuizQuestion).where(QuizQuestion.text_en == "How many municipalities?")
        )
    assert second is not None
    assert second.correct == [0, 2] and second.categories == ["business"]
    assert second.options_en == ["40", "50", "60"]


async def test_toml_errors_name_the_question_line(
    network: Network, database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "quiz.toml"
    source.write_text(TOML, encoding="utf-8")
    refused = await relais(database_url, "import", "quiz", str(source))
    assert refused.returncode == 1
    assert f"{source}:8: the correct option must be a number from 1 to 2" in (
        refused.stderr.decode()
    )
    assert await count(network, QuizQuestion) == 0
    source.write_text(TOML.replace("correct = [3]", "correct = [2]"), encoding="utf-8")
    done = await relais(database_url, "import", "quiz", str(source))
    assert b"imported 2 question(s)" in done.stdout, done.stderr
