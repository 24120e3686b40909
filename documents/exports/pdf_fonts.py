"""Which fonts a PDF report embeds, and what happens to characters no font has.

Strategy (see ``fonts/README.md``): DejaVu Sans is the report font and covers Latin with
every diacritic, the euro sign, Greek, Cyrillic and more. Two fallbacks are added only
when the report has characters DejaVu lacks: Droid Sans Fallback (Chinese, Japanese,
Korean; loading it costs ~0.2 s) and Noto Emoji (monochrome emoji, so "Zoë's 🍕 Café"
prints as typed). A character no font has becomes U+FFFD, visible to the reader, instead
of silently disappearing.
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
EMOJI_FAMILY = "NotoEmoji"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
FALLBACK = FONT_DIR / "DroidSansFallback.ttf"
EMOJI = FONT_DIR / "NotoEmoji-Regular.ttf"
MISSING = "\ufffd"
# Invisible parts of emoji sequences (variation selectors, zero-width joiner): dropped, as
# a PDF without text shaping would draw them as boxes or gaps.
_INVISIBLE = {0xFE0E, 0xFE0F, 0x200D}


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


@cache
def emoji_codepoints() -> frozenset[int]:
    """Characters the emoji font draws (emoji, but not digits or '#', which it also has)."""
    return _codepoints(EMOJI) - main_codepoints() - _INVISIBLE


class FontPlan:
    """The fonts one document needs, decided from every text it will print."""

    def __init__(self, texts: Iterable[str]) -> None:
        main = main_codepoints()
        needed = {ord(c) for text in texts for c in text if c not in "\n"} - main
        self.uses_fallback = bool(needed & fallback_codepoints())
        self.uses_emoji = bool(needed & emoji_codepoints())
        drawable = set(main)
        if self.uses_fallback:
            drawable |= fallback_codepoints()
        if self.uses_emoji:
            drawable |= emoji_codepoints()
        self._drawable = frozenset(drawable)

    def register(self, pdf: FPDF) -> None:
        """Add the fonts to ``pdf`` (the fallback only when some text needs it)."""
        pdf.add_font(FAMILY, "", str(REGULAR))
        pdf.add_font(FAMILY, "B", str(BOLD))
        fallbacks = []
        # The fallbacks have no bold: exact_match=False lets bold text use the regular
        # glyphs (loading each file once, not twice per style, halves its cost).
        if self.uses_fallback:
            pdf.add_font(FALLBACK_FAMILY, "", str(FALLBACK))
            fallbacks.append(FALLBACK_FAMILY)
        if self.uses_emoji:
            pdf.add_font(EMOJI_FAMILY, "", str(EMOJI))
            fallbacks.append(EMOJI_FAMILY)
        if fallbacks:
            pdf.set_fallback_fonts(fallbacks, exact_match=False)

    def printable(self, text: str) -> str:
        """``text`` with every character no embedded font has replaced by U+FFFD and the
        invisible parts of emoji sequences dropped."""
        drawable = self._drawable
        if all(ord(c) in drawable or c == "\n" for c in text):
            return text
        return "".join(
            c if c == "\n" or ord(c) in drawable else MISSING
            for c in text
            if ord(c) not in _INVISIBLE
        )
