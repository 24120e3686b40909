"""The write-ahead inbox: received updates, stored before they are acknowledged.

An adapter stores each update it receives (``accept``) before it tells Telegram the
update arrived, handles it from here, marks it ``handled`` in the same transaction as
its effects (``mark_handled``) and ``answered`` once the replies went out (``finish``).
After a crash every update that is still ``pending`` or ``handled`` is handled again
(``unfinished``); the engine's delivery record turns a repeat of a handled one into
"this is where you are". Answered and skipped rows keep only their key (no content), so
a late redelivery of the same update is recognised and ignored; the oldest are pruned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storage.database import now
from storage.store import Store

PENDING, HANDLED, ANSWERED, SKIPPED = "pending", "handled", "answered", "skipped"
# Keys of answered updates kept to recognise a redelivery; Telegram only redelivers
# updates that were never acknowledged, which are always among the latest few.
FINISHED_KEPT = 10_000


@dataclass(frozen=True)
class InboxItem:
    """One stored update: its key, whose it is, the update as received, and at how many
    restarts it was still unfinished."""

    key: str
    user: str
    payload: dict[str, Any]
    tries: int = 0


class Inbox:
    """The ``inbox`` table of ``store`` (schema version 3)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def accept(self, items: Sequence[InboxItem]) -> list[InboxItem]:
        """Store ``items`` in one transaction; returns those not seen before."""
        fresh: list[InboxItem] = []
        stamp = now()
        with self.store.transaction():
            for item in items:
                cursor = self.store.db.execute(
                    "INSERT OR IGNORE INTO inbox (key, user, payload, state, tries, received)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        item.key,
                        item.user,
                        json.dumps(item.payload, ensure_ascii=False),
                        PENDING,
                        item.tries,
                        stamp,
                    ],
                )
                if cursor.rowcount:
                    fresh.append(item)
        return fresh

    def unfinished(self) -> list[InboxItem]:
        """Every update not yet answered, oldest first (after a restart)."""
        with self.store.transaction():
            rows = list(
                self.store.db.query(
                    "SELECT key, user, payload, tries FROM inbox WHERE state IN (?, ?)"
                    " ORDER BY rowid",
                    [PENDING, HANDLED],
                )
            )
        return [
            InboxItem(row["key"], row["user"], _decode(row["payload"]), row["tries"])
            for row in rows
        ]

    def count_try(self, keys: Iterable[str]) -> None:
        """Count one more try for each of ``keys`` (a restart while they were unfinished),
        so an update the bot keeps crashing on is skipped in the end."""
        with self.store.transaction():
            self.store.db.conn.executemany(
                "UPDATE inbox SET tries = tries + 1 WHERE key = ?", [[key] for key in keys]
            )

    def mark_handled(self, key: str) -> None:
        """Record that the update's effects are committed; call inside their transaction."""
        with self.store.transaction():
            self.store.db.execute(
                "UPDATE inbox SET state = ? WHERE key = ? AND state = ?", [HANDLED, key, PENDING]
            )

    def finish(self, keys: Iterable[str], state: str = ANSWERED) -> None:
        """The updates were answered (or skipped): forget their content, keep their key."""
        with self.store.transaction():
            self.store.db.conn.executemany(
                "UPDATE inbox SET state = ?, payload = NULL WHERE key = ?",
                [[state, key] for key in keys],
            )
            # A range of the oldest rowids (few rows), not the state index (all of them).
            self.store.db.execute(
                "DELETE FROM inbox WHERE rowid <= (SELECT MAX(rowid) FROM inbox) - ?"
                " AND +state IN (?, ?)",
                [FINISHED_KEPT, ANSWERED, SKIPPED],
            )

    def state_of(self, key: str) -> str | None:
        """The state of the update ``key`` (None when unknown); for tests and checks."""
        rows = self.store._query("SELECT state FROM inbox WHERE key = ?", [key])
        return rows[0]["state"] if rows else None


def _decode(payload: str | None) -> dict[str, Any]:
    try:
        value = json.loads(payload or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
