"""Errors of the storage package.

StorageError            base of every error this package raises on purpose
 +-- SchemaTooNewError  the database was written by a newer release of imvo-coach
 +-- NotFoundError      the record does not exist, or belongs to another user
"""

from __future__ import annotations


class StorageError(Exception):
    """Raised when the database cannot be used as asked; the message says why."""


class SchemaTooNewError(StorageError):
    """Raised when the database schema is newer than this release understands."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"the database {path} has schema version {found}, but this version of "
            f"imvo-coach supports up to {supported}; upgrade imvo-coach or use another "
            "database file"
        )


class NotFoundError(StorageError):
    """Raised when an assessment does not exist or is not the asking user's."""
