"""Turn engine replies into what Telegram accepts: escaped HTML, split text, inline keyboards.

Pure functions without network calls, so the limits are easy to test: text at most 4,096
characters (split at paragraph, then line, then word boundaries), callback data at most
64 bytes, button rows that fit a phone screen.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from conversations.events import Choice

logger = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after HTML entities are parsed
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # 1024
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64
ANSWERED_MARK = "✅"
# (longest label, buttons per row): short answers side by side, long labels one per row.
_ROW_WIDTHS = ((8, 3), (18, 2))
# An inline keyboard as the Bot API reads it: {"inline_keyboard": [[{"text", "callback_data"}]]}
Keyboard = dict[str, list[list[dict[str, str]]]]


def escape(text: str) -> str:
    """Escape text for HTML parse mode (quotes may stay: they are not markup outside tags)."""
    return html.escape(text, quote=False)


def _cut(text: str, limit: int) -> list[str]:
    """Split one oversized piece at the last line break or space before ``limit``."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit + 1), text.rfind(" ", 0, limit + 1))
        if cut <= 0:
            cut = limit  # one unbroken word longer than a message: cut it hard
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text)
    return [piece for piece in pieces if piece.strip()]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split plain ``text`` into messages of at most ``limit`` characters, keeping paragraphs."""
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for piece in _cut(paragraph, limit) if len(paragraph) > limit else [paragraph]:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                if current.strip():  # a whitespace-only message is refused by Telegram
                    chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return chunks


def keyboard(choices: Sequence[Choice]) -> Keyboard | None:
    """Lay out the engine's choices as inline buttons (the Bot API's ``reply_markup``
    JSON, sent as is: PTB's button objects cost ~5% of the bot's CPU under load, only
    to be turned back into this); None when there are none."""
    valid: list[dict[str, str]] = []
    for choice in choices:
        if not choice.label.strip() or not 1 <= len(choice.data.encode()) <= MAX_CALLBACK_BYTES:
            # The engine promises <= 64 bytes; a broken choice must not sink the whole message.
            logger.error("Dropped a button whose callback data does not fit Telegram's limits")
            continue
        valid.append({"text": choice.label, "callback_data": choice.data})
    if not valid:
        return None
    longest = max(len(button["text"]) for button in valid)
    width = next((w for limit, w in _ROW_WIDTHS if longest <= limit), 1)
    return {"inline_keyboard": [valid[i : i + width] for i in range(0, len(valid), width)]}


def answered_html(question_html: str, question_plain: str, label: str) -> str | None:
    """The question message with the chosen answer below it; None when that would not fit."""
    suffix = f"\n\n{ANSWERED_MARK} {label}"
    if len(question_plain) + len(suffix) > MAX_TEXT:
        return None
    return f"{question_html}\n\n{ANSWERED_MARK} <b>{escape(label)}</b>"


def language_from_code(language_code: str | None, default: str) -> str:
    """Telegram's language_code decides the first language: nl is Dutch, the rest English."""
    if not language_code:
        return default
    return "nl" if language_code.lower().split("-")[0] == "nl" else "en"
