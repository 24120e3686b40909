"""`imvo-coach backup` and `imvo-coach purge`: the operator's tools for the database file."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from bot.cli import main
from storage import AnswerRecord, Store


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    """A database with one old and one recent assessment."""
    path = tmp_path / "data" / "coach.db"
    with Store(path) as store:
        for user in ("tg:1", "tg:2"):
            store.add_user(user, "nl")
            assessment = store.create_assessment(user, "union")
            store.save_answer(user, assessment.id, AnswerRecord("union.present", "Nee", "no"))
        with store.transaction():
            store.db.execute(
                "UPDATE assessments SET updated = '2001-01-01T00:00:00+00:00' WHERE user = 'tg:1'"
            )
    return path


def test_backup_writes_a_private_copy_while_the_database_is_open(
    live_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backups" / "coach-copy.db"
    with Store(live_db) as running:  # the bot holds the database open and writes
        running.add_user("tg:3", "en")  # still in the write-ahead log, not the main file
        assert main(["backup", str(target), "--db", str(live_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Backup of {live_db} written to {target} (")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT COUNT(*) FROM answers").fetchone() == (2,)
    assert copy.execute("SELECT COUNT(*) FROM users").fetchone() == (3,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()


def test_backup_problems_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["backup", str(tmp_path / "b.db"), "--db", str(tmp_path / "none.db")]) == 1
    assert capsys.readouterr().err == f"Error: there is no database at {tmp_path / 'none.db'}\n"


def test_purge_uses_the_option_then_retention_days(
    live_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "36500")  # a century: out of range
    assert main(["purge", "--db", str(live_db)]) == 2
    assert "RETENTION_DAYS: expected a number from 1 to 3650" in capsys.readouterr().err
    monkeypatch.setenv("RETENTION_DAYS", "3650")
    assert main(["purge", "--db", str(live_db)]) == 0
    assert capsys.readouterr().out == (
        "Deleted 1 checklists with 1 answers, 0 idle dialogue positions and 0 users "
        "untouched for 3650 days.\n"
    )
    assert main(["purge", "--older-than", "0", "--db", str(live_db)]) == 2
    assert main(["purge", "--older-than", "1", "--db", str(live_db)]) == 0
    with Store(live_db) as store:
        assert len(store.list_assessments("tg:2")) == 1  # changed today: kept
        assert store.list_assessments("tg:1") == []


def test_purge_never_creates_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    missing = tmp_path / "nowhere.db"
    assert main(["purge", "--older-than", "30", "--db", str(missing)]) == 1
    assert capsys.readouterr().err == f"Error: there is no database at {missing}\n"
    assert not missing.exists()
