"""One SQLite connection shared by threads, whose write transactions commit together.

With ``synchronous = FULL`` every COMMIT waits for the disk (fsync), so an answer the
bot has confirmed survives a power cut. Under load that wait, made once per message,
was the bot's largest cost. Here writers that overlap share one COMMIT (group commit),
as database servers do: each writer's work runs in a savepoint of the open transaction;
when others are waiting for the connection, the writer leaves the COMMIT to the last of
them and waits for it. A writer returns only after a COMMIT that holds its work, so
"committed when it returns" is unchanged; with no one waiting (the console, a quiet
bot) every writer commits at once, exactly as before.

A writer that fails rolls back its own savepoint only; the others' work stays. When a
COMMIT fails, every writer in it gets the error and nothing of theirs is kept.

One connection has one transaction: a read on it sees the writes that wait for their
COMMIT. Only a COMMIT that fails (a broken or full disk) can take back what such a read
saw; the writers themselves get the error (in the bot: an apology, no confirmation).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from sqlite_utils import Database

# Writers in one COMMIT at most, and the longest a waiting write may be kept open: under
# steady load someone is always waiting, and a write must not wait for ever.
GROUP_LIMIT = 32
GROUP_WAIT_SECONDS = 0.05


class _Group:
    """The writers of one open transaction: done once it is committed or has failed."""

    __slots__ = ("done", "error", "started", "writers")

    def __init__(self) -> None:
        self.done = False
        self.error: BaseException | None = None
        self.writers = 0
        self.started = 0.0  # when its first writer finished


class SharedConnection:
    """Hands the connection to one thread at a time and commits overlapping writes together.

    :param after_commit: called (with the connection held) after each successful COMMIT.
    """

    def __init__(
        self,
        db: Database,
        after_commit: Callable[[], None] | None = None,
        group_limit: int = GROUP_LIMIT,
        group_wait: float = GROUP_WAIT_SECONDS,
    ) -> None:
        self.db = db
        self.after_commit = after_commit
        self.group_limit = group_limit
        self.group_wait = group_wait
        self.commits = 0  # COMMITs so far (benchmarks and tests read it)
        self._lock = threading.Lock()
        self._committed = threading.Condition(self._lock)
        self._counting = threading.Lock()
        self._waiting = 0  # threads waiting for the connection
        self._owner: int | None = None
        self._depth = 0
        self._group = _Group()

    @property
    def waiting(self) -> int:
        """Threads waiting for the connection at this moment."""
        return self._waiting

    @contextlib.contextmanager
    def held(self) -> Iterator[bool]:
        """Hold the connection (re-entrant: yields True for the outermost hold). Leaving
        the outermost hold commits the waiting writes when no one else wants it."""
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            try:
                yield False
            finally:
                self._depth -= 1
            return
        with self._counting:
            self._waiting += 1
        self._lock.acquire()
        with self._counting:
            self._waiting -= 1
        self._owner, self._depth = me, 1
        try:
            yield True
        finally:
            try:
                if self._group.writers and self._commit_due():
                    self._commit()
            finally:
                self._owner, self._depth = None, 0
                self._lock.release()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One writer's transaction: its writes are committed when this returns, or, when
        an exception escapes, none of them are (the other writers' stay)."""
        with self.held() as outermost:
            if not outermost:  # inside this thread's own write: a savepoint of it
                with self.db.atomic():
                    yield
                return
            if not self.db.conn.in_transaction:
                self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("SAVEPOINT writer")
            try:
                yield
            except BaseException as error:
                self._undo(error)
                raise
            self.db.execute("RELEASE SAVEPOINT writer")
            group = self._group
            if not group.writers:
                group.started = time.monotonic()
            group.writers += 1
            if self._commit_due():
                self._commit()
            else:
                self._wait_for(group)
            if group.error is not None:
                # the COMMIT's own error (in every writer of the group), so that callers
                # treat a locked or full disk as they would their own write failing
                raise group.error

    def commit_waiting(self) -> None:
        """Commit the writes that wait for a COMMIT (before closing the connection)."""
        with self.held():
            if self._group.writers:
                self._commit()

    # -- inside the lock --------------------------------------------------------------------
    def _commit_due(self) -> bool:
        group = self._group
        return (
            not self._waiting
            or group.writers >= self.group_limit
            or time.monotonic() - group.started >= self.group_wait
        )

    def _commit(self) -> None:
        group, self._group = self._group, _Group()
        try:
            self.db.execute("COMMIT")
            self.commits += 1
        except BaseException as error:
            group.error = error
            with contextlib.suppress(Exception):
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
        group.done = True
        self._committed.notify_all()
        if group.error is None and self.after_commit is not None:
            self.after_commit()

    def _undo(self, error: BaseException) -> None:
        """Roll back one failed writer's savepoint; end the transaction when it holds
        nothing else, so the database's write lock is not kept."""
        if not self.db.conn.in_transaction:
            # SQLite rolled back the whole transaction: the waiting writers lost theirs too.
            group, self._group = self._group, _Group()
            group.error, group.done = error, True
            self._committed.notify_all()
            return
        self.db.execute("ROLLBACK TO SAVEPOINT writer")
        self.db.execute("RELEASE SAVEPOINT writer")
        if not self._group.writers:
            self.db.execute("ROLLBACK")

    def _wait_for(self, group: _Group) -> None:
        """Give the connection to the waiting threads until ``group`` is committed."""
        me, depth = self._owner, self._depth
        self._owner, self._depth = None, 0
        try:
            while not group.done:
                self._committed.wait(self.group_wait)
                if not group.done and self._group is group:
                    self._commit()  # nobody came for the connection: commit it ourselves
        finally:
            self._owner, self._depth = me, depth
