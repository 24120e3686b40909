"""``imvo-coach backup`` and ``imvo-coach purge``: looking after the database file.

Both work while the bot runs: ``backup`` takes a consistent online copy with SQLite's
backup API, ``purge`` deletes what was untouched for a number of days (the bot does this
itself every day with ``RETENTION_DAYS``). Expected problems end with one "Error: ..."
line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_FAILURE = 1
EXIT_USAGE = 2
DB_HELP = "database file (default: $IMVO_COACH_DB or ./data/imvo-coach.db)"


def register(subparsers: Any) -> None:
    """Add the ``backup`` and ``purge`` commands."""
    backup = subparsers.add_parser(
        "backup",
        help="copy the database safely, also while the bot runs",
        description="Write a consistent copy of the database (owner-only file mode 0600). "
        "PATH is a file (replaced when it exists) or a folder to put a dated copy in.",
    )
    backup.add_argument("path", metavar="PATH", help="backup file or folder")
    backup.add_argument("--db", metavar="PATH", help=DB_HELP)
    backup.set_defaults(handler=run_backup)

    purge = subparsers.add_parser(
        "purge",
        help="delete checklists untouched for a number of days",
        description="Delete every checklist (with its answers) not changed for DAYS days, "
        "dialogue positions idle that long, and users with nothing left.",
    )
    purge.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="days without a change (default: $RETENTION_DAYS, else 180)",
    )
    purge.add_argument("--db", metavar="PATH", help=DB_HELP)
    purge.set_defaults(handler=run_purge)


def run_backup(args: argparse.Namespace) -> int:
    """Copy the database to ``args.path``; prints where it went."""
    from storage import StorageError, backup_database, resolve_db_path

    source = resolve_db_path(args.db)
    try:
        result = backup_database(source, Path(args.path).expanduser())
    except StorageError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Backup of {source} written to {result.path} "
        f"({result.size:,} bytes, schema version {result.schema_version})."
    )
    return 0


def run_purge(args: argparse.Namespace) -> int:
    """Delete what was untouched for ``--older-than`` days; prints the counts."""
    from bot.config import MAX_RETENTION_DAYS, ConfigError, retention_days
    from storage import StorageError, Store, resolve_db_path

    try:
        days = args.older_than if args.older_than is not None else retention_days()
    except ConfigError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not 1 <= days <= MAX_RETENTION_DAYS:
        print(f"Error: --older-than: expected 1 to {MAX_RETENTION_DAYS} days", file=sys.stderr)
        return EXIT_USAGE
    path = resolve_db_path(args.db)
    if not path.is_file():  # do not create an empty database just to purge it
        print(f"Error: there is no database at {path}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        with Store(path) as store:
            counts = store.purge_untouched(days)
    except StorageError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Deleted {counts.assessments} checklists with {counts.answers} answers, "
        f"{counts.positions} idle dialogue positions and {counts.users} users "
        f"untouched for {days} days."
    )
    return 0
