"""The PDF and Word layout of a ``Letter`` (see ``letter_render``, which imports this module
only when a file is asked for: fpdf2 and python-docx are heavy to load)."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Mm, Pt, RGBColor
from fpdf import FPDF, XPos, YPos

from documents.exports.common import clean
from documents.exports.formats import Format
from documents.exports.pdf_fonts import FAMILY, FontPlan
from documents.letter_render import (
    ACCENT,
    BLANK_INK,
    BODY_PT,
    INK,
    LINE,
    MARGIN,
    MARKERS,
    MUTED,
    _pieces,
)
from documents.letters import Block, Letter


def render(letter: Letter, fmt: Format) -> bytes:
    """``letter`` as PDF or Word bytes."""
    return _pdf(letter) if fmt is Format.PDF else _docx(letter)


def _docx(letter: Letter) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(22))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10.5)
    properties = document.core_properties
    properties.title, properties.author = clean(letter.title), "IMVO-coach"
    properties.language = "nl-NL" if letter.language == "nl" else "en-GB"
    document.add_heading(clean(letter.title), level=0)
    for block in letter.blocks:
        if block.kind == "heading":
            document.add_heading(clean(block.text), level=1)
        elif block.kind in ("bullets", "checklist", "numbered"):
            style = {"numbered": "List Number", "bullets": "List Bullet"}.get(block.kind)
            for item in block.items:
                paragraph = document.add_paragraph(style=style)  # tick boxes: no bullet too
                prefix = "☐ " if block.kind == "checklist" else ""
                _docx_runs(paragraph, prefix + item)
        else:
            paragraph = document.add_paragraph()
            for index, line in enumerate(block.text.split("\n")):
                if index:
                    paragraph.add_run().add_break()
                _docx_runs(
                    paragraph, line, bold=block.kind == "subject", muted=block.kind == "note"
                )
    for source in letter.sources:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(f"{clean(source.label)}: {source.source}")
        run.font.size, run.font.color.rgb = Pt(8.5), RGBColor(*MUTED)
    footer = section.footer.paragraphs[0].add_run(clean(letter.footer))
    footer.font.size, footer.font.color.rgb = Pt(8), RGBColor(*MUTED)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_runs(paragraph, text: str, bold: bool = False, muted: bool = False) -> None:
    for piece, blank in _pieces(text):
        run = paragraph.add_run(piece)
        run.bold = bold or blank
        if blank:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif muted:
            run.font.color.rgb = RGBColor(*MUTED)
            run.font.size = Pt(9)


# -- PDF ------------------------------------------------------------------------------------


class _LetterPDF(FPDF):
    def __init__(self, letter: Letter, fonts: FontPlan) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.letter, self.fonts_plan = letter, fonts
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=20)
        fonts.register(self)
        self.set_title(fonts.printable(letter.title))
        self.set_creator("IMVO-coach")
        self.set_lang(letter.language)

    def t(self, text: str) -> str:
        return self.fonts_plan.printable(clean(text))

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.t(self.letter.footer), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")

    def rich(self, text: str, size: float = BODY_PT, style: str = "", color=INK) -> None:
        """Flowing text whose blanks are orange and bold; ends with a new line."""
        for piece, blank in _pieces(text):
            self.set_font(FAMILY, "B" if blank else style, size)
            self.set_text_color(*(BLANK_INK if blank else color))
            piece = self.t(piece)
            # write() splits a piece's first word by letters when it does not fit on the
            # line ("[dat" / "um]"): start a new line for it instead.
            first = piece.split(" ", 1)[0] if blank is False else piece
            room = self.w - self.r_margin - self.get_x()
            if first and self.get_string_width(first) > room and self.get_x() > self.l_margin:
                self.ln(size * 0.52)
            self.write(size * 0.52, piece)
        self.ln(size * 0.52)


def _pdf(letter: Letter) -> bytes:
    texts = [letter.title, letter.footer, *(b.text for b in letter.blocks)]
    texts += [item for block in letter.blocks for item in block.items]
    texts += [f"{s.label} {s.source}" for s in letter.sources]
    pdf = _LetterPDF(letter, FontPlan(texts))
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 17)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, pdf.t(letter.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for block in letter.blocks:
        _pdf_block(pdf, block)
    if letter.sources:
        pdf.ln(4)
        for source in letter.sources:
            pdf.set_font(FAMILY, "", 8)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(
                0, 3.8, pdf.t(f"{source.label}: {source.source}"), align="L",
                new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode="CHAR",
            )  # fmt: skip
    return bytes(pdf.output())


def _pdf_block(pdf: _LetterPDF, block: Block) -> None:
    if block.kind == "heading":
        if pdf.get_y() + 30 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2)
        pdf.rich(block.text, 12.5, "B", ACCENT)
        pdf.ln(1)
    elif block.kind in ("bullets", "checklist", "numbered"):
        for number, item in enumerate(block.items, start=1):
            marker = MARKERS.get(block.kind, f"{number}.")
            pdf.set_font(FAMILY, "", BODY_PT)
            pdf.set_text_color(*INK)
            pdf.cell(7, LINE, pdf.t(marker))
            left = pdf.l_margin
            pdf.set_left_margin(left + 7)
            pdf.rich(item)
            pdf.set_left_margin(left)
            pdf.ln(1)
        pdf.ln(1.5)
    elif block.kind == "note":
        pdf.rich(block.text, 8.5, "", MUTED)
        pdf.ln(3)
    else:
        style = "B" if block.kind == "subject" else ""
        for line in block.text.split("\n"):
            pdf.rich(line, BODY_PT, style) if line.strip() else pdf.ln(LINE)
        pdf.ln(3 if block.kind != "lines" else 2.5)
