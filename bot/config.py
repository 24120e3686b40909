"""Settings of the Telegram bot, read once from the environment into one frozen object.

No other module reads ``os.environ``: ``load_config()`` is called at startup and the
resulting ``BotConfig`` is passed down. Every setting is documented in ``.env.example``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB_PATH = "data/imvo-coach.db"  # the same default as storage/ and the console chat
DEFAULT_LANGUAGE = "nl"
DEFAULT_LOG_LEVEL = "INFO"
DEFAULT_WEBHOOK_PORT = 8443
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0"  # the webhook server must be reachable from outside
DEFAULT_POLL_TIMEOUT = 10  # seconds Telegram may hold a getUpdates long poll open
DEFAULT_RETENTION_DAYS = 180  # assessments untouched this long are deleted
MAX_RETENTION_DAYS = 3650
DEFAULT_RATE_LIMIT = 30  # messages per second: Telegram's limit for one bot
DEFAULT_USER_RATE_LIMIT = 30  # messages a minute one user may send (after a burst of 20)

LANGUAGES = ("nl", "en")
# Every variable load_config reads; .env.example documents each (a test checks both ways).
ENVIRONMENT_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BOT_TOKEN_FILE",
    "TELEGRAM_API_URL",
    "POLL_TIMEOUT",
    "IMVO_COACH_DB",
    "DEFAULT_LANGUAGE",
    "LOG_LEVEL",
    "LOG_SALT",
    "HEARTBEAT_FILE",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "PORT",
    "WEBHOOK_LISTEN",
    "RETENTION_DAYS",
    "ALLOWED_USER_IDS",
    "ADMIN_USER_IDS",
    "TELEGRAM_RATE_LIMIT",
    "USER_RATE_LIMIT",
)
# Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as webhook secret token.
_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A bot token is "<bot id>:<secret>"; checked loosely so self-hosted test servers work too.
_TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]+")


class ConfigError(ValueError):
    """Raised when a setting is present but unusable; the message names the variable."""


@dataclass(frozen=True)
class BotConfig:
    """Everything ``imvo-coach run`` needs; build it with ``load_config``."""

    token: str | None
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path(DEFAULT_DB_PATH)
    default_language: str = DEFAULT_LANGUAGE
    log_level: str = DEFAULT_LOG_LEVEL
    webhook_url: str | None = None
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_secret: str | None = None
    heartbeat_file: Path | None = None
    poll_timeout: int = DEFAULT_POLL_TIMEOUT
    log_salt: str | None = None  # None: a random salt per process for hashed user IDs
    retention_days: int = DEFAULT_RETENTION_DAYS
    allowed_user_ids: frozenset[int] | None = None  # None: everyone may use the bot
    admin_user_ids: frozenset[int] = frozenset()  # may use /stats (counts only)
    rate_limit: int = DEFAULT_RATE_LIMIT  # 0: no limiter (a local Bot API server, load tests)
    user_rate_limit: int = DEFAULT_USER_RATE_LIMIT  # per user a minute; 0: no limit (tests)

    def is_allowed(self, user_id: int) -> bool:
        """Whether this Telegram user may use the bot (admins always may)."""
        return (
            self.allowed_user_ids is None
            or user_id in self.allowed_user_ids
            or user_id in self.admin_user_ids
        )

    @property
    def file_url(self) -> str:
        """Base URL for file downloads: ``.../bot`` becomes ``.../file/bot``."""
        if self.api_url.endswith("/bot"):
            return self.api_url[: -len("bot")] + "file/bot"
        return self.api_url

    @property
    def webhook_path(self) -> str:
        """The path part of ``webhook_url`` the local webhook server listens on."""
        return urlparse(self.webhook_url or "").path.lstrip("/")

    def __repr__(self) -> str:
        """Never show the token or the webhook secret, not even in a traceback."""
        return (
            f"BotConfig(token={'<set>' if self.token else None}, api_url={self.api_url!r}, "
            f"db_path={str(self.db_path)!r}, default_language={self.default_language!r}, "
            f"log_level={self.log_level!r}, webhook_url={self.webhook_url!r}, "
            f"webhook_port={self.webhook_port})"
        )

    __str__ = __repr__


def _clean(environ: Mapping[str, str], name: str) -> str | None:
    """Return the stripped value of ``name``, or None when it is unset or empty."""
    value = environ.get(name, "").strip()
    return value or None


def _read_token(environ: Mapping[str, str]) -> str | None:
    token = _clean(environ, "TELEGRAM_BOT_TOKEN")
    token_file = _clean(environ, "TELEGRAM_BOT_TOKEN_FILE")
    if token is None and token_file is not None:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN_FILE: cannot read {token_file} ({error.__class__.__name__})"
            ) from None
        if token is None:
            raise ConfigError(f"TELEGRAM_BOT_TOKEN_FILE: {token_file} is empty")
    if token is not None and not _TOKEN_PATTERN.fullmatch(token):
        # Do not echo the value: it may be a real token with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: does not look like a bot token (expected <digits>:<letters>)"
        )
    return token


def _read_int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _clean(environ, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: expected a number from {low} to {high}, got {value}")
    return value


def _read_url(environ: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = _clean(environ, name)
    if raw is None:
        return default
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL, got {raw!r}")
    return raw


def _read_ids(environ: Mapping[str, str], name: str) -> frozenset[int] | None:
    """Telegram user IDs separated by commas or spaces; None when the variable is unset."""
    raw = _clean(environ, name)
    if raw is None:
        return None
    parts = [part for part in re.split(r"[\s,;]+", raw) if part]
    bad = [part for part in parts if not (part.isascii() and part.isdigit())]
    if bad:
        raise ConfigError(
            f"{name}: expected Telegram user IDs (numbers) separated by commas, got {bad[0]!r}"
        )
    return frozenset(int(part) for part in parts)


def load_config(environ: Mapping[str, str] | None = None) -> BotConfig:
    """Read and check every setting; raises ConfigError naming the first bad variable."""
    env = os.environ if environ is None else environ
    language = (_clean(env, "DEFAULT_LANGUAGE") or DEFAULT_LANGUAGE).lower()
    if language not in LANGUAGES:
        raise ConfigError(f"DEFAULT_LANGUAGE: expected one of {', '.join(LANGUAGES)}")
    log_level = (_clean(env, "LOG_LEVEL") or DEFAULT_LOG_LEVEL).upper()
    if not isinstance(logging.getLevelName(log_level), int):
        raise ConfigError(f"LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
    webhook_secret = _clean(env, "WEBHOOK_SECRET")
    if webhook_secret is not None and not _SECRET_PATTERN.fullmatch(webhook_secret):
        raise ConfigError("WEBHOOK_SECRET: use 1-256 characters A-Z, a-z, 0-9, _ or -")
    webhook_url = _read_url(env, "WEBHOOK_URL", None)
    if webhook_url is not None and webhook_secret is None:
        # Without a secret anyone who finds the URL can post fake updates.
        raise ConfigError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
    heartbeat = _clean(env, "HEARTBEAT_FILE")
    return BotConfig(
        token=_read_token(env),
        api_url=_read_url(env, "TELEGRAM_API_URL", DEFAULT_API_URL) or DEFAULT_API_URL,
        db_path=Path(_clean(env, "IMVO_COACH_DB") or DEFAULT_DB_PATH),
        default_language=language,
        log_level=log_level,
        webhook_url=webhook_url,
        webhook_port=_read_int(env, "PORT", DEFAULT_WEBHOOK_PORT, 1, 65535),
        webhook_listen=_clean(env, "WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN,
        webhook_secret=webhook_secret,
        heartbeat_file=Path(heartbeat) if heartbeat else None,
        poll_timeout=_read_int(env, "POLL_TIMEOUT", DEFAULT_POLL_TIMEOUT, 1, 50),
        log_salt=_clean(env, "LOG_SALT"),
        retention_days=retention_days(env),
        allowed_user_ids=_read_ids(env, "ALLOWED_USER_IDS"),
        admin_user_ids=_read_ids(env, "ADMIN_USER_IDS") or frozenset(),
        rate_limit=_read_int(env, "TELEGRAM_RATE_LIMIT", DEFAULT_RATE_LIMIT, 0, 10_000),
        user_rate_limit=_read_int(env, "USER_RATE_LIMIT", DEFAULT_USER_RATE_LIMIT, 0, 10_000),
    )


def retention_days(environ: Mapping[str, str] | None = None) -> int:
    """RETENTION_DAYS: days an untouched assessment is kept (also used by `imvo-coach purge`)."""
    env = os.environ if environ is None else environ
    return _read_int(env, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS)
