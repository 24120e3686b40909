"""The store: private file, WAL, transactions, migrations, and users that never mix."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from storage import (
    DEFAULT_DB_PATH,
    AnswerRecord,
    AssessmentStatus,
    NotFoundError,
    Position,
    SchemaTooNewError,
    SignalRecord,
    StorageError,
    Store,
    resolve_db_path,
)
from storage.migrations import MIGRATIONS, Migration


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "data" / "test.db") as opened:
        yield opened


def answer(question: str = "union.present", stance: str | None = "no", text: str = "Nee"):
    return AnswerRecord(question, text, stance, (SignalRecord("no_union", "nee"),), 0.9)


def test_new_database_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "imvo.db"
    with Store(path) as store:
        store.add_user("u1", "nl")  # a write creates the -wal and -shm files
        assert store.db.journal_mode == "wal"
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_existing_world_readable_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "loose.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_schema_version_and_migrations_are_recorded(store: Store) -> None:
    assert store.schema_version == len(MIGRATIONS)
    rows = list(store.db.query("SELECT version, name FROM migrations ORDER BY version"))
    assert [row["version"] for row in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_older_database_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as old:
        old.add_user("u1", "en")

    def add_note_column(db) -> None:
        db["users"].add_column("note", str)

    newer = [*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "user notes", add_note_column)]
    with Store(path, migrations=newer) as store:
        assert store.schema_version == len(newer)
        assert "note" in store.db["users"].columns_dict
        assert store.get_user("u1").language == "en"  # data survived the migration


def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    Store(path).close()

    def broken(db) -> None:
        db["users"].add_column("half", str)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        Store(path, migrations=[*MIGRATIONS, Migration(len(MIGRATIONS) + 1, "broken", broken)])
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS)
        assert "half" not in store.db["users"].columns_dict


def test_newer_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(SchemaTooNewError) as raised:
        Store(path)
    assert str(raised.value) == (
        f"the database {path} has schema version 99, but this version of imvo-coach "
        f"supports up to {len(MIGRATIONS)}; upgrade imvo-coach or use another database file"
    )


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open the database"):
        Store(path)


def test_db_path_comes_from_option_then_environment_then_default() -> None:
    env = {"IMVO_COACH_DB": "/tmp/from-env.db"}
    assert resolve_db_path("/tmp/option.db", env) == Path("/tmp/option.db")
    assert resolve_db_path(None, env) == Path("/tmp/from-env.db")
    assert resolve_db_path(None, {"IMVO_COACH_DB": "  "}) == DEFAULT_DB_PATH
    assert resolve_db_path(None, {}) == Path("data/imvo-coach.db")


def test_latest_answer_wins_and_history_is_kept(store: Store) -> None:
    store.add_user("u1", "nl")
    assessment = store.create_assessment("u1", "union")
    store.save_answer("u1", assessment.id, answer(stance="no", text="Nee"))
    store.save_answer("u1", assessment.id, answer(stance="yes", text="Ja hoor"))
    latest = store.answers_for("u1", assessment.id)
    assert latest["union.present"].stance == "yes"
    assert latest["union.present"].signals == (SignalRecord("no_union", "nee"),)
    assert [a.text for a in store.answer_history("u1", assessment.id)] == ["Nee", "Ja hoor"]


def test_users_never_see_each_others_assessments(store: Store) -> None:
    store.add_user("alice", "nl")
    store.add_user("bob", "en")
    mine = store.create_assessment("alice", "union")
    store.save_answer("alice", mine.id, answer())
    assert store.find_assessment("bob", mine.id) is None
    assert store.answers_for("bob", mine.id) == {}
    assert store.list_assessments("bob") == []
    with pytest.raises(NotFoundError):
        store.save_answer("bob", mine.id, answer(stance="yes"))
    with pytest.raises(NotFoundError):
        store.update_assessment("bob", mine.id, name="stolen")
    assert store.delete_assessment("bob", mine.id) is False
    assert store.answers_for("alice", mine.id)["union.present"].stance == "no"
    assert store.assessment("alice", mine.id).name == ""


def test_update_assessment_checks_fields(store: Store) -> None:
    store.add_user("u1", "nl")
    assessment = store.create_assessment("u1", "policy")
    changed = store.update_assessment("u1", assessment.id, name="Zoë's Café", position=3)
    assert (changed.name, changed.position) == ("Zoë's Café", 3)
    with pytest.raises(StorageError):
        store.update_assessment("u1", assessment.id, user="someone else")
    with pytest.raises(StorageError):
        store.update_assessment("u1", assessment.id, status="lost")
    store.update_assessment("u1", assessment.id, status=AssessmentStatus.DONE)
    assert store.assessment("u1", assessment.id).status == "done"


def test_transaction_rolls_back_everything_on_error(store: Store) -> None:
    store.add_user("u1", "nl")
    assessment = store.create_assessment("u1", "union")

    def answer_then_crash() -> None:
        with store.transaction():
            store.save_answer("u1", assessment.id, answer())
            store.save_position("u1", Position("question", {"assessment": assessment.id}))
            raise RuntimeError("crash between answer and reply")

    with pytest.raises(RuntimeError):
        answer_then_crash()
    assert store.answers_for("u1", assessment.id) == {}
    assert store.load_position("u1") is None


def test_position_round_trips_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store(path) as store:
        store.add_user("u1", "nl")
        store.save_position("u1", Position("question", {"assessment": 1, "note": "é ✓"}))
        store.save_position("u1", Position("confirm", {"assessment": 1}))
    with Store(path) as store:
        assert store.load_position("u1") == Position("confirm", {"assessment": 1})


def test_delete_user_data_removes_every_row_of_that_user_only(store: Store) -> None:
    for user in ("alice", "bob"):
        store.add_user(user, "nl")
        assessment = store.create_assessment(user, "union")
        store.save_answer(user, assessment.id, answer())
        store.save_position(user, Position("question", {"assessment": assessment.id}))
    assert store.delete_user_data("alice") == 4
    assert store.get_user("alice") is None
    assert store.load_position("alice") is None
    for table in ("users", "assessments", "positions"):
        column = "id" if table == "users" else "user"
        values = [row[column] for row in store.db[table].rows]
        assert values == ["bob"], table
    assert store.db["answers"].count == 1
    assert Path(f"{store.path}-wal").stat().st_size == 0  # checkpointed: no copy left in the log


def test_delete_assessment_removes_its_answers(store: Store) -> None:
    store.add_user("u1", "nl")
    keep, drop = store.create_assessment("u1", "union"), store.create_assessment("u1", "ungp")
    store.save_answer("u1", keep.id, answer())
    store.save_answer("u1", drop.id, answer("ungp.remediation"))
    assert store.delete_assessment("u1", drop.id) is True
    assert [a.id for a in store.list_assessments("u1")] == [keep.id]
    assert store.db["answers"].count == 1


def test_broken_json_in_stored_rows_does_not_crash(store: Store) -> None:
    store.add_user("u1", "nl")
    assessment = store.create_assessment("u1", "union")
    store.save_answer("u1", assessment.id, answer())
    with store.transaction():
        store.db.execute("UPDATE answers SET signals = '{broken'")
        store.db.execute(
            "INSERT INTO positions (user, state, data, updated) VALUES ('u1', 'menu', '[1]', '')"
        )
    assert store.answers_for("u1", assessment.id)["union.present"].signals == ()
    assert store.load_position("u1") == Position("menu", {})


def test_answer_history_is_capped_per_question(store: Store) -> None:
    from storage.store import ANSWERS_KEPT_PER_QUESTION

    store.add_user("u1", "nl")
    assessment = store.create_assessment("u1", "union")
    for number in range(ANSWERS_KEPT_PER_QUESTION + 7):
        store.save_answer("u1", assessment.id, answer(text=f"antwoord {number}"))
    store.save_answer("u1", assessment.id, answer("union.cba", "yes", "Ja"))
    history = store.answer_history("u1", assessment.id)
    texts = [a.text for a in history if a.question == "union.present"]
    last = ANSWERS_KEPT_PER_QUESTION + 6
    first = last - ANSWERS_KEPT_PER_QUESTION + 1
    assert texts == [f"antwoord {n}" for n in range(first, last + 1)]
    assert [a.text for a in history if a.question == "union.cba"] == ["Ja"]  # other questions
    assert store.answers_for("u1", assessment.id)["union.present"].text == f"antwoord {last}"


def test_a_version_2_database_gets_the_inbox(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    with Store(path, migrations=MIGRATIONS[:2]) as old:
        old.add_user("u1", "en")
    with Store(path) as store:
        assert store.schema_version >= 3
        assert "inbox" in store.db.table_names()
        assert store.get_user("u1").language == "en"
