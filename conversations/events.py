"""What goes into the dialogue engine and what comes out: no Telegram types here.

An adapter (console chat, Telegram bot, tests) turns its input into an ``Event`` and
shows the returned ``Reply`` objects in its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EventKind(StrEnum):
    """The three ways a user talks to the engine."""

    TEXT = "text"  # typed free text
    CHOICE = "choice"  # a pressed button: ``data`` is a Choice.data the engine made
    COMMAND = "command"  # a command such as "start", "help", "skip" (without the slash)


@dataclass(frozen=True)
class Event:
    """One input of one user."""

    user_id: str  # adapter-qualified, e.g. "tg:12345" or "console:alice"
    kind: EventKind
    data: str  # the text, the choice data, or the command name
    argument: str = ""  # text after a command, e.g. "/lang en" -> "en"
    language_hint: str | None = None  # e.g. Telegram language_code, used for new users
    # The adapter's ID of this input (a Telegram update_id): an input delivered again with
    # the same ID (a redelivery after a crash, a webhook retry) changes nothing.
    delivery_id: str | None = None


@dataclass(frozen=True)
class Choice:
    """A button the user can press; ``data`` fits Telegram's 64-byte callback limit."""

    label: str
    data: str


@dataclass(frozen=True)
class Attachment:
    """A file to send (an exported report)."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Reply:
    """One message to show: plain text (adapters escape it), optional buttons or a file."""

    text: str
    choices: tuple[Choice, ...] = ()
    attachment: Attachment | None = None
    # Label of the answer given, so an adapter can mark the question message as answered.
    answered: str | None = field(default=None)
