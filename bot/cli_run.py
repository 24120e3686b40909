"""``imvo-coach run``: start the Telegram bot with settings from the environment.

Long polling by default; PTB's own webhook server when ``WEBHOOK_URL`` is set. Every
setting is described in ``.env.example``. A problem at startup ends with one clear
"Error: ..." line on stderr and a non-zero exit code (PTB logs its traceback above it).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from typing import Any

from bot.config import BotConfig, ConfigError, load_config

logger = logging.getLogger(__name__)

EXIT_USAGE = 2  # nothing to run with: settings missing or wrong
EXIT_FAILURE = 1  # the settings were fine but the bot could not start
NO_TOKEN = (
    "No Telegram token: set TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE), see .env.example; "
    "to try the assistant without Telegram, run `imvo-coach chat`."
)


def register(subparsers: Any) -> None:
    """Add the ``run`` command."""
    run = subparsers.add_parser(
        "run",
        help="run the Telegram bot (settings from the environment, see .env.example)",
        description="Run the Telegram bot: long polling, or a webhook when WEBHOOK_URL is set.",
    )
    run.set_defaults(handler=run_bot)


def run_bot(args: argparse.Namespace) -> int:
    """Read the settings, open knowledge and storage, and serve until stopped."""
    try:
        config = load_config()
    except ConfigError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not config.token:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    return serve(config)


def serve(config: BotConfig) -> int:
    """Build engine and bot from ``config``; blocks until SIGINT or SIGTERM."""
    # Imported here so that `imvo-coach --help` stays fast and works without a database.
    from telegram.error import InvalidToken, TelegramError

    from bot.telegram_app import build_application
    from bot.telegram_db import limit_malloc_arenas
    from bot.telegram_inbox import run
    from bot.telegram_logging import configure_logging
    from conversations.engine import Engine
    from knowledge import KnowledgeBaseError, default_knowledge
    from storage import StorageError, Store

    configure_logging(config.log_level, [config.token or "", config.webhook_secret or ""])
    limit_malloc_arenas()
    try:
        knowledge = default_knowledge()
    except KnowledgeBaseError as error:
        print(
            f"Error: the knowledge base is broken ({error}); run `imvo-coach kb validate`.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    try:
        store = Store(config.db_path)
    except (StorageError, OSError, sqlite3.Error) as error:
        print(f"Error: cannot open the database {config.db_path}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        run(build_application(config, Engine(knowledge, store), knowledge), config)
    except InvalidToken:
        print(
            "Error: Telegram does not accept this bot token (check TELEGRAM_BOT_TOKEN).",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except TelegramError as error:
        print(
            f"Error: cannot reach the Telegram Bot API at {config.api_url}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    logger.info("Stopped")
    return 0
