"""The console adapter: the dialogue engine in a terminal, or scripted through a pipe.

Each line typed is one message. A number presses the button with that number from the
last replies; ``/word argument`` is a command; ``/quit`` (or end of input) leaves.
Files the engine sends (exported summaries) are saved in the current folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, TextIO

from conversations.events import Attachment, Choice, Event, EventKind, Reply
from knowledge.loader import KnowledgeBase

logger = logging.getLogger(__name__)

QUIT_WORDS = frozenset({"/quit", "/exit", "/q"})
PROMPT = "> "
INLINE_LABEL_CHARS = 16  # choices with labels up to this long go on one line
LINE_WIDTH = 78


class DialogueEngine(Protocol):
    """What the console needs from ``conversations.engine.Engine``."""

    def handle(self, event: Event) -> list[Reply]: ...

    def language_of(self, user_id: str) -> str | None: ...


class ConsoleChat:
    """One user's conversation with the engine over text streams.

    :param engine: the dialogue engine.
    :param knowledge: for the console's own texts (``console.*`` UI keys).
    :param user_id: the engine user, e.g. "console:alice".
    :param output: where replies are written.
    :param language: a language hint for a new user ("nl" or "en"), or None.
    :param save_dir: where files the engine sends are saved.
    """

    def __init__(
        self,
        engine: DialogueEngine,
        knowledge: KnowledgeBase,
        user_id: str,
        output: TextIO,
        *,
        language: str | None = None,
        save_dir: Path = Path(),
    ) -> None:
        self.engine = engine
        self.knowledge = knowledge
        self.user_id = user_id
        self.output = output
        self.language = language
        self.save_dir = save_dir
        self.choices: tuple[Choice, ...] = ()

    # -- one message -------------------------------------------------------------------

    def event_for(self, line: str) -> Event:
        """The engine event for one typed line (a number presses a shown button)."""
        stripped = line.strip()
        if stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= len(self.choices):
            return self._event(EventKind.CHOICE, self.choices[int(stripped) - 1].data)
        if stripped.startswith("/") and len(stripped) > 1:
            word, _, argument = stripped[1:].partition(" ")
            return self._event(EventKind.COMMAND, word, argument.strip())
        return self._event(EventKind.TEXT, line.rstrip("\r\n"))

    def _event(self, kind: EventKind, data: str, argument: str = "") -> Event:
        return Event(self.user_id, kind, data, argument, language_hint=self.language)

    def send(self, event: Event) -> None:
        """Hands ``event`` to the engine and writes the replies."""
        replies = self.engine.handle(event)
        self.show(replies)

    def show(self, replies: Iterable[Reply]) -> None:
        """Writes replies with their numbered choices and remembers those choices."""
        choices: list[Choice] = []
        blocks = []
        for reply in replies:
            block = [reply.text]
            if reply.attachment is not None:
                block.append(self._save(reply.attachment))
            if reply.choices:
                block.append(self._layout(reply.choices, first_number=len(choices) + 1))
                choices.extend(reply.choices)
            blocks.append("\n".join(block))
        self.choices = tuple(choices)
        self.output.write("\n\n".join(blocks) + "\n\n")
        self.output.flush()

    def _layout(self, choices: tuple[Choice, ...], first_number: int) -> str:
        items = [f"[{n}] {c.label}" for n, c in enumerate(choices, start=first_number)]
        if any(len(c.label) > INLINE_LABEL_CHARS for c in choices):
            return "\n".join(items)
        lines = [items[0]]
        for item in items[1:]:  # short labels side by side, wrapped at the line width
            if len(lines[-1]) + 2 + len(item) <= LINE_WIDTH:
                lines[-1] += "  " + item
            else:
                lines.append(item)
        return "\n".join(lines)

    def _save(self, attachment: Attachment) -> str:
        """Saves a file the engine sent; returns the line that says where it went."""
        name = Path(attachment.filename).name or "export"
        target = self.save_dir / name
        stem, suffix, number = target.stem, target.suffix, 1
        while target.exists():
            number += 1
            target = self.save_dir / f"{stem}-{number}{suffix}"
        try:
            _write_private(target, attachment.content)
        except OSError as error:
            logger.warning("Could not save an export: %s", error.strerror)
            return self.text("console.save_failed", path=str(target))
        size = max(1, round(len(attachment.content) / 1024))
        return self.text("console.saved", path=str(target), size=size)

    def text(self, key: str, **values: object) -> str:
        """A console text in the user's language."""
        language = self.engine.language_of(self.user_id) or self.language or "nl"
        return self.knowledge.text(key, language, **values)

    # -- whole sessions ------------------------------------------------------------------

    def begin(self) -> None:
        """Switches language when asked for, then greets (or welcomes back) the user."""
        known = self.engine.language_of(self.user_id)
        if self.language and known and known != self.language:
            self.engine.handle(self._event(EventKind.COMMAND, "language", self.language))
        self.send(self._event(EventKind.COMMAND, "start"))

    def run_script(self, lines: Iterable[str]) -> int:
        """Non-interactive: one message per input line, replies to the output."""
        self.begin()
        for line in lines:
            if line.strip().lower() in QUIT_WORDS:
                break
            self.send(self.event_for(line))
        return 0

    def run_interactive(self, read_line=input) -> int:
        """Interactive: a prompt, numbered choices, /quit or Ctrl-D to leave."""
        self.output.write(self.text("console.intro") + "\n\n")
        self.begin()
        while True:
            try:
                line = read_line(PROMPT)
            except (EOFError, KeyboardInterrupt):
                break
            if line.strip().lower() in QUIT_WORDS:
                break
            self.send(self.event_for(line))
        self.output.write("\n" + self.text("console.bye") + "\n")
        return 0


def _write_private(path: Path, content: bytes) -> None:
    """Write a new file readable by its owner only (0600), like ``imvo-coach export``:
    reports hold answers about an employer. Never overwrites an existing file."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
