"""Privacy and retention: /forget, purging untouched data, and the counts an admin sees.

A mixin of ``Store`` (it uses the store's connection, lock and transactions). Deleting
marks the write-ahead log for a checkpoint, so deleted rows do not live on in the -wal.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.errors import StorageError
from storage.records import ChecklistCounts, MemberRecord, MemberRole, PurgeCounts, StoreCounts


class PrivacyStore:
    """Deleting a user's data, retention and counts; mixed into ``Store``."""

    db: Any
    _checkpoint_after_commit: bool

    if TYPE_CHECKING:  # provided by Store and TeamStore

        def transaction(self) -> AbstractContextManager[None]: ...

        def _query(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]: ...

        def _delete_assessments(self, where: str, params: Sequence[Any]) -> tuple[int, int]: ...

        def successor(self, user_id: str, assessment_id: int) -> MemberRecord | None: ...

        def _make_owner(self, assessment_id: int, heir: MemberRecord) -> None: ...

    def delete_user_data(self, user_id: str) -> int:
        """Delete every row about the user; returns how many rows went.

        The user's answers go from every assessment. An assessment they own passes to its
        longest-standing member (see ``successor``), or is deleted when nobody is left."""
        with self.transaction():
            deleted = 0
            for owned in self._query(
                "SELECT assessment FROM members WHERE user = ? AND role = ?",
                [user_id, MemberRole.OWNER],
            ):
                heir = self.successor(user_id, owned["assessment"])
                if heir is None:
                    gone, answers = self._delete_assessments("id = ?", [owned["assessment"]])
                    deleted += gone + answers
                else:
                    self._make_owner(owned["assessment"], heir)
            for sql in (
                "DELETE FROM answers WHERE user = ?",
                "DELETE FROM members WHERE user = ?",
                "DELETE FROM positions WHERE user = ?",
                "DELETE FROM deliveries WHERE user = ?",
                "DELETE FROM inbox WHERE user = ?",
                "DELETE FROM users WHERE id = ?",
            ):
                deleted += self.db.execute(sql, [user_id]).rowcount
            self._checkpoint_after_commit = True
        return deleted

    def purge_untouched(self, days: int, *, at: datetime | None = None) -> PurgeCounts:
        """Retention: delete every assessment (with its answers and members) not changed
        for ``days`` days, dialogue positions idle that long, expired invitations, and
        users with nothing left."""
        if days < 1:
            raise StorageError(f"retention must be at least 1 day, got {days}")
        moment = at or datetime.now(UTC)
        cutoff = (moment - timedelta(days=days)).isoformat(timespec="seconds")
        with self.transaction():
            assessments, answers = self._delete_assessments("updated < ?", [cutoff])
            positions = self.db.execute(
                "DELETE FROM positions WHERE updated < ?", [cutoff]
            ).rowcount
            self.db.execute("DELETE FROM deliveries WHERE seen < ?", [cutoff])
            self.db.execute("DELETE FROM inbox WHERE received < ?", [cutoff])
            self.db.execute(
                "DELETE FROM invitations WHERE expires < ?",
                [moment.isoformat(timespec="seconds")],
            )
            users = self.db.execute(
                "DELETE FROM users WHERE created < ?"
                " AND id NOT IN (SELECT user FROM assessments)"
                " AND id NOT IN (SELECT user FROM members)"
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
