"""Cleaning what people type before anything reads it.

Control and invisible formatting characters (zero-width spaces, bidi overrides) are
removed, the text is NFC-normalised and trimmed. What remains is checked for length
and for containing at least one letter or digit.
"""

from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE_CHARS = 4000  # a long answer fits; a pasted document does not
MAX_CONTEXT_CHARS = 120  # company name, country, sector
_SPACES = re.compile(r"[ \t]+")


def clean_text(text: str) -> str:
    """``text`` without control or invisible characters, spaces collapsed, trimmed."""
    kept = []
    for char in unicodedata.normalize("NFC", text or ""):
        category = unicodedata.category(char)
        if char == "\n":
            kept.append(char)
        elif category == "Cc" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category in ("Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(char)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """``text`` on a single line (for names and matching)."""
    return " ".join(text.split())


def has_words(text: str) -> bool:
    """True when ``text`` has at least one letter or digit (not only emoji or signs)."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)
