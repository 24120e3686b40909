"""Group commit: writers that overlap share one COMMIT, and each returns committed."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from storage.database import connect
from storage.group_commit import SharedConnection


@pytest.fixture
def shared(tmp_path: Path) -> SharedConnection:
    db = connect(tmp_path / "group.db")
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id))")
    db.execute("CREATE TABLE note (writer TEXT)")
    return SharedConnection(db)


def committed(shared: SharedConnection) -> set[str]:
    """What another connection sees: only committed rows."""
    other = sqlite3.connect(shared.db.conn.execute("PRAGMA database_list").fetchone()[2])
    try:
        return {row[0] for row in other.execute("SELECT writer FROM note")}
    finally:
        other.close()


def wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def overlapping(first, inside: threading.Event, *others) -> None:
    """Run ``first`` until it sets ``inside`` (it is then in its write), then ``others``
    (which queue for the connection behind it); wait for all."""
    threads = [threading.Thread(target=work) for work in (first, *others)]
    threads[0].start()
    inside.wait()
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_lone_writer_commits_at_once(shared: SharedConnection) -> None:
    for n in range(3):
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES (?)", [f"w{n}"])
        assert f"w{n}" in committed(shared)
    assert shared.commits == 3


def test_overlapping_writers_share_commits_and_each_returns_committed(
    shared: SharedConnection,
) -> None:
    seen_after_return: dict[str, bool] = {}

    def write(name: str) -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES (?)", [name])
            time.sleep(0.005)  # the others pile up behind this writer
        seen_after_return[name] = name in committed(shared)

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen_after_return == {f"w{n}": True for n in range(12)}
    assert shared.commits < 12


def test_a_failing_writer_loses_only_its_own_writes(shared: SharedConnection) -> None:
    inside = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('first')")
            inside.set()
            wait_until(lambda: shared.waiting >= 2)

    def failing() -> None:
        try:
            with shared.writing():
                shared.db.execute("INSERT INTO note VALUES ('failing')")
                raise ValueError("the engine failed")
        except ValueError as error:
            errors.append(error)

    def last() -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('last')")

    overlapping(first, inside, failing, last)
    assert [str(error) for error in errors] == ["the engine failed"]
    assert committed(shared) == {"first", "last"}


def test_a_failed_commit_fails_every_writer_in_it(shared: SharedConnection) -> None:
    """The second writer's foreign key is checked at COMMIT (deferred) and fails there:
    the first writer, whose work waited for that COMMIT, must not think it is stored."""
    inside = threading.Event()
    outcome: dict[str, str] = {}

    def waiting_writer() -> None:
        try:
            with shared.writing():
                shared.db.execute("INSERT INTO note VALUES ('kept?')")
                inside.set()
                wait_until(lambda: shared.waiting >= 1)
            outcome["waiting"] = "stored"
        except sqlite3.IntegrityError:
            outcome["waiting"] = "failed"

    def breaking_writer() -> None:
        try:
            with shared.writing():
                shared.db.execute("PRAGMA defer_foreign_keys = ON")
                shared.db.execute("INSERT INTO child VALUES (1, 999)")
            outcome["breaking"] = "stored"
        except sqlite3.IntegrityError:
            outcome["breaking"] = "failed"

    overlapping(waiting_writer, inside, breaking_writer)
    assert outcome == {"waiting": "failed", "breaking": "failed"}
    assert committed(shared) == set()
    with shared.writing():  # the connection is usable again
        shared.db.execute("INSERT INTO note VALUES ('after')")
    assert committed(shared) == {"after"}


def test_a_nested_write_is_a_savepoint_of_the_outer_one(shared: SharedConnection) -> None:
    with shared.writing():
        shared.db.execute("INSERT INTO note VALUES ('outer')")
        with contextlib.suppress(LookupError), shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('inner')")
            raise LookupError("the inner step failed")
    assert committed(shared) == {"outer"}
    assert shared.commits == 1


def test_a_reader_commits_the_writes_left_waiting_for_it(shared: SharedConnection) -> None:
    """A writer that left its COMMIT to a waiting reader is committed when the reader is
    done, not only after the writer's own timeout."""
    shared.group_wait = 60.0  # the writer's own safety net must not be what commits
    inside = threading.Event()
    returned = threading.Event()

    def writer() -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('w')")
            inside.set()
            wait_until(lambda: shared.waiting >= 1)
        returned.set()

    thread = threading.Thread(target=writer)
    thread.start()
    inside.wait()
    with shared.held():
        shared.db.execute("SELECT COUNT(*) FROM note").fetchone()
    assert returned.wait(5)
    thread.join()
    assert committed(shared) == {"w"}


def test_after_a_quiet_spell_overlapping_writers_still_share_a_commit(
    shared: SharedConnection,
) -> None:
    """A group's age counts from its first writer, not from the COMMIT before it."""
    with shared.writing():
        shared.db.execute("INSERT INTO note VALUES ('before')")
    time.sleep(2 * shared.group_wait)
    inside = threading.Event()

    def first() -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('first')")
            inside.set()
            wait_until(lambda: shared.waiting >= 1)

    def second() -> None:
        with shared.writing():
            shared.db.execute("INSERT INTO note VALUES ('second')")

    overlapping(first, inside, second)
    assert committed(shared) == {"before", "first", "second"}
    assert shared.commits == 2
