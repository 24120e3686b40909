"""Which fonts a PDF report embeds, and what happens to characters no font has.

Strategy (see ``fonts/README.md``): DejaVu Sans is the report font and covers Latin with
every diacritic, the euro sign, Greek, Cyrillic and more. Droid Sans Fallback is added
only when the report has characters DejaVu lacks (Chinese, Japanese, Korean), because
loading it costs ~0.2 s. A character neither font has becomes U+FFFD, visible to the reader,
instead of silently disappearing.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "DejaVuSans"
FALLBACK_FAMILY = "DroidSansFallback"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FALLBACK = FONT_DIR / "DroidSansFallback.ttf"
MISSING = "\ufffd"


@cache
def _codepoints(path: Path) -> frozenset[int]:
    """The characters a font file has glyphs for (read once per process)."""
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def main_codepoints() -> frozenset[int]:
    """Characters both DejaVu styles draw (bold lacks a few regular has)."""
    return _codepoints(REGULAR) & _codepoints(BOLD)


@cache
def fallback_codepoints() -> frozenset[int]:
    """Characters the CJK fallback font draws."""
    return _codepoints(FALLBACK)


class FontPlan:
    """The fonts one document needs, decided from every text it will print."""

    def __init__(self, texts: Iterable[str]) -> None:
        main = main_codepoints()
        needed = {ord(c) for text in texts for c in text if c not in "\n"} - main
        self.uses_fallback = bool(needed & fallback_codepoints())
        self._drawable = main | fallback_codepoints() if self.uses_fallback else main

    def register(self, pdf: FPDF) -> None:
        """Add the fonts to ``pdf`` (the fallback only when some text needs it)."""
        pdf.add_font(FAMILY, "", str(REGULAR))
        pdf.add_font(FAMILY, "B", str(BOLD))
        if self.uses_fallback:
            # The fallback has no bold: exact_match=False lets bold text use the regular
            # glyphs (loading the file once, not twice per style, halves its cost).
            pdf.add_font(FALLBACK_FAMILY, "", str(FALLBACK))
            pdf.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)

    def printable(self, text: str) -> str:
        """``text`` with every character no embedded font has replaced by U+FFFD."""
        drawable = self._drawable
        if all(ord(c) in drawable or c == "\n" for c in text):
            return text
        return "".join(c if c == "\n" or ord(c) in drawable else MISSING for c in text)
