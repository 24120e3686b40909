"""Logging for the bot process: secrets redacted, users only as a salted hash.

Rules (issue 7): the token and the webhook secret never reach a log line, not even
inside a traceback or an httpx URL; message texts are never logged at INFO; a user
appears only as a short salted hash, so logs can be correlated without naming anyone.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable

REDACTED = "<redacted>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TAGS_KEPT = 4096  # log tags of the people who wrote last, kept to save an HMAC each


class RedactingFilter(logging.Filter):
    """Replaces every secret in the message and the formatted traceback of a record."""

    def __init__(self, secrets_to_hide: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets_to_hide if s]

    def _redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self._redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True


class UserHasher:
    """Turns a Telegram user ID into a stable short tag for log lines."""

    def __init__(self, salt: str | None) -> None:
        # Without a configured salt the tags are stable only within one process run.
        self._key = (salt or secrets.token_hex(16)).encode()
        # the same people write again and again: an HMAC per log line was ~1% of the
        # bot's CPU under load (benchmarks/load.py)
        self._tag = functools.lru_cache(maxsize=TAGS_KEPT)(self._compute)

    def __call__(self, user_id: int | str | None) -> str:
        return "-" if user_id is None else self._tag(str(user_id))

    def _compute(self, user_id: str) -> str:
        digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()
        return f"u{digest[:10]}"


def configure_logging(level: str, secrets_to_hide: Iterable[str]) -> None:
    """Set up the root handler with redaction; quiet the per-request httpx lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets_to_hide))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_request_logs()


def quiet_request_logs() -> None:
    """httpx logs every request URL at INFO, and the URL contains the bot token;
    APScheduler logs every job it adds and runs (the heartbeat twice a minute)."""
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
