"""Safe file names for exported reports, made from the company name and the date."""

from __future__ import annotations

import re
import unicodedata

from documents.exports.formats import Format
from documents.summary_model import Summary

MAX_NAME_CHARS = 60
_RESERVED_ON_WINDOWS = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip


def safe_name_part(text: str) -> str:
    """Letters and digits of ``text`` joined by hyphens, accents dropped, other scripts kept.

    "Zoë's Café € — 株式会社" becomes "Zoes-Cafe-株式会社": no path separators, no characters
    Windows, macOS or Telegram refuse, no leading dot, at most ``MAX_NAME_CHARS`` long.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    composed = unicodedata.normalize("NFKC", without_accents)
    composed = re.sub(r"['’`]", "", composed)  # "Zoë's" -> "Zoes", not "Zoe-s"
    words = re.split(r"[^\w]+|_", composed)
    name = "-".join(word for word in words if word)[:MAX_NAME_CHARS].strip("-")
    if name.upper() in _RESERVED_ON_WINDOWS:
        name = f"{name}-report"
    return name


def export_filename(summary: Summary, fmt: Format | str) -> str:
    """File name for ``summary`` in ``fmt``, e.g. "IMVO-Zoes-Cafe-2025-11-25.pdf".

    Without a usable name the assessment number stands in ("IMVO-assessment-12-...").
    """
    context = summary.context
    name = safe_name_part(context.name) or f"assessment-{context.assessment_id}"
    date_part = safe_name_part(context.updated or context.created)
    stem = "-".join(part for part in ("IMVO", name, date_part) if part)
    return f"{stem}.{Format(fmt).extension}"
