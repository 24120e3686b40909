"""Lay out a ``Letter`` (letters and the visit plan) as PDF, Word or Markdown.

Blanks the user fills in (``[naam]``) stand out in every format: orange and bold in the
PDF, highlighted yellow in Word, bold in Markdown. The PDF uses the report's embedded fonts
(``exports.pdf_fonts``), so names with accents, other scripts or emoji print as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from documents import render_worker
from documents.exports.common import clean
from documents.exports.filename import safe_name_part
from documents.exports.formats import Format
from documents.exports.markdown import escape
from documents.letters import Letter

LETTER_FORMATS: tuple[Format, ...] = (Format.PDF, Format.DOCX, Format.MARKDOWN)
BLANK = re.compile(r"(\[[^\[\]\n]{1,80}\])")
INK = (33, 37, 41)
MUTED = (100, 106, 112)
ACCENT = (22, 58, 110)
BLANK_INK = (178, 84, 0)  # orange: a field the user must fill in
MARGIN = 22.0
BODY_PT = 10.5
LINE = 5.4
MARKERS = {"bullets": "•", "checklist": "☐"}


def render_letter(letter: Letter, fmt: Format | str) -> bytes:
    """``letter`` as PDF, Word or Markdown bytes; ValueError for another format."""
    fmt = Format(fmt)
    if fmt not in LETTER_FORMATS:
        raise ValueError(f"letters are made as PDF, Word or Markdown, not {fmt.value}")
    if fmt is Format.MARKDOWN:
        return _markdown(letter)
    # fpdf2 and python-docx (with fontTools and lxml) are heavy: made by the render worker
    # (its own process while the bot runs), imported only when someone asks for a file
    return render_worker.render("documents.letter_files:render", letter, fmt)


def letter_filename(letter: Letter, fmt: Format | str) -> str:
    """E.g. "Informatieverzoek-Zoes-Cafe-2026-12-04.pdf"."""
    name = safe_name_part(letter.assessed_name) or f"assessment-{letter.assessment_id}"
    stem = "-".join(p for p in (safe_name_part(letter.short_name.capitalize()), name) if p)
    return f"{stem}-{safe_name_part(letter.dated)}.{Format(fmt).extension}"


def _pieces(text: str) -> Iterator[tuple[str, bool]]:
    """``text`` cut into (piece, is_blank) parts."""
    for piece in BLANK.split(clean(text)):
        if piece:
            yield piece, bool(BLANK.fullmatch(piece))


# -- Markdown -------------------------------------------------------------------------------


def _md_inline(text: str) -> str:
    return "".join(f"**{escape(p)}**" if blank else escape(p) for p, blank in _pieces(text))


def _markdown(letter: Letter) -> bytes:
    out = [f"# {escape(letter.title)}", ""]
    for block in letter.blocks:
        if block.kind == "heading":
            out += [f"## {escape(block.text)}", ""]
        elif block.kind == "subject":
            out += [f"**{_md_inline(block.text)}**", ""]
        elif block.kind == "note":
            out += [f"*{_md_inline(block.text)}*", ""]
        elif block.kind == "lines":
            out += ["\\\n".join(_md_inline(line) for line in block.text.split("\n")), ""]
        elif block.kind in ("bullets", "checklist", "numbered"):
            for number, item in enumerate(block.items, start=1):
                marker = {"bullets": "-", "checklist": "- [ ]"}.get(block.kind, f"{number}.")
                out.append(f"{marker} {_md_inline(item)}")
            out.append("")
        else:
            out += [_md_inline(block.text), ""]
    if letter.sources:
        out += ["---", ""]
        out += [f"- {escape(s.label)}: <{s.source}>" for s in letter.sources]
        out.append("")
    out += [f"*{escape(letter.footer)}*", ""]
    return "\n".join(out).encode("utf-8")


# -- Word -----------------------------------------------------------------------------------
