"""``imvo-coach chat [--user NAME] [--db PATH] [--lang nl|en]``: the assistant in a terminal.

Interactive when standard input is a terminal; otherwise it reads one message per line
and writes the replies to standard output, so conversations can be scripted::

    printf '1\\n3\\nZoë BV\\n' | imvo-coach chat --user demo --db /tmp/demo.db
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from pathlib import Path
from typing import Any

from knowledge.schema import LANGUAGES

EXIT_FAILURE = 1


def register(subparsers: Any) -> None:
    """Add the ``chat`` command."""
    chat = subparsers.add_parser(
        "chat",
        help="talk to the assistant in the terminal (no Telegram needed)",
        description="Talk to the assistant in the terminal. Type a number to choose an "
        "option, /help for the commands, /quit to leave. When standard input is not a "
        "terminal, every line is one message and replies go to standard output.",
    )
    chat.add_argument("--user", metavar="NAME", help="whose conversation (default: your login)")
    chat.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $IMVO_COACH_DB or ./data/imvo-coach.db)",
    )
    chat.add_argument("--lang", choices=LANGUAGES, help="language (default: Dutch for new users)")
    chat.set_defaults(handler=run_chat)


def _login_name() -> str:
    try:
        return getpass.getuser() or "local"
    except (KeyError, OSError):  # no user database entry, e.g. in a container
        return "local"


def run_chat(args: argparse.Namespace) -> int:
    """Open the database and talk until the input ends; 1 with one "Error:" line if it can't."""
    # Imported here so that `imvo-coach --help` stays fast.
    from bot.console import ConsoleChat
    from conversations.engine import Engine
    from knowledge import KnowledgeBaseError, default_knowledge
    from storage import StorageError, Store, resolve_db_path

    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # odd bytes or a narrow terminal never crash
    try:
        knowledge = default_knowledge()
    except KnowledgeBaseError as error:
        print(
            f"Error: the knowledge base has {len(error.problems)} problem(s); "
            "run `imvo-coach kb validate` to see them",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    path = resolve_db_path(args.db)
    try:
        store = Store(path)
    except StorageError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    with store:
        chat = ConsoleChat(
            Engine(knowledge, store),
            knowledge,
            f"console:{(args.user or _login_name()).strip() or 'local'}",
            sys.stdout,
            language=args.lang,
            save_dir=Path(),
        )
        if sys.stdin.isatty():
            _enable_line_editing()
            return chat.run_interactive()
        return chat.run_script(sys.stdin)


def _enable_line_editing() -> None:
    """Arrow keys and history at the prompt, where the platform has readline."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401
