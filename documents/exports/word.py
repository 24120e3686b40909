"""The summary as an editable Word document (python-docx): real headings and tables.

Same content as the PDF. Headings use Word's built-in "Title" and "Heading 1/2" styles
so the navigation pane and a table of contents work; the page is A4 with "page X of Y"
in the footer as Word fields; the document language is set so spelling checks work.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table

from documents.exports.common import (
    clean,
    context_fields,
    counts_lines,
    finding_groups,
    has_appendix,
    one_line,
    question_numbers,
    report_date,
    title,
    visit_groups,
)
from documents.exports.team import discussion_points, members_line
from documents.summary_model import Summary, SummaryFinding

LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}
TABLE_STYLE = "Light Grid Accent 1"
BODY_FONT = "Arial"  # on every Windows and Mac; LibreOffice maps it to Liberation Sans
MUTED = RGBColor(0x64, 0x6A, 0x70)
SEVERITY_INK = {
    "high": RGBColor(0xA8, 0x20, 0x1A),
    "medium": RGBColor(0xB0, 0x5A, 0x00),
    "low": RGBColor(0x7D, 0x66, 0x08),
}


def render_docx(summary: Summary) -> bytes:
    """The full report as a .docx file."""
    document = Document()
    _set_up(document, summary)
    document.add_heading(clean(title(summary)), level=0)
    _muted(document.add_paragraph(), one_line(summary.context.checklist_title))
    _context(document, summary)
    _findings(document, summary)
    _discussion(document, summary)
    _visit(document, summary)
    _answers(document, summary)
    if has_appendix(summary):
        document.add_heading(summary.labels.appendix_heading, level=1)
        document.add_paragraph(summary.labels.appendix_intro)
        _visit_list(document, summary, summary.all_visit_questions)
    if summary.sources:
        document.add_heading(summary.labels.sources_heading, level=1)
        for reference in summary.sources:
            paragraph = document.add_paragraph(style="List Number")
            paragraph.add_run(clean(one_line(reference.label)))
            _muted(paragraph, f" — {one_line(reference.source)}")
    document.add_heading(summary.labels.disclaimer_heading, level=1)
    for part in clean(summary.disclaimer).split("\n\n"):
        if part.strip():
            document.add_paragraph(part.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up(document: WordDocument, summary: Summary) -> None:
    """A4 page, document language and properties, footer with date and page numbers."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    language = LANGUAGE_TAGS.get(summary.context.language, "nl-NL")
    properties = document.core_properties
    properties.title = clean(title(summary))
    properties.subject = clean(summary.context.checklist_title)
    properties.author = summary.labels.made_with
    properties.language = language
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(10.5)
    run_properties = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)
    run_properties.append(lang)
    footer = section.footer.paragraphs[0]
    _muted(footer, f"{summary.labels.made_with} · {report_date(summary)} · ")
    # "Pagina {page} van {pages}": text around the placeholders, Word fields inside.
    for piece in re.split(r"(\{page\}|\{pages\})", summary.labels.page_number):
        if piece == "{page}":
            _field(footer, "PAGE")
        elif piece == "{pages}":
            _field(footer, "NUMPAGES")
        elif piece:
            _muted(footer, piece)


def _context(document: WordDocument, summary: Summary) -> None:
    labels = summary.labels
    document.add_heading(labels.context_heading, level=1)
    rows = context_fields(summary)
    table = _table(document, len(rows), 2, header=False)
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].text = clean(value)
    _widths(table, (45, 125))
    document.add_heading(labels.counts_heading, level=1)
    for line in counts_lines(summary):
        document.add_paragraph(line, style="List Bullet")


def _findings(document: WordDocument, summary: Summary) -> None:
    labels = summary.labels
    document.add_heading(labels.findings_heading, level=1)
    if not summary.findings:
        document.add_paragraph(labels.findings_none)
        return
    document.add_paragraph(labels.findings_intro)
    table = _table(document, len(summary.findings) + 1, 3)
    _header_row(table, labels.column_severity, labels.column_finding, labels.column_from_questions)
    for row, finding in zip(table.rows[1:], summary.findings, strict=True):
        run = row.cells[0].paragraphs[0].add_run(labels.severity(finding.severity))
        run.bold = True
        run.font.color.rgb = SEVERITY_INK[finding.severity]
        row.cells[1].text = clean(one_line(finding.title))
        row.cells[2].text = question_numbers(summary, finding.question_ids)
    _widths(table, (25, 115, 30))
    for heading, findings in finding_groups(summary):
        document.add_heading(heading, level=2)
        for number, finding in findings:
            _finding(document, summary, number, finding)


