"""The store: the few reads and writes the dialogue needs, each scoped to one user.

Every method that touches an assessment takes the user ID too and only sees that user's
rows, so a forged assessment ID can never reach someone else's answers. Writes run in a
transaction; ``Store.transaction()`` groups several into one (the engine wraps each
event in one, so an answer and the new dialogue position are committed together).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.database import connect, migrate, now, write_transaction
from storage.errors import NotFoundError, StorageError
from storage.migrations import MIGRATIONS, Migration
from storage.records import (
    AnswerRecord,
    AssessmentRecord,
    AssessmentStatus,
    ChecklistCounts,
    Position,
    PurgeCounts,
    SignalRecord,
    StoreCounts,
    UserRecord,
)

ASSESSMENT_FIELDS = ("name", "country", "sector", "status", "position")
# A redelivered input is always one of the last few; older delivery keys are dropped.
DELIVERIES_KEPT_PER_USER = 50
# Answers kept per question of an assessment: the latest and a few earlier ones as
# history; older ones go, so answering and going back again and again stays bounded.
ANSWERS_KEPT_PER_QUESTION = 5
# Named columns, so a column a later release adds never reaches the records.
_USER_COLUMNS = ", ".join(field.name for field in fields(UserRecord))
_ASSESSMENT_COLUMNS = ", ".join(field.name for field in fields(AssessmentRecord))
_ANSWER_COLUMNS = ", ".join(
    f"answers.{name}"
    for name in (
        "id",
        "assessment",
        "question",
        "text",
        "stance",
        "signals",
        "confidence",
        "answered",
    )
)


class Store:
    """A SQLite database file (created when missing, migrated when older).

    :param path: the database file; its folder is created when missing.
    :param migrations: the schema history; only tests pass their own.
    """

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._checkpoint_after_commit = False
        self.db = connect(self.path)
        try:
            self.schema_version = migrate(self.db, str(self.path), migrations)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        """Close the database (safe to call twice)."""
        with self._lock, contextlib.suppress(Exception):
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all are committed together, or none when an exception escapes."""
        with self._lock:
            outermost = not self.db.conn.in_transaction
            with write_transaction(self.db):
                yield
            if outermost and self._checkpoint_after_commit:
                self._checkpoint_after_commit = False
                # Deleted rows may live on in the write-ahead log until a checkpoint.
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- users ---------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        """The user, or None when unknown (new, or after forget)."""
        rows = self._query(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", [user_id])
        return UserRecord(**rows[0]) if rows else None

    def add_user(self, user_id: str, language: str) -> UserRecord:
        """Create a user (kept as is when it already exists) and return it."""
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO users (id, language, created) VALUES (?, ?, ?)",
                [user_id, language, now()],
            )
        user = self.get_user(user_id)
        assert user is not None
        return user

    def set_language(self, user_id: str, language: str) -> None:
        """Remember the user's language."""
        with self.transaction():
            self.db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])

    # -- assessments ---------------------------------------------------------------------

    def create_assessment(self, user_id: str, checklist_id: str) -> AssessmentRecord:
        """Start an assessment of ``checklist_id`` for the user, at its first question."""
        stamp = now(precise=True)
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO assessments (user, checklist, created, updated, status, position)"
                " VALUES (?, ?, ?, ?, ?, 0)",
                [user_id, checklist_id, stamp, stamp, AssessmentStatus.ACTIVE],
            )
        return self.assessment(user_id, int(cursor.lastrowid or 0))

    def find_assessment(self, user_id: str, assessment_id: int) -> AssessmentRecord | None:
        """The user's assessment with this ID, or None (also when it is someone else's)."""
        rows = self._query(
            f"SELECT {_ASSESSMENT_COLUMNS} FROM assessments WHERE id = ? AND user = ?",
            [assessment_id, user_id],
        )
        return AssessmentRecord(**rows[0]) if rows else None

    def assessment(self, user_id: str, assessment_id: int) -> AssessmentRecord:
        """The user's assessment with this ID; raises ``NotFoundError`` otherwise."""
        found = self.find_assessment(user_id, assessment_id)
        if found is None:
            raise NotFoundError(f"no assessment {assessment_id} for this user")
        return found

    def list_assessments(self, user_id: str) -> list[AssessmentRecord]:
        """The user's assessments, most recently changed first."""
        rows = self._query(
            f"SELECT {_ASSESSMENT_COLUMNS} FROM assessments WHERE user = ?"
            " ORDER BY updated DESC, id DESC",
            [user_id],
        )
        return [AssessmentRecord(**row) for row in rows]

    def update_assessment(
        self, user_id: str, assessment_id: int, **changes: Any
    ) -> AssessmentRecord:
        """Change name, country, sector, status or position; ``updated`` is set to now."""
        unknown = set(changes) - set(ASSESSMENT_FIELDS)
        if unknown:
            raise StorageError(f"cannot change assessment field(s) {sorted(unknown)}")
        if "status" in changes and changes["status"] not in AssessmentStatus.ALL:
            raise StorageError(f"unknown assessment status {changes['status']!r}")
        columns = ", ".join(f"{name} = ?" for name in changes)
        with self.transaction():
            cursor = self.db.execute(
                f"UPDATE assessments SET {columns}{', ' if columns else ''}updated = ? "
                "WHERE id = ? AND user = ?",
                [*changes.values(), now(precise=True), assessment_id, user_id],
            )
            if cursor.rowcount != 1:
                raise NotFoundError(f"no assessment {assessment_id} for this user")
        return self.assessment(user_id, assessment_id)

    def delete_assessment(self, user_id: str, assessment_id: int) -> bool:
        """Delete the user's assessment and all its answers; False when there was none."""
        with self.transaction():
            if self.find_assessment(user_id, assessment_id) is None:
                return False
            self.db.execute("DELETE FROM answers WHERE assessment = ?", [assessment_id])
            self.db.execute(
                "DELETE FROM assessments WHERE id = ? AND user = ?", [assessment_id, user_id]
            )
            self._checkpoint_after_commit = True
        return True

    # -- answers -------------------------------------------------------------------------

    def save_answer(self, user_id: str, assessment_id: int, answer: AnswerRecord) -> AnswerRecord:
        """Store an answer (earlier answers to the question stay as history)."""
        stamp = now()
        signals = [
            {"signal": hit.signal, "evidence": hit.evidence, "implied": hit.implied}
            for hit in answer.signals
        ]
        with self.transaction():
            self.assessment(user_id, assessment_id)  # ownership check
            cursor = self.db.execute(
                "INSERT INTO answers (assessment, question, text, stance, signals, confidence,"
                " answered) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    assessment_id,
                    answer.question,
                    answer.text,
                    answer.stance,
                    json.dumps(signals, ensure_ascii=False),
                    answer.confidence,
                    stamp,
                ],
            )
            self.db.execute(
                "DELETE FROM answers WHERE assessment = ? AND question = ? AND id NOT IN"
                " (SELECT id FROM answers WHERE assessment = ? AND question = ?"
                " ORDER BY id DESC LIMIT ?)",
                [
                    assessment_id,
                    answer.question,
                    assessment_id,
                    answer.question,
                    ANSWERS_KEPT_PER_QUESTION,
                ],
            )
            self.db.execute(
                "UPDATE assessments SET updated = ? WHERE id = ?",
                [now(precise=True), assessment_id],
            )
        return replace(answer, answered=stamp, assessment=assessment_id, id=cursor.lastrowid)

    def answers_for(self, user_id: str, assessment_id: int) -> dict[str, AnswerRecord]:
        """The latest answer per question of the user's assessment."""
        latest: dict[str, AnswerRecord] = {}
        for answer in self.answer_history(user_id, assessment_id):
            latest[answer.question] = answer
        return latest

    def answer_history(self, user_id: str, assessment_id: int) -> list[AnswerRecord]:
        """Every answer ever given in the user's assessment, oldest first."""
        rows = self._query(
            f"SELECT {_ANSWER_COLUMNS} FROM answers"
            " JOIN assessments ON assessments.id = answers.assessment"
            " WHERE answers.assessment = ? AND assessments.user = ? ORDER BY answers.id",
            [assessment_id, user_id],
        )
        return [_answer(row) for row in rows]

    # -- dialogue position ---------------------------------------------------------------

    def load_position(self, user_id: str) -> Position | None:
        """Where the user was in the dialogue, or None when there is nothing saved."""
        rows = self._query("SELECT state, data FROM positions WHERE user = ?", [user_id])
        if not rows:
            return None
        try:
            data = json.loads(rows[0]["data"])
        except ValueError:
            data = {}
        return Position(rows[0]["state"], data if isinstance(data, dict) else {})

    def save_position(self, user_id: str, position: Position) -> None:
        """Remember where the user is in the dialogue."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO positions (user, state, data, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(user) DO UPDATE SET state = excluded.state,"
                " data = excluded.data, updated = excluded.updated",
                [user_id, position.state, json.dumps(position.data, ensure_ascii=False), now()],
            )

    # -- deliveries ----------------------------------------------------------------------

    def remember_delivery(self, user_id: str, key: str) -> bool:
        """Record that the user's input ``key`` (e.g. a Telegram update_id) is being
        handled; False when it was already, so a redelivered input is handled once."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO deliveries (user, key, seen) VALUES (?, ?, ?)",
                [user_id, key, now()],
            )
            if cursor.rowcount == 0:
                return False
            self.db.execute(
                "DELETE FROM deliveries WHERE user = ? AND rowid NOT IN (SELECT rowid FROM"
                " deliveries WHERE user = ? ORDER BY rowid DESC LIMIT ?)",
                [user_id, user_id, DELIVERIES_KEPT_PER_USER],
            )
        return True

    # -- privacy -------------------------------------------------------------------------

    def delete_user_data(self, user_id: str) -> int:
        """Delete every row about the user; returns how many rows went."""
        with self.transaction():
            deleted = self.db.execute(
                "DELETE FROM answers WHERE assessment IN"
                " (SELECT id FROM assessments WHERE user = ?)",
                [user_id],
            ).rowcount
            for sql in (
                "DELETE FROM assessments WHERE user = ?",
                "DELETE FROM positions WHERE user = ?",
                "DELETE FROM deliveries WHERE user = ?",
                "DELETE FROM inbox WHERE user = ?",
                "DELETE FROM users WHERE id = ?",
            ):
                deleted += self.db.execute(sql, [user_id]).rowcount
            self._checkpoint_after_commit = True
        return deleted

    def purge_untouched(self, days: int, *, at: datetime | None = None) -> PurgeCounts:
        """Retention: delete every assessment (with its answers) not changed for ``days``
        days, dialogue positions idle that long, and users with nothing left."""
        if days < 1:
            raise StorageError(f"retention must be at least 1 day, got {days}")
        cutoff = ((at or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")
        old_assessments = "SELECT id FROM assessments WHERE updated < ?"
        with self.transaction():
            answers = self.db.execute(
                f"DELETE FROM answers WHERE assessment IN ({old_assessments})", [cutoff]
            ).rowcount
            assessments = self.db.execute(
                "DELETE FROM assessments WHERE updated < ?", [cutoff]
            ).rowcount
            positions = self.db.execute(
                "DELETE FROM positions WHERE updated < ?", [cutoff]
            ).rowcount
            self.db.execute("DELETE FROM deliveries WHERE seen < ?", [cutoff])
            self.db.execute("DELETE FROM inbox WHERE received < ?", [cutoff])
            users = self.db.execute(
                "DELETE FROM users WHERE created < ?"
                " AND id NOT IN (SELECT user FROM assessments)"
                " AND id NOT IN (SELECT user FROM positions)"
                " AND id NOT IN (SELECT user FROM deliveries)",
                [cutoff],
            ).rowcount
            counts = PurgeCounts(assessments, answers, positions, users)
            if counts.total:
                self._checkpoint_after_commit = True
        return counts

    def counts(self) -> StoreCounts:
        """How many users, assessments and answers there are, by status and checklist."""
        total = self._query(
            "SELECT (SELECT COUNT(*) FROM users) AS users,"
            " (SELECT COUNT(*) FROM assessments) AS assessments,"
            " (SELECT COUNT(*) FROM answers) AS answers",
            [],
        )[0]
        statuses = self._query(
            "SELECT status, COUNT(*) AS n FROM assessments GROUP BY status ORDER BY status", []
        )
        checklists = self._query(
            "SELECT checklist, COUNT(DISTINCT assessments.id) AS assessments,"
            " COUNT(answers.id) AS answers FROM assessments"
            " LEFT JOIN answers ON answers.assessment = assessments.id"
            " GROUP BY checklist ORDER BY checklist",
            [],
        )
        return StoreCounts(
            users=total["users"],
            assessments=total["assessments"],
            answers=total["answers"],
            by_status={row["status"]: row["n"] for row in statuses},
            by_checklist=tuple(ChecklistCounts(**row) for row in checklists),
        )

    def _query(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, params))


def _answer(row: dict[str, Any]) -> AnswerRecord:
    try:
        raw_signals = json.loads(row["signals"] or "[]")
    except ValueError:
        raw_signals = []
    signals = tuple(
        SignalRecord(str(s.get("signal", "")), str(s.get("evidence", "")), bool(s.get("implied")))
        for s in raw_signals
        if isinstance(s, dict) and s.get("signal")
    )
    return AnswerRecord(
        question=row["question"],
        text=row["text"],
        stance=row["stance"],
        signals=signals,
        confidence=row["confidence"],
        answered=row["answered"],
        assessment=row["assessment"],
        id=row["id"],
    )
