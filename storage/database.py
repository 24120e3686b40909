"""Opening the SQLite file safely: private file mode, WAL, foreign keys, migrations.

Where the file lives: ``--db PATH``, else the ``IMVO_COACH_DB`` environment variable,
else ``./data/imvo-coach.db``. The folder is created when missing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.errors import SchemaTooNewError, StorageError
from storage.migrations import MIGRATIONS, Migration

logger = logging.getLogger(__name__)

DEFAULT_DB_PATH = Path("data") / "imvo-coach.db"
DB_PATH_VARIABLE = "IMVO_COACH_DB"
FILE_MODE = 0o600  # answers about an employer are private: owner read/write only
FOLDER_MODE = 0o700
BUSY_TIMEOUT_SECONDS = 10.0


def resolve_db_path(
    option: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The database path: the ``--db`` option, else ``IMVO_COACH_DB``, else the default."""
    if option:
        return Path(option).expanduser()
    value = (environ if environ is not None else os.environ).get(DB_PATH_VARIABLE, "").strip()
    return Path(value).expanduser() if value else DEFAULT_DB_PATH


def now(*, precise: bool = False) -> str:
    """The current time in UTC as ISO text; ``precise`` adds microseconds, so that "most
    recently changed first" holds for assessments changed within the same second."""
    return datetime.now(UTC).isoformat(timespec="microseconds" if precise else "seconds")


def _create_private_file(path: Path) -> None:
    """Create ``path`` with mode 0600 before SQLite touches it; tighten an existing one."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(FILE_MODE)
        return
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=FOLDER_MODE, exist_ok=True)
    # SQLite gives its -wal and -shm files the mode of the database file.
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)


def connect(path: Path) -> Database:
    """Open ``path`` (created 0600 when new) in WAL mode with foreign keys enforced."""
    if str(path) != ":memory:":
        try:
            _create_private_file(path)
        except OSError as error:
            raise StorageError(f"cannot create the database {path}: {error.strerror}") from None
    try:
        connection = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
        db = Database(connection, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")  # deleted answers are overwritten, not left
        db.execute("PRAGMA synchronous = FULL")  # an acknowledged answer survives power loss
        db.enable_wal()
    except sqlite3.DatabaseError as error:
        raise StorageError(f"cannot open the database {path}: {error}") from None
    return db


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """One write transaction (``BEGIN IMMEDIATE``, so readers never need to upgrade), for
    migrations; the store's own writes go through ``storage.group_commit``."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def schema_version(db: Database) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, path: str, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the schema up to date, one transaction per migration; return the version.

    Raises ``SchemaTooNewError`` when the file comes from a newer release.
    """
    supported = len(migrations)
    found = schema_version(db)
    if found > supported:
        raise SchemaTooNewError(path, found, supported)
    for step in migrations[found:]:
        with write_transaction(db):
            # Another process may have migrated while we waited for the write lock.
            if schema_version(db) >= step.version:
                continue
            if "migrations" not in db.table_names():
                db["migrations"].create(
                    {"version": int, "name": str, "applied": str}, pk="version"
                )
            step.apply(db)
            db["migrations"].insert({"version": step.version, "name": step.name, "applied": now()})
            db.execute(f"PRAGMA user_version = {int(step.version)}")
        logger.info("Database migrated to schema version %s (%s)", step.version, step.name)
    return schema_version(db)