def _finding(
    document: WordDocument, summary: Summary, number: int, finding: SummaryFinding
) -> None:
    labels = summary.labels
    severity = labels.severity(finding.severity)
    heading = document.add_heading(f"{number}. {clean(one_line(finding.title))}", level=3)
    heading.add_run(f" ({severity})").font.color.rgb = SEVERITY_INK[finding.severity]
    document.add_paragraph(clean(finding.explanation))
    if finding.evidence:
        quotes = "; ".join(f"“{one_line(e)}”" for e in finding.evidence)
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{labels.evidence_label}: ").bold = True
        _muted(paragraph, quotes)
    document.add_paragraph().add_run(labels.advice_label).bold = True
    for step in finding.advice:
        document.add_paragraph(clean(step), style="List Bullet")
    if finding.references:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{labels.references_label}: ").bold = True
        _muted(paragraph, "; ".join(one_line(r.label) for r in finding.references))


def _discussion(document: WordDocument, summary: Summary) -> None:
    """A shared checklist: who filled it in and the points to discuss."""
    if summary.team is None:
        return
    team = summary.team.labels
    document.add_heading(team.disagreements_heading, level=1)
    _muted(document.add_paragraph(), members_line(summary))
    points = discussion_points(summary)
    document.add_paragraph(team.disagreements_intro if points else team.disagreements_none)
    for point in points:
        document.add_paragraph().add_run(clean(point.title)).bold = True
        for view in point.views:
            document.add_paragraph(clean(view), style="List Bullet")


def _visit(document: WordDocument, summary: Summary) -> None:
    labels = summary.labels
    document.add_heading(labels.visit_heading, level=1)
    groups = visit_groups(summary)
    if not groups:
        document.add_paragraph(labels.visit_none)
        return
    document.add_paragraph(labels.visit_intro)
    _visit_list(document, summary, summary.visit_questions)
    if has_appendix(summary):
        count = len(summary.all_visit_questions)
        _muted(document.add_paragraph(), labels.visit_appendix_hint.format(count=count))


def _visit_list(document: WordDocument, summary: Summary, questions) -> None:
    for heading, members in visit_groups(summary, questions):
        document.add_heading(heading, level=2)
        for question in members:
            document.add_paragraph(f"☐ {clean(one_line(question.text))}")


def _answers(document: WordDocument, summary: Summary) -> None:
    labels = summary.labels
    document.add_heading(labels.answers_heading, level=1)
    table = _table(document, len(summary.answers) + 1, 4)
    _header_row(
        table, labels.column_number, labels.column_question, labels.column_answer,
        labels.column_stance,
    )  # fmt: skip
    for row, answer in zip(table.rows[1:], summary.answers, strict=True):
        row.cells[0].text = str(answer.number)
        row.cells[1].text = clean(one_line(answer.question))
        answer_cell = row.cells[2].paragraphs[0]
        if answer.answer_text:
            answer_cell.add_run(clean(answer.answer_text))
        else:
            _muted(answer_cell, "—")
        if answer.signals:
            _muted(row.cells[2].add_paragraph(), "→ " + "; ".join(answer.signals))
        if answer.stance:
            row.cells[3].text = answer.stance_label
        else:
            _muted(row.cells[3].paragraphs[0], answer.stance_label)
    _widths(table, (12, 68, 62, 28))


def _table(document: WordDocument, rows: int, columns: int, header: bool = True) -> Table:
    table = document.add_table(rows=rows, cols=columns)
    table.style = document.styles[TABLE_STYLE] if header else document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if header:
        # Repeat the header row on every page the table spans.
        row_properties = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        row_properties.append(repeat)
    return table


def _header_row(table: Table, *titles: str) -> None:
    for cell, text in zip(table.rows[0].cells, titles, strict=True):
        cell.paragraphs[0].add_run(text).bold = True


def _widths(table: Table, millimetres: tuple[int, ...]) -> None:
    """Fixed column widths; Word reads them from the cells, LibreOffice from the grid."""
    table.autofit = False
    for column, width in zip(table.columns, millimetres, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, millimetres, strict=True):
            cell.width = Mm(width)


def _muted(paragraph, text: str) -> None:
    run = paragraph.add_run(clean(text))
    run.font.color.rgb = MUTED


def _field(paragraph, instruction: str) -> None:
    """Insert a Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    parts = (("fldChar", "begin"), ("instrText", f" {instruction} "), ("fldChar", "separate"),
             ("t", "1"), ("fldChar", "end"))  # fmt: skip
    for tag, value in parts:
        run = paragraph.add_run()
        run.font.color.rgb = MUTED
        element = OxmlElement(f"w:{tag}")
        if tag == "fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)
