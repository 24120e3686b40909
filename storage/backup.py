"""Online backups with SQLite's backup API: a consistent copy while the bot keeps writing.

    backup_database(Path("data/imvo-coach.db"), Path("/backups/"))

The copy is written to a private temporary file next to the destination (mode 0600,
like the database), checked with ``PRAGMA integrity_check`` and then renamed into place,
so a crash never leaves a half-written backup under the final name. It is a single
self-contained file (rollback journal, no ``-wal``), which ``Store`` opens like any other.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.database import BUSY_TIMEOUT_SECONDS, FILE_MODE, FOLDER_MODE
from storage.errors import StorageError


@dataclass(frozen=True)
class BackupResult:
    """Where the backup went and what it holds."""

    path: Path
    size: int  # bytes
    schema_version: int


def backup_name(at: datetime | None = None) -> str:
    """The file name used when the destination is a folder: imvo-coach-<UTC time>.db."""
    return f"imvo-coach-{(at or datetime.now(UTC)).strftime('%Y%m%d-%H%M%S')}.db"


def backup_database(source: Path, destination: Path) -> BackupResult:
    """Copy the database ``source`` to ``destination`` (a file, or a folder to put a
    dated file in) while other connections may be writing; raises ``StorageError``."""
    if not source.is_file():
        raise StorageError(f"there is no database at {source}")
    target = destination / backup_name() if destination.is_dir() else destination
    if target.exists() and target.resolve() == source.resolve():
        raise StorageError("the backup must not overwrite the database itself")
    try:
        target.parent.mkdir(parents=True, mode=FOLDER_MODE, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
        descriptor = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
        os.close(descriptor)
    except OSError as error:
        raise StorageError(f"cannot write the backup {target}: {error.strerror}") from None
    try:
        version = _copy(source, temporary)
        temporary.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return BackupResult(target, target.stat().st_size, version)


def _copy(source: Path, temporary: Path) -> int:
    """Copy every page in one step (one consistent snapshot) and check the copy."""
    try:
        reader = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_SECONDS)
        try:
            reader.execute("PRAGMA query_only = ON")
            writer = sqlite3.connect(str(temporary))
            try:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
                problems = writer.execute("PRAGMA integrity_check").fetchall()
                version = int(writer.execute("PRAGMA user_version").fetchone()[0])
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise StorageError(f"cannot back up {source}: {error}") from None
    if problems != [("ok",)]:
        raise StorageError(f"the backup of {source} failed its integrity check: {problems[:3]}")
    with temporary.open("rb") as written:  # on disk before the rename makes it "the" backup
        os.fsync(written.fileno())
    return version
