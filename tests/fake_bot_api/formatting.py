"""What Telegram checks in a message: HTML that parses, lengths, keyboards, callback data."""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA, MAX_ANSWER_TEXT = 4096, 1024, 64, 200
MAX_UPLOAD = 50 * 1024 * 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
}
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<>&]"
)


class ApiError(Exception):
    """Raised inside the fake to answer a call with ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into plain text and entities, refusing what Telegram refuses."""
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, str, int]] = []
    offset, position = 0, 0

    def fail(reason: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {reason}")

    for match in _HTML_TOKEN.finditer(source):
        literal = source[position : match.start()]
        plain.append(literal)
        offset += utf16_len(literal)
        position = match.end()
        closing, name, attrs, entity = match.group(1), match.group(2), match.group(3), match[4]
        if name is not None:
            name = name.lower()
            if name not in _TAGS:
                raise fail(f'Unsupported start tag "{name}" at byte offset {match.start()}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise fail(f'Can\'t find end tag corresponding to end tag "{name}"')
                _, kind_attrs, start = stack.pop()
                if offset > start:
                    item: dict[str, Any] = {
                        "type": _TAGS[name],
                        "offset": start,
                        "length": offset - start,
                    }
                    if name == "a":
                        item["url"] = kind_attrs
                    entities.append(item)
                continue
            if name == "span" and "tg-spoiler" not in attrs:
                raise fail('Unsupported start tag "span"')
            href = re.search(r'href="([^"]*)"', attrs)
            if name == "a" and not href:
                raise fail('Tag "a" must have an attribute "href"')
            stack.append((name, href.group(1) if href else "", offset))
        elif entity is not None:
            if entity.startswith("#"):
                char = chr(int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:]))
            elif entity in _ENTITIES:
                char = _ENTITIES[entity]
            else:
                raise fail(f'Unsupported HTML entity "&{entity};"')
            plain.append(char)
            offset += utf16_len(char)
        else:
            raise fail(f'Unescaped "{match.group(0)}" at byte offset {match.start()}')
    plain.append(source[position:])
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def check_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard; return it, or None when it has no buttons."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if sum(len(row) for row in rows) > 100 or any(len(row) > 8 for row in rows):
        raise ApiError(400, "Bad Request: BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if any(rows) else None


def formatted(params: dict[str, Any], key: str, limit: int, required: bool) -> dict[str, Any]:
    """Parse text or caption by parse_mode; return the Message fields it becomes."""
    raw = str(params.get(key, ""))
    if params.get("parse_mode", "").upper() == "HTML":
        plain, entities = parse_html(raw)
    elif params.get("parse_mode"):
        raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
    else:
        plain, entities = raw, []
    if required and not plain.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(plain) > limit:
        too_long = "message is too long" if key == "text" else "message caption is too long"
        raise ApiError(400, f"Bad Request: {too_long}")
    fields: dict[str, Any] = {key: plain} if plain else {}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields
