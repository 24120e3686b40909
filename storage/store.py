"""The store: the few reads and writes the dialogue needs, each scoped to one user.

Every method that touches an assessment takes the user ID too and only sees that user's
rows, so a forged assessment ID can never reach someone else's answers. Writes run in a
transaction; ``Store.transaction()`` groups several into one (the engine wraps each
event in one, so an answer and the new dialogue position are committed together).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from storage.database import connect, migrate, now
from storage.errors import NotFoundError, StorageError
from storage.group_commit import SharedConnection
from storage.migrations import MIGRATIONS, Migration
from storage.privacy import PrivacyStore
from storage.records import (
    AnswerRecord,
    AssessmentRecord,
    AssessmentStatus,
    MemberRole,
    Position,
    SignalRecord,
    UserRecord,
)
from storage.team import TeamStore

ASSESSMENT_FIELDS = ("name", "country", "sector", "status", "position")
MEMBER_FIELDS = ("status", "position")  # each member has their own place in the checklist
# A redelivered input is always one of the last few; older delivery keys are dropped.
DELIVERIES_KEPT_PER_USER = 50
# Answers kept per member and question: the latest and a few earlier ones as
# history; older ones go, so answering and going back again and again stays bounded.
ANSWERS_KEPT_PER_QUESTION = 5
# Named columns, so a column a later release adds never reaches the records.
_USER_COLUMNS = ", ".join(field.name for field in fields(UserRecord))
# An assessment as one member sees it: the shared fields, with their own place in it.
_ASSESSMENT_SELECT = (
    "SELECT a.id, a.user, a.checklist, a.name, a.country, a.sector, a.created, a.updated,"
    " m.status, m.position, m.role, (SELECT COUNT(*) FROM members c WHERE c.assessment ="
    f" a.id AND c.role IN {MemberRole.ACTIVE!r}) AS members FROM assessments a JOIN members m"
    f" ON m.assessment = a.id AND m.user = ? AND m.role IN {MemberRole.ACTIVE!r}"
)
_ANSWER_COLUMNS = ", ".join(
    name
    for name in (
        "id",
        "assessment",
        "question",
        "text",
        "stance",
        "signals",
        "confidence",
        "answered",
        "user",
    )
)


class Store(TeamStore, PrivacyStore):
    """A SQLite database file (created when missing, migrated when older).

    :param path: the database file; its folder is created when missing.
    :param migrations: the schema history; only tests pass their own.
    """

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        self._checkpoint_after_commit = False
        self.db = connect(self.path)
        self.connection = SharedConnection(self.db, after_commit=self._after_commit)
        try:
            self.schema_version = migrate(self.db, str(self.path), migrations)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        """Close the database (safe to call twice)."""
        with contextlib.suppress(Exception):
            self.connection.commit_waiting()
        with self.connection.held(), contextlib.suppress(Exception):
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all are committed together when this returns, or none when an
        exception escapes. Threads writing at the same moment share one COMMIT
        (storage/group_commit.py)."""
        with self.connection.writing():
            yield

    def _after_commit(self) -> None:
        if self._checkpoint_after_commit:
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
            assessment_id = int(cursor.lastrowid or 0)
            self.db.execute(
                "INSERT INTO members (assessment, user, role, joined) VALUES (?, ?, ?, ?)",
                [assessment_id, user_id, MemberRole.OWNER, stamp],
            )
        return self.assessment(user_id, assessment_id)

    def find_assessment(self, user_id: str, assessment_id: int) -> AssessmentRecord | None:
        """The assessment with this ID when the user is one of its members, else None."""
        rows = self._query(f"{_ASSESSMENT_SELECT} WHERE a.id = ?", [user_id, assessment_id])
        return AssessmentRecord(**rows[0]) if rows else None

    def assessment(self, user_id: str, assessment_id: int) -> AssessmentRecord:
        """The user's assessment with this ID; raises ``NotFoundError`` otherwise."""
        found = self.find_assessment(user_id, assessment_id)
        if found is None:
            raise NotFoundError(f"no assessment {assessment_id} for this user")
        return found

    def list_assessments(self, user_id: str) -> list[AssessmentRecord]:
        """The assessments the user is a member of, most recently changed first."""
        rows = self._query(f"{_ASSESSMENT_SELECT} ORDER BY a.updated DESC, a.id DESC", [user_id])
        return [AssessmentRecord(**row) for row in rows]

    def update_assessment(
        self, user_id: str, assessment_id: int, **changes: Any
    ) -> AssessmentRecord:
        """Change name, country or sector (the owner only), or the user's own status or
        position; the assessment's ``updated`` is set to now."""
        unknown = set(changes) - set(ASSESSMENT_FIELDS)
        if unknown:
            raise StorageError(f"cannot change assessment field(s) {sorted(unknown)}")
        if "status" in changes and changes["status"] not in AssessmentStatus.ALL:
            raise StorageError(f"unknown assessment status {changes['status']!r}")
        shared = {k: v for k, v in changes.items() if k not in MEMBER_FIELDS}
        own = {k: v for k, v in changes.items() if k in MEMBER_FIELDS}
        with self.transaction():
            found = self.assessment(user_id, assessment_id)
            if shared and found.role != MemberRole.OWNER:
                raise NotFoundError(f"only the owner changes assessment {assessment_id}")
            if own:
                self.db.execute(
                    f"UPDATE members SET {', '.join(f'{name} = ?' for name in own)}"
                    " WHERE assessment = ? AND user = ?",
                    [*own.values(), assessment_id, user_id],
                )
            self.db.execute(
                f"UPDATE assessments SET {''.join(f'{name} = ?, ' for name in shared)}"
                "updated = ? WHERE id = ?",
                [*shared.values(), now(precise=True), assessment_id],
            )
        return self.assessment(user_id, assessment_id)

    def delete_assessment(self, user_id: str, assessment_id: int) -> bool:
        """Delete the assessment, for every member, with all its answers; the owner only.
        False when the user does not own it."""
        with self.transaction():
            found = self.find_assessment(user_id, assessment_id)
            if found is None or found.role != MemberRole.OWNER:
                return False
            self._delete_assessments("id = ?", [assessment_id])
        return True

    def _delete_assessments(self, where: str, params: Sequence[Any]) -> tuple[int, int]:
        """Delete the assessments ``where`` selects, with everything that hangs on them;
        returns (assessments, answers) deleted."""
        chosen = f"SELECT id FROM assessments WHERE {where}"
        answers = self.db.execute(
            f"DELETE FROM answers WHERE assessment IN ({chosen})", params
        ).rowcount
        for table in ("members", "invitations"):
            self.db.execute(f"DELETE FROM {table} WHERE assessment IN ({chosen})", params)
        assessments = self.db.execute(f"DELETE FROM assessments WHERE {where}", params).rowcount
        if assessments or answers:
            self._checkpoint_after_commit = True
        return assessments, answers

    # -- answers -------------------------------------------------------------------------

    def save_answer(self, user_id: str, assessment_id: int, answer: AnswerRecord) -> AnswerRecord:
        """Store the user's answer (their earlier answers to the question stay as history;
        other members' answers are untouched)."""
        stamp = now()
        signals = [
            {"signal": hit.signal, "evidence": hit.evidence, "implied": hit.implied}
            for hit in answer.signals
        ]
        with self.transaction():
            self.assessment(user_id, assessment_id)  # membership check
            cursor = self.db.execute(
                "INSERT INTO answers (assessment, user, question, text, stance, signals,"
                " confidence, answered) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    assessment_id,
                    user_id,
                    answer.question,
                    answer.text,
                    answer.stance,
                    json.dumps(signals, ensure_ascii=False),
                    answer.confidence,
                    stamp,
                ],
            )
            self.db.execute(
                "DELETE FROM answers WHERE assessment = ? AND question = ? AND user = ?"
                " AND id NOT IN (SELECT id FROM answers WHERE assessment = ? AND question = ?"
                " AND user = ? ORDER BY id DESC LIMIT ?)",
                [
                    assessment_id,
                    answer.question,
                    user_id,
                    assessment_id,
                    answer.question,
                    user_id,
                    ANSWERS_KEPT_PER_QUESTION,
                ],
            )
            self.db.execute(
                "UPDATE assessments SET updated = ? WHERE id = ?",
                [now(precise=True), assessment_id],
            )
        return replace(
            answer, answered=stamp, assessment=assessment_id, id=cursor.lastrowid, user=user_id
        )

    def answers_for(self, user_id: str, assessment_id: int) -> dict[str, AnswerRecord]:
        """The user's own latest answer per question of the assessment."""
        latest: dict[str, AnswerRecord] = {}
        for answer in self.answer_history(user_id, assessment_id):
            latest[answer.question] = answer
        return latest

    def latest_answer(
        self, user_id: str, assessment_id: int, question_id: str
    ) -> AnswerRecord | None:
        """The user's own latest answer to one question (``answers_for(...).get(question)``
        in one indexed read: asking a question needs only its own earlier answer)."""
        rows = self._query(
            f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE assessment = ? AND question = ?"
            " AND user = ? AND EXISTS (SELECT 1 FROM members WHERE assessment = ? AND user = ?"
            f" AND role IN {MemberRole.ACTIVE!r}) ORDER BY id DESC LIMIT 1",
            [assessment_id, question_id, user_id, assessment_id, user_id],
        )
        return _answer(rows[0]) if rows else None

    def answer_history(self, user_id: str, assessment_id: int) -> list[AnswerRecord]:
        """Every answer the user ever gave in the assessment, oldest first."""
        if self.find_assessment(user_id, assessment_id) is None:
            return []
        rows = self._query(
            f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE assessment = ? AND user = ? ORDER BY id",
            [assessment_id, user_id],
        )
        return [_answer(row) for row in rows]

    def team_answers(self, user_id: str, assessment_id: int) -> list[AnswerRecord]:
        """Every member's latest answer per question (former members' included), for a
        member of the assessment; oldest first."""
        if self.find_assessment(user_id, assessment_id) is None:
            return []
        rows = self._query(
            f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE assessment = ? AND id IN"
            " (SELECT MAX(id) FROM answers WHERE assessment = ? GROUP BY user, question)"
            " ORDER BY id",
            [assessment_id, assessment_id],
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

    def _query(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Rows of one SELECT as dicts. Not sqlite-utils' ``query``: that wraps every read
        in a savepoint (to refuse writes), three statements per read on the hot path."""
        with self.connection.held():
            cursor = self.db.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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
        user=row["user"] or "",
    )
