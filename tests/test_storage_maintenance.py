"""Keeping the database safe and small: redeliveries, retention, counts, online backups,
and the shipped migrations applied to a database from an older release."""

from __future__ import annotations

import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import (
    AnswerRecord,
    ChecklistCounts,
    Position,
    PurgeCounts,
    StorageError,
    Store,
    backup_database,
)
from storage.migrations import MIGRATIONS
from storage.store import DELIVERIES_KEPT_PER_USER

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "data" / "test.db") as opened:
        yield opened


def answer(question: str = "union.present", stance: str = "no") -> AnswerRecord:
    return AnswerRecord(question, stance, stance)


def age(store: Store, table: str, column: str, days: int, where: str = "1") -> None:
    """Pretend the rows were last touched ``days`` days before NOW."""
    stamp = (NOW - timedelta(days=days)).isoformat(timespec="microseconds")
    with store.transaction():
        store.db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [stamp])


def test_a_delivery_is_remembered_once_per_user(store: Store) -> None:
    store.add_user("alice", "nl")
    store.add_user("bob", "nl")
    assert store.remember_delivery("alice", "u7") is True
    assert store.remember_delivery("alice", "u7") is False
    assert store.remember_delivery("bob", "u7") is True  # another user's update 7
    for number in range(100, 100 + 2 * DELIVERIES_KEPT_PER_USER):
        store.remember_delivery("alice", f"u{number}")
    kept = store.db.execute("SELECT COUNT(*) FROM deliveries WHERE user = 'alice'").fetchone()
    assert kept[0] == DELIVERIES_KEPT_PER_USER
    assert store.remember_delivery("alice", f"u{99 + 2 * DELIVERIES_KEPT_PER_USER}") is False
    assert store.delete_user_data("alice") > DELIVERIES_KEPT_PER_USER
    assert store.db.execute("SELECT user FROM deliveries").fetchall() == [("bob",)]


def test_retention_deletes_only_what_was_untouched_for_that_long(store: Store) -> None:
    for user in ("old", "mixed", "fresh"):
        store.add_user(user, "nl")
    stale = store.create_assessment("old", "union")
    store.save_answer("old", stale.id, answer())
    store.save_position("old", Position("question", {"assessment": stale.id}))
    mixed_old = store.create_assessment("mixed", "union")
    mixed_new = store.create_assessment("mixed", "ungp")
    for assessment in (mixed_old, mixed_new):
        store.save_answer("mixed", assessment.id, answer())
    store.save_position("mixed", Position("question", {"assessment": mixed_new.id}))
    kept = store.create_assessment("fresh", "policy")
    store.save_answer("fresh", kept.id, answer("policy.commitment", "yes"))
    store.remember_delivery("old", "u1")
    age(store, "users", "created", 400)
    age(store, "assessments", "updated", 181, f"id IN ({stale.id}, {mixed_old.id})")
    age(store, "assessments", "updated", 179, f"id = {kept.id}")
    age(store, "assessments", "updated", 1, f"id = {mixed_new.id}")
    age(store, "positions", "updated", 200, "user = 'old'")
    age(store, "positions", "updated", 1, "user = 'mixed'")
    age(store, "deliveries", "seen", 200)

    counts = store.purge_untouched(180, at=NOW)

    assert counts == PurgeCounts(assessments=2, answers=2, positions=1, users=1)
    assert store.get_user("old") is None  # nothing left of this user at all
    assert [a.id for a in store.list_assessments("mixed")] == [mixed_new.id]
    assert [a.id for a in store.list_assessments("fresh")] == [kept.id]  # 179 days: kept
    assert store.get_user("fresh") is not None  # still has an assessment
    assert store.answers_for("mixed", mixed_new.id) != {}
    assert store.db["deliveries"].count == 0
    assert Path(f"{store.path}-wal").stat().st_size == 0  # no deleted rows left in the log
    assert store.purge_untouched(180, at=NOW) == PurgeCounts()
    with pytest.raises(StorageError, match="at least 1 day"):
        store.purge_untouched(0)


def test_a_purged_assessment_under_an_open_question_leads_to_the_menu(
    knowledge, understanding, store: Store
) -> None:
    from conversations.engine import Engine
    from tests.conftest import Chat
    from tests.test_engine_conversations import start_checklist

    alice = Chat(Engine(knowledge, store, understanding), "test:alice")
    start_checklist(alice, "union")
    alice.press("Nee")
    age(store, "assessments", "updated", 200)
    assert store.purge_untouched(180, at=NOW).assessments == 1
    alice.say("ja")
    assert alice.state == "menu"
    assert store.list_assessments("test:alice") == []


