"""Schema migrations: numbered functions, applied in order, recorded in the database.

The schema version lives in SQLite's ``PRAGMA user_version`` and every applied migration
gets a row in ``migrations``. A release only adds migrations at the end of ``MIGRATIONS``;
it never edits one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from storage.records import AssessmentStatus


@dataclass(frozen=True)
class Migration:
    """One step from schema ``version - 1`` to ``version``."""

    version: int
    name: str
    apply: Callable[[Database], None]


MIGRATIONS: list[Migration] = []


def migration(version: int, name: str) -> Callable[[Callable[[Database], None]], Callable]:
    """Register ``function`` as the migration to ``version`` (versions must be consecutive)."""

    def register(function: Callable[[Database], None]) -> Callable[[Database], None]:
        expected = len(MIGRATIONS) + 1
        if version != expected:
            raise ValueError(f"migration {name!r} has version {version}, expected {expected}")
        MIGRATIONS.append(Migration(version, name, function))
        return function

    return register


@migration(1, "users, assessments, answers, positions")
def _initial_schema(db: Database) -> None:
    db["users"].create({"id": str, "language": str, "created": str}, pk="id", not_null={"id"})
    db["assessments"].create(
        {
            "id": int,
            "user": str,
            "checklist": str,
            "name": str,
            "country": str,
            "sector": str,
            "created": str,
            "updated": str,
            "status": str,
            "position": int,
        },
        pk="id",
        not_null={"user", "checklist", "created", "updated", "status", "position"},
        defaults={
            "name": "",
            "country": "",
            "sector": "",
            "status": AssessmentStatus.ACTIVE,
            "position": 0,
        },
        foreign_keys=[("user", "users", "id")],
    )
    db["assessments"].create_index(["user"])
    db["answers"].create(
        {
            "id": int,
            "assessment": int,
            "question": str,
            "text": str,
            "stance": str,
            "signals": str,  # JSON list of {"signal", "evidence", "implied"}
            "confidence": float,
            "answered": str,
        },
        pk="id",
        not_null={"assessment", "question", "text", "signals", "answered"},
        foreign_keys=[("assessment", "assessments", "id")],
    )
    db["answers"].create_index(["assessment", "question"])
    db["positions"].create(
        {"user": str, "state": str, "data": str, "updated": str},
        pk="user",
        not_null={"state", "data", "updated"},
        foreign_keys=[("user", "users", "id")],
    )


@migration(2, "deliveries handled per user, retention index")
def _deliveries(db: Database) -> None:
    # An adapter's input ID (a Telegram update_id) per user, so an input delivered twice
    # is handled once; only the latest few per user are kept (see Store.remember_delivery).
    db["deliveries"].create(
        {"user": str, "key": str, "seen": str},
        pk=("user", "key"),
        not_null={"seen"},
        foreign_keys=[("user", "users", "id")],
    )
    db["assessments"].create_index(["updated"])  # the daily retention purge


@migration(3, "inbox of received Telegram updates")
def _inbox(db: Database) -> None:
    # The write-ahead inbox (storage/inbox.py): every update is stored here before
    # Telegram is told it arrived, and handled from here, so a crash loses none.
    db["inbox"].create(
        {
            "key": str,  # "<bot id>:<update_id>", the engine's delivery ID
            "user": str,  # "tg:<user id>": one user's updates are handled in order
            "payload": str,  # the update as Telegram sent it; emptied once answered
            "state": str,  # pending -> handled (with its effects) -> answered | skipped
            "tries": int,
            "received": str,
        },
        pk="key",
        not_null={"user", "state", "tries", "received"},
        defaults={"tries": 0},
    )
    db["inbox"].create_index(["state"])


# Shared assessments (numbered 3 on branch i13, renumbered 4 at merge after the inbox).
@migration(4, "shared assessments: members, invitations, who gave each answer")
def _teams(db: Database) -> None:
    # Each member of an assessment, with their own place in the checklist; the owner is a
    # member too. "former" members (removed, or left) keep their name for their answers.
    db["members"].create(
        {
            "id": int,
            "assessment": int,
            "user": str,
            "name": str,
            "role": str,  # "owner" | "member" | "former"
            "joined": str,
            "position": int,
            "status": str,
        },
        pk="id",
        not_null={"assessment", "user", "name", "role", "joined", "position", "status"},
        defaults={"name": "", "position": 0, "status": AssessmentStatus.ACTIVE},
        foreign_keys=[("assessment", "assessments", "id"), ("user", "users", "id")],
    )
    db["members"].create_index(["assessment", "user"], unique=True)
    db["members"].create_index(["user"])
    db.execute(
        "INSERT INTO members (assessment, user, name, role, joined, position, status)"
        " SELECT id, user, '', 'owner', created, position, status FROM assessments"
    )
    db.execute("ALTER TABLE answers ADD COLUMN user TEXT NOT NULL DEFAULT ''")
    db.execute(
        "UPDATE answers SET user ="
        " (SELECT user FROM assessments WHERE assessments.id = answers.assessment)"
    )
    db["answers"].create_index(["user"])
    # Only a hash of each code is kept: the code itself is a password to the checklist.
    db["invitations"].create(
        {"id": int, "assessment": int, "code": str, "created": str, "expires": str},
        pk="id",
        not_null={"assessment", "code", "created", "expires"},
        foreign_keys=[("assessment", "assessments", "id")],
    )
    db["invitations"].create_index(["code"], unique=True)


LATEST_VERSION = len(MIGRATIONS)
