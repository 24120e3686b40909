"""Shared assessments: invitations, members, leaving, removing and handing over.

A mixin of ``Store`` (it uses the store's connection, lock and transactions). The rules:
only the owner invites, removes, hands over or deletes; an invitation code is random,
single-use and expires; only a hash of it is stored, so the database never holds a
working code. Every method that names an assessment takes the asking user's ID and
checks their membership first.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.database import now
from storage.errors import NotFoundError
from storage.records import (
    AssessmentRecord,
    AssessmentStatus,
    InvitationRecord,
    JoinOffer,
    MemberRecord,
    MemberRole,
)

INVITATION_HOURS = 72
# Letters and digits people do not mix up (no 0/O, 1/I/L): easy to type from a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31^10, about 8e14 codes: guessing one in 72 hours is hopeless
_MEMBER_COLUMNS = "id, assessment, user, name, role, joined"


def normalise_code(text: str) -> str:
    """A typed or linked code as stored: capitals, without spaces or dashes."""
    return "".join(text.split()).replace("-", "").upper()


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class TeamStore:
    """Invitations and members; mixed into ``Store``."""

    db: Any
    _checkpoint_after_commit: bool

    if TYPE_CHECKING:  # provided by Store

        def transaction(self) -> AbstractContextManager[None]: ...

        def _query(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]: ...

        def find_assessment(self, user_id: str, assessment_id: int) -> AssessmentRecord | None: ...

    # -- invitations ---------------------------------------------------------------------

    def create_invitation(
        self, user_id: str, assessment_id: int, *, at: datetime | None = None
    ) -> tuple[str, InvitationRecord]:
        """A new code to the owner's assessment, valid for ``INVITATION_HOURS``."""
        self._owned(user_id, assessment_id)
        moment = at or datetime.now(UTC)
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        created, expires = _stamp(moment), _stamp(moment + timedelta(hours=INVITATION_HOURS))
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO invitations (assessment, code, created, expires) VALUES (?, ?, ?, ?)",
                [assessment_id, _hash(code), created, expires],
            )
        return code, InvitationRecord(int(cursor.lastrowid or 0), assessment_id, created, expires)

    def open_invitations(self, user_id: str, assessment_id: int) -> list[InvitationRecord]:
        """The owner's invitations to the assessment that can still be used, oldest first."""
        self._owned(user_id, assessment_id)
        rows = self._query(
            "SELECT id, assessment, created, expires FROM invitations"
            " WHERE assessment = ? AND expires > ? ORDER BY id",
            [assessment_id, _stamp(datetime.now(UTC))],
        )
        return [InvitationRecord(**row) for row in rows]

    def withdraw_invitation(self, user_id: str, assessment_id: int, invitation_id: int) -> bool:
        """The owner withdraws an invitation; False when there was no such invitation."""
        self._owned(user_id, assessment_id)
        with self.transaction():
            return bool(
                self.db.execute(
                    "DELETE FROM invitations WHERE id = ? AND assessment = ?",
                    [invitation_id, assessment_id],
                ).rowcount
            )

    def find_invitation(self, code: str, *, at: datetime | None = None) -> JoinOffer | None:
        """What a code leads to, or None when it is unknown, used, withdrawn or expired."""
        rows = self._query(
            "SELECT i.id AS invitation, a.id AS assessment, a.checklist, a.name,"
            " m.name AS owner_name FROM invitations i JOIN assessments a ON a.id = i.assessment"
            " JOIN members m ON m.assessment = a.id AND m.role = ?"
            " WHERE i.code = ? AND i.expires > ?",
            [MemberRole.OWNER, _hash(code), _stamp(at or datetime.now(UTC))],
        )
        return JoinOffer(**rows[0]) if rows else None

    def accept_invitation(
        self, user_id: str, invitation_id: int, *, at: datetime | None = None
    ) -> AssessmentRecord | None:
        """Use the invitation: the user becomes a member (a former member comes back) and
        the invitation is gone. None when it was used, withdrawn or expired meanwhile."""
        with self.transaction():
            rows = self._query(
                "SELECT assessment FROM invitations WHERE id = ? AND expires > ?",
                [invitation_id, _stamp(at or datetime.now(UTC))],
            )
            if not rows:
                return None
            assessment_id = rows[0]["assessment"]
            if self.find_assessment(user_id, assessment_id) is not None:
                return self.find_assessment(user_id, assessment_id)  # the code stays usable
            self.db.execute("DELETE FROM invitations WHERE id = ?", [invitation_id])
            self.db.execute(
                "INSERT INTO members (assessment, user, role, joined, position, status)"
                " VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT(assessment, user) DO UPDATE SET"
                " role = excluded.role, joined = excluded.joined, position = 0,"
                " status = excluded.status",
                [
                    assessment_id,
                    user_id,
                    MemberRole.MEMBER,
                    now(precise=True),
                    AssessmentStatus.ACTIVE,
                ],
            )
            self._touch(assessment_id)
        return self.find_assessment(user_id, assessment_id)

    # -- members -------------------------------------------------------------------------

    def members(self, user_id: str, assessment_id: int) -> list[MemberRecord]:
        """Everyone in the assessment, former members too, longest-standing first; only
        for a member of it (anyone else gets an empty list)."""
        if self.find_assessment(user_id, assessment_id) is None:
            return []
        return list(self._members(assessment_id))

    def set_member_name(self, user_id: str, assessment_id: int, name: str) -> None:
        """The name the user's fellow members see."""
        with self.transaction():
            self._member_of(user_id, assessment_id)
            self.db.execute(
                "UPDATE members SET name = ? WHERE assessment = ? AND user = ?",
                [name, assessment_id, user_id],
            )

    def remove_member(self, user_id: str, assessment_id: int, member_id: int) -> MemberRecord:
        """The owner removes a member: they see nothing more; their answers stay."""
        self._owned(user_id, assessment_id)
        with self.transaction():
            target = self._active_member(assessment_id, member_id, MemberRole.MEMBER)
            self._set_role(member_id, MemberRole.FORMER)
            self._touch(assessment_id)
        return target

    def leave(self, user_id: str, assessment_id: int) -> bool:
        """A member leaves (their answers stay); False for the owner, who hands over first."""
        with self.transaction():
            found = self._member_of(user_id, assessment_id)
            if found.role != MemberRole.MEMBER:
                return False
            self._set_role(found.id, MemberRole.FORMER)
            self._touch(assessment_id)
        return True

    def hand_over(self, user_id: str, assessment_id: int, member_id: int) -> MemberRecord:
        """The owner makes another member the owner and becomes a member."""
        self._owned(user_id, assessment_id)
        with self.transaction():
            target = self._active_member(assessment_id, member_id, MemberRole.MEMBER)
            self._make_owner(assessment_id, target)
        return target

    def successor(self, user_id: str, assessment_id: int) -> MemberRecord | None:
        """Who would own the assessment if the user left it: its longest-standing member."""
        return next(
            (
                member
                for member in self._members(assessment_id)
                if member.role == MemberRole.MEMBER and member.user != user_id
            ),
            None,
        )

    # -- helpers -------------------------------------------------------------------------

    def _members(self, assessment_id: int) -> Iterator[MemberRecord]:
        rows = self._query(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE assessment = ? ORDER BY joined, id",
            [assessment_id],
        )
        return (MemberRecord(**row) for row in rows)

    def _member_of(self, user_id: str, assessment_id: int) -> MemberRecord:
        rows = self._query(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE assessment = ? AND user = ?"
            f" AND role IN {MemberRole.ACTIVE!r}",
            [assessment_id, user_id],
        )
        if not rows:
            raise NotFoundError(f"no assessment {assessment_id} for this user")
        return MemberRecord(**rows[0])

    def _owned(self, user_id: str, assessment_id: int) -> MemberRecord:
        found = self._member_of(user_id, assessment_id)
        if found.role != MemberRole.OWNER:
            raise NotFoundError(f"assessment {assessment_id} is not this user's to manage")
        return found

    def _active_member(self, assessment_id: int, member_id: int, role: str) -> MemberRecord:
        found = next((m for m in self._members(assessment_id) if m.id == member_id), None)
        if found is None or found.role != role:
            raise NotFoundError(f"no such member in assessment {assessment_id}")
        return found

    def _set_role(self, member_id: int, role: str) -> None:
        self.db.execute("UPDATE members SET role = ? WHERE id = ?", [role, member_id])

    def _make_owner(self, assessment_id: int, heir: MemberRecord) -> None:
        self.db.execute(
            "UPDATE members SET role = ? WHERE assessment = ? AND role = ?",
            [MemberRole.MEMBER, assessment_id, MemberRole.OWNER],
        )
        self._set_role(heir.id, MemberRole.OWNER)
        self.db.execute(
            "UPDATE assessments SET user = ?, updated = ? WHERE id = ?",
            [heir.user, now(precise=True), assessment_id],
        )

    def _touch(self, assessment_id: int) -> None:
        self.db.execute(
            "UPDATE assessments SET updated = ? WHERE id = ?", [now(precise=True), assessment_id]
        )