def test_counts_say_how_much_never_what(store: Store) -> None:
    for user in ("a", "b"):
        store.add_user(user, "nl")
        union = store.create_assessment(user, "union")
        store.save_answer(user, union.id, answer())
        store.save_answer(user, union.id, answer("union.present", "yes"))
    store.create_assessment("a", "policy")
    counts = store.counts()
    assert (counts.users, counts.assessments, counts.answers) == (2, 3, 4)
    assert counts.by_status == {"active": 3}
    assert counts.by_checklist == (
        ChecklistCounts("policy", assessments=1, answers=0),
        ChecklistCounts("union", assessments=2, answers=4),
    )


def test_a_database_of_the_first_release_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with Store(path, migrations=MIGRATIONS[:1]) as old:
        assert old.schema_version == 1
        old.add_user("u1", "en")
        # The first release's rows, written as it wrote them.
        old.db.execute(
            "INSERT INTO assessments (id, user, checklist, created, updated, status, position)"
            " VALUES (7, 'u1', 'union', '2025-01-01', '2025-01-02', 'paused', 3)"
        )
        old.db.execute(
            "INSERT INTO answers (assessment, question, text, stance, signals, answered)"
            " VALUES (7, 'union.present', 'Nee', 'no', '[]', '2025-01-02')"
        )
        old.db.conn.commit()
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 2
        kept = store.assessment("u1", 7)
        assert (kept.role, kept.position, kept.status, kept.members) == ("owner", 3, "paused", 1)
        assert store.answers_for("u1", kept.id)["union.present"].stance == "no"
        assert store.answers_for("u1", kept.id)["union.present"].user == "u1"
        assert store.remember_delivery("u1", "u1") is True  # the new table works


def _write_constantly(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Another connection: each transaction adds an assessment with exactly one answer."""
    with Store(path) as writer:
        writer.add_user("w", "nl")
        while not stop.is_set():
            with writer.transaction():
                assessment = writer.create_assessment("w", "union")
                writer.save_answer("w", assessment.id, answer())
            written.append(assessment.id)


def test_online_backup_is_consistent_private_and_opens(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    Store(source).close()
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_constantly, args=(source, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        results = [backup_database(source, tmp_path / "backups" / f"{n}.db") for n in range(3)]
        results.append(backup_database(source, tmp_path / "backups"))  # a folder: dated file
    finally:
        stop.set()
        writer.join()
    assert results[-1].path.name.startswith("imvo-coach-")
    counts = []
    for result in results:
        assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
        assert not Path(f"{result.path}-wal").exists()
        assert result.schema_version == len(MIGRATIONS)
        connection = sqlite3.connect(result.path)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_assessment = connection.execute(
            "SELECT COUNT(answers.id) FROM assessments"
            " LEFT JOIN answers ON answers.assessment = assessments.id GROUP BY assessments.id"
        ).fetchall()
        connection.close()
        assert set(per_assessment) == {(1,)}  # never an assessment without its answer
        counts.append(len(per_assessment))
        with Store(result.path) as restored:
            assert len(restored.list_assessments("w")) == counts[-1]
    assert counts == sorted(counts)  # a fresh snapshot each time
    assert counts[0] >= 20
    leftovers = [p.name for p in (tmp_path / "backups").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_backup_refuses_what_makes_no_sense(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="there is no database at"):
        backup_database(tmp_path / "missing.db", tmp_path / "copy.db")
    source = tmp_path / "live.db"
    Store(source).close()
    with pytest.raises(StorageError, match="must not overwrite the database itself"):
        backup_database(source, source)
    (tmp_path / "file").write_text("x")
    with pytest.raises(StorageError, match="cannot write the backup"):
        backup_database(source, tmp_path / "file" / "copy.db")


def test_readme_names_every_table_and_field_that_is_stored(store: Store) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Privacy and security", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(" `"): line for line in section.splitlines() if "| `" in line}
    for table in store.db.table_names():
        if table == "migrations":  # the schema history: no personal data
            continue
        assert table in rows, f"README does not describe table {table}"
        for column in store.db[table].columns_dict:
            assert f"`{column}`" in rows[table], f"README lacks {table}.{column}"
    for command in ("/forget", "RETENTION_DAYS", "imvo-coach purge", "imvo-coach backup"):
        assert command in section
