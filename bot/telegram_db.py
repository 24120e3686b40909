"""Database work of the bot: always in a worker thread, waiting out an outside lock.

SQLite calls block; made on the event loop they would stall every chat while one
waits (for a backup, ``imvo-coach purge`` or any other process holding the write lock).
``in_thread`` runs them in a worker thread instead. When another process holds the
write lock, the call is retried until the lock is free; ``on_busy`` runs once, so the
adapter can tell the waiting user their message arrived.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_WAIT_SECONDS = 1.0  # SQLite's busy timeout for the bot: then on_busy, then again
RETRY_PAUSE = 0.1  # seconds between tries after a lock timeout


def is_locked(error: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database is busy"."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


async def in_thread(
    work: Callable[[], T], on_busy: Callable[[], Awaitable[None]] | None = None
) -> T:
    """``work()`` in a worker thread, tried again for as long as the database is locked."""
    told = False
    while True:
        try:
            return await asyncio.to_thread(work)
        except sqlite3.OperationalError as error:
            if not is_locked(error):
                raise
            if not told:
                told = True
                logger.warning("The database is locked by another process; waiting")
                if on_busy is not None:
                    await on_busy()
            await asyncio.sleep(RETRY_PAUSE)


def set_lock_wait(connection: sqlite3.Connection, seconds: float = LOCK_WAIT_SECONDS) -> None:
    """Make SQLite give up on a lock after ``seconds``, so ``in_thread`` can tell the user."""
    connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
