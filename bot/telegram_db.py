"""Database work of the bot: always in a worker thread, waiting out an outside lock.

SQLite calls block; made on the event loop they would stall every chat while one
waits (for a backup, ``imvo-coach purge`` or any other process holding the write lock).
``in_thread`` runs them in a worker thread of the bot's own pool instead. When another
process holds the write lock, the call is retried until the lock is free; ``on_busy``
runs once, so the adapter can tell the waiting user their message arrived.
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import functools
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_WAIT_SECONDS = 1.0  # SQLite's busy timeout for the bot: then on_busy, then again
RETRY_PAUSE = 0.1  # seconds between tries after a lock timeout
# Threads for database work. An update being handled keeps its thread until a COMMIT
# holds its answer (group commit: storage/group_commit.py), and the inbox's intake and
# flush need one each besides; so at least the inbox's updates at once + 2, with room
# for a purge or a language lookup. asyncio's default pool has CPU count + 4 threads:
# six on two cores, where updates waited for a thread while their turn had come
# (benchmarks/load.py: 8-10% fewer updates a second, a 15-20% higher p99 wait).
DB_THREADS = 20
_pool: ThreadPoolExecutor | None = None


def db_pool() -> ThreadPoolExecutor:
    """The bot's threads for database work: made on first use, kept until ``close_db_pool``."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="imvo-db")
    return _pool


def close_db_pool() -> None:
    """Wait for the database work still running (at shutdown, before the store closes),
    as asyncio does for its default pool when the event loop ends."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)


# glibc gives each thread that allocates its own heap ("arena"), up to eight per core, and
# memory freed in one stays with it: with DB_THREADS threads the bot took 146-147 MB with
# 2,000 people, 141-142 MB with two arenas (benchmarks/load.py), at the same speed.
# Python's own allocator serves the small objects, so threads hardly share an arena lock.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc's per-thread heaps before the worker threads start; True when done.
    Nothing on other C libraries, or when the operator set MALLOC_ARENA_MAX."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_ARENA_MAX, arenas))


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
            # as asyncio.to_thread does, but on db_pool(): the caller's context goes along
            call = functools.partial(contextvars.copy_context().run, work)
            return await asyncio.get_running_loop().run_in_executor(db_pool(), call)
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
