"""``imvo-coach export``: reports from a real SQLite store, and the exact error lines."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

import bot.cli_export
from bot.cli import main
from knowledge import KnowledgeBaseError, Problem
from storage import AnswerRecord, SignalRecord, Store
from tests.summary_fixture import fixture_knowledge


@pytest.fixture(autouse=True)
def knowledge(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI gets the fixture knowledge base, so these tests do not depend on content."""
    monkeypatch.setattr(bot.cli_export, "default_knowledge", fixture_knowledge)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A store with one assessment of user "console:ann" (English) answering 3 questions."""
    path = tmp_path / "imvo.db"
    with Store(path) as store:
        store.add_user("console:ann", "en")
        store.add_user("tg:1", "nl")
        store.create_assessment("tg:1", "union")  # someone else's: number 1
        assessment = store.create_assessment("console:ann", "union")
        store.update_assessment(
            "console:ann", assessment.id, name="Zoë's Café € — 株式会社", country="Vietnam"
        )
        for question, text, stance, signals in (
            ("union.q01", "Nee, wie lid wordt ligt eruit", "no", (SignalRecord("no_union"),)),
            ("union.q02", "Ja", "yes", ()),
            ("union.q03", "weet ik niet", "unknown", ()),
            ("union.q02", "Deels", "partly", ()),  # a later answer replaces the earlier one
        ):
            store.save_answer(
                "console:ann", assessment.id, AnswerRecord(question, text, stance, signals, 0.9)
            )
    return path


def test_writes_a_pdf_named_after_company_and_date(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", "2", "--db", str(database)]) == 0
    [written] = tmp_path.glob("IMVO-Zoes-Cafe-株式会社-*.pdf")
    assert capsys.readouterr().err == f"Wrote {written.name} ({written.stat().st_size:,} bytes).\n"
    text = " ".join(page.extract_text() for page in PdfReader(written).pages)
    assert "IMVO report: Zoë's Café € — 株式会社" in text  # the user's language: English
    assert written.stat().st_mode & 0o077 == 0


def test_every_file_format_and_language_option(database: Path, tmp_path: Path) -> None:
    for fmt in ("pdf", "docx", "md", "csv", "json"):
        out = tmp_path / f"report.{fmt}"
        arguments = ["export", "2", "--format", fmt, "--db", str(database), "--lang", "nl"]
        assert main([*arguments, "--output", str(out)]) == 0
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["context"]["language"] == "nl"
    assert (data["counts"]["answered"], data["counts"]["unknown"]) == (2, 1)
    assert data["answers"][1]["answer_text"] == "Deels"
    rows = list(
        csv.reader(io.StringIO((tmp_path / "report.csv").read_text("utf-8-sig")), delimiter=";")
    )
    assert len(rows) == 1 + 40


def test_output_to_a_folder_and_to_standard_output(
    database: Path, tmp_path: Path, capfdbinary
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    assert (
        main(["export", "2", "--format", "md", "--db", str(database), "--output", str(folder)])
        == 0
    )
    assert len(list(folder.glob("IMVO-*.md"))) == 1
    capfdbinary.readouterr()
    assert main(["export", "2", "--format", "md", "--db", str(database), "--output", "-"]) == 0
    out = capfdbinary.readouterr().out.decode("utf-8")
    assert out.startswith("# IMVO report: Zoë's Café € — 株式会社\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["99"], "Error: no assessment 99 in {db}\n"),
        (
            ["2", "--output", "{tmp}/missing/folder/x.pdf"],
            "Error: cannot write {tmp}/missing/folder/x.pdf: No such file or directory\n",
        ),
    ],
)
def test_expected_problems_are_one_error_line(
    database: Path, tmp_path: Path, capsys, arguments: list[str], message: str
) -> None:
    arguments = [a.format(tmp=tmp_path) for a in arguments]
    assert main(["export", *arguments, "--db", str(database)]) == 1
    assert capsys.readouterr().err == message.format(db=database, tmp=tmp_path)


def test_a_missing_database_is_not_created(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nothing.db"
    assert main(["export", "1", "--db", str(missing)]) == 1
    assert capsys.readouterr().err == (
        f"Error: no database at {missing} (use --db PATH or set IMVO_COACH_DB)\n"
    )
    assert not missing.exists()


def test_a_broken_knowledge_base_points_to_kb_validate(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def broken():
        raise KnowledgeBaseError([Problem("a.yaml", "x"), Problem("b.yaml", "y")])

    monkeypatch.setattr(bot.cli_export, "default_knowledge", broken)
    assert main(["export", "2", "--db", str(database)]) == 1
    assert capsys.readouterr().err == (
        "Error: the knowledge base has 2 problem(s); run `imvo-coach kb validate` to see them\n"
    )


def test_a_failed_write_keeps_the_earlier_file(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    target = tmp_path / "report.md"
    target.write_text("earlier report", encoding="utf-8")

    def disk_full(self, other):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    assert (
        main(["export", "2", "--format", "md", "--db", str(database), "--output", str(target)])
        == 1
    )
    assert capsys.readouterr().err == f"Error: cannot write {target}: No space left on device\n"
    assert target.read_text(encoding="utf-8") == "earlier report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export-")] == []
