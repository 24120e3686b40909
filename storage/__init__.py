"""Storage: the SQLite database of users, assessments (with their members and
invitations), answers and dialogue positions.

    from storage import Store
    store = Store(resolve_db_path(args.db))   # created 0600, WAL, migrated

Reports and their renderers live in the ``documents`` package, which reads this one.
"""

from storage.backup import BackupResult, backup_database
from storage.database import DB_PATH_VARIABLE, DEFAULT_DB_PATH, resolve_db_path
from storage.errors import NotFoundError, SchemaTooNewError, StorageError
from storage.records import (
    AnswerRecord,
    AssessmentRecord,
    AssessmentStatus,
    ChecklistCounts,
    InvitationRecord,
    JoinOffer,
    MemberRecord,
    MemberRole,
    Position,
    PurgeCounts,
    SignalRecord,
    StoreCounts,
    UserRecord,
)
from storage.store import Store

__all__ = [
    "DB_PATH_VARIABLE",
    "DEFAULT_DB_PATH",
    "AnswerRecord",
    "AssessmentRecord",
    "AssessmentStatus",
    "BackupResult",
    "ChecklistCounts",
    "InvitationRecord",
    "JoinOffer",
    "MemberRecord",
    "MemberRole",
    "NotFoundError",
    "Position",
    "PurgeCounts",
    "SchemaTooNewError",
    "SignalRecord",
    "StorageError",
    "Store",
    "StoreCounts",
    "UserRecord",
    "backup_database",
    "resolve_db_path",
]
