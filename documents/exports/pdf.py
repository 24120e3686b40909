"""The summary as an A4 PDF a union official can print or forward (fpdf2).

Layout: a title block with the assessment's context, four "at a glance" boxes, a
findings table followed by each finding's advice and norms (abuses, then gaps), the short
checklist of questions for the visit, a table of every answer, the appendix with every
visit question, the numbered sources and the disclaimer. Every page
has a footer with the date and "page X of Y". Fonts: see ``pdf_fonts``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fpdf import FPDF, XPos, YPos
from fpdf.fonts import FontFace

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
from documents.exports.pdf_fonts import FAMILY, FontPlan
from documents.exports.team import discussion_points, members_line
from documents.summary_model import Summary, SummaryFinding

INK = (33, 37, 41)
MUTED = (100, 106, 112)
ACCENT = (22, 58, 110)  # deep blue for headings and the title band
RULE = (200, 206, 214)
PANEL = (241, 244, 248)
SEVERITY_TINT = {"high": (248, 215, 212), "medium": (253, 232, 204), "low": (252, 244, 207)}
SEVERITY_INK = {"high": (168, 32, 26), "medium": (176, 90, 0), "low": (125, 102, 8)}
MARGIN = 18.0
TABLE_ANSWER_CHARS = 350  # longer answers are cut in the table and printed in full after it
BODY_PT = 10
LINE = 5.0


class _ReportPDF(FPDF):
    """FPDF with this report's page header and footer."""

    def __init__(self, summary: Summary, fonts: FontPlan) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.summary = summary
        self.fonts_plan = fonts
        self.set_margins(MARGIN, MARGIN + 4, MARGIN)
        self.set_auto_page_break(auto=True, margin=20)
        fonts.register(self)
        self.set_title(fonts.printable(title(summary)))
        self.set_subject(fonts.printable(one_line(summary.context.checklist_title)))
        self.set_author(summary.labels.made_with)
        self.set_creator("IMVO-coach")
        self.set_lang(summary.context.language)

    def t(self, text: str | None) -> str:
        """Text made safe to print: no control characters, unknown glyphs shown as U+FFFD."""
        return self.fonts_plan.printable(clean(text))

    def header(self) -> None:
        labels = self.summary.labels
        if self.page_no() == 1:
            self.set_fill_color(*ACCENT)
            self.rect(0, 0, self.w, 12, style="F")
            self.set_xy(MARGIN, 3.5)
            self.set_font(FAMILY, "B", 9)
            self.set_text_color(255, 255, 255)
            self.cell(0, 5, self.t(labels.title.upper()), align="L")
            self.set_xy(MARGIN, 3.5)
            self.set_font(FAMILY, "", 9)
            self.cell(0, 5, self.t(report_date(self.summary)), align="R")
        else:
            self.set_xy(MARGIN, 9)
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 4, self.t(title(self.summary)), align="L")
            self.set_draw_color(*RULE)
            self.line(MARGIN, 14, self.w - MARGIN, 14)
        self.set_xy(MARGIN, MARGIN + 4)
        self.set_text_color(*INK)

    def footer(self) -> None:
        labels = self.summary.labels
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.line(MARGIN, self.get_y() - 1.5, self.w - MARGIN, self.get_y() - 1.5)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.t(f"{labels.made_with} · {report_date(self.summary)}"), align="L")
        self.set_x(MARGIN)
        page = labels.page_number.format(page=self.page_no(), pages=self.str_alias_nb_pages)
        self.cell(0, 4, self.t(page), align="R")

    # -- building blocks ------------------------------------------------------------

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def reset_colours(self) -> None:
        """Plain ink on white: tables take their default cell style from the current state."""
        self.set_text_color(*INK)
        self.set_fill_color(255, 255, 255)
        self.set_draw_color(*RULE)

    def ensure_space(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit (keeps headings with their text)."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def paragraph(self, text: str, size: float = BODY_PT, style: str = "", color=INK) -> None:
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)
        self.multi_cell(
            0, size * 0.5, self.t(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def heading(self, text: str, keep_with_next: float = 30) -> None:
        self.ensure_space(keep_with_next)
        self.ln(4)
        self.paragraph(text, 14, "B", ACCENT)
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y() + 0.8, self.w - self.r_margin, self.get_y() + 0.8)
        self.set_line_width(0.2)
        self.ln(3.5)

    def subheading(self, text: str, color=INK) -> None:
        self.ensure_space(22)
        self.ln(2)
        self.paragraph(text, 11, "B", color)
        self.ln(1)

    def hanging(self, marker: str, text: str, size: float = BODY_PT, indent: float = 6) -> None:
        """A list item: ``marker`` in the margin, ``text`` wrapped beside it."""
        self.set_font(FAMILY, "", size)
        self.set_text_color(*INK)
        self.set_x(self.l_margin)
        self.cell(indent, size * 0.5, self.t(marker))
        self.multi_cell(
            self.content_width - indent,
            size * 0.5,
            self.t(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def render_pdf(summary: Summary) -> bytes:
    """The full report as PDF bytes."""
    pdf = _ReportPDF(summary, FontPlan(_all_texts(summary)))
    pdf.add_page()
    _title_block(pdf)
    _counts(pdf)
    _findings(pdf)
    _discussion(pdf)
    _visit(pdf)
    _answers(pdf)
    _appendix(pdf)
    _sources(pdf)
    _disclaimer(pdf)
    return bytes(pdf.output())


def _title_block(pdf: _ReportPDF) -> None:
    summary = pdf.summary
    pdf.paragraph(title(summary), 20, "B", ACCENT)
    pdf.ln(1)
    pdf.paragraph(summary.context.checklist_title, 12, "", MUTED)
    pdf.ln(4)
    for label, value in context_fields(summary):
        pdf.set_font(FAMILY, "B", 9.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(45, LINE, pdf.t(label))
        pdf.set_font(FAMILY, "", 9.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, LINE, pdf.t(value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _counts(pdf: _ReportPDF) -> None:
    summary = pdf.summary
    pdf.heading(summary.labels.counts_heading)
    lines = counts_lines(summary)
    gap, height = 3.0, 16.0
    width = (pdf.content_width - (len(lines) - 1) * gap) / len(lines)
    top = pdf.get_y()
    has_high = summary.counts.risks_high > 0
    for index, text in enumerate(lines):
        x = pdf.l_margin + index * (width + gap)
        risky = index == len(lines) - 1 and has_high
        pdf.set_fill_color(*(SEVERITY_TINT["high"] if risky else PANEL))
        pdf.rect(x, top, width, height, style="F")
        pdf.set_xy(x + 2, top + 3)
        pdf.set_font(FAMILY, "B", 9)
        pdf.set_text_color(*(SEVERITY_INK["high"] if risky else ACCENT))
        pdf.multi_cell(width - 4, LINE, pdf.t(text), align="C", new_x=XPos.LEFT)
    pdf.set_xy(pdf.l_margin, top + height + 2)


def _findings(pdf: _ReportPDF) -> None:
    summary, labels = pdf.summary, pdf.summary.labels
    pdf.heading(labels.findings_heading)
    if not summary.findings:
        pdf.paragraph(labels.findings_none)
        return
    pdf.paragraph(labels.findings_intro, color=MUTED)
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.reset_colours()
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    with pdf.table(
        col_widths=(24, 118, 32),
        headings_style=heading_style,
        line_height=LINE,
        text_align=("LEFT", "LEFT", "CENTER"),
        v_align="TOP",
        padding=1.5,
        width=pdf.content_width,
    ) as table:
        row = table.row()
        for text in (labels.column_severity, labels.column_finding, labels.column_from_questions):
            row.cell(pdf.t(text))
        for finding in summary.findings:
            row = table.row()
            tint = FontFace(
                emphasis="BOLD",
                color=SEVERITY_INK[finding.severity],
                fill_color=SEVERITY_TINT[finding.severity],
            )
            row.cell(pdf.t(labels.severity(finding.severity)), style=tint)
            row.cell(pdf.t(one_line(finding.title)))
            row.cell(pdf.t(question_numbers(summary, finding.question_ids)))
    for heading, findings in finding_groups(summary):
        pdf.ln(2)
        pdf.subheading(heading, ACCENT)
        for number, finding in findings:
            _finding(pdf, number, finding)


def _finding(pdf: _ReportPDF, number: int, finding: SummaryFinding) -> None:
    labels = pdf.summary.labels
    severity = labels.severity(finding.severity)
    pdf.ln(2)
    pdf.subheading(
        f"{number}. {one_line(finding.title)} ({severity})", SEVERITY_INK[finding.severity]
    )
    pdf.paragraph(finding.explanation)
    if finding.evidence:
        quotes = "; ".join(f"“{one_line(e)}”" for e in finding.evidence)
        pdf.ln(1)
        pdf.paragraph(f"{labels.evidence_label}: {quotes}", 9, color=MUTED)
    pdf.ln(1.5)
    pdf.paragraph(labels.advice_label, BODY_PT, "B")
    for step in finding.advice:
        pdf.hanging("•", step)
    if finding.references:
        pdf.ln(1)
        refs = "; ".join(one_line(r.label) for r in finding.references)
        pdf.paragraph(f"{labels.references_label}: {refs}", 8.5, color=MUTED)


def _discussion(pdf: _ReportPDF) -> None:
    """A shared checklist: who filled it in and the points to discuss."""
    if pdf.summary.team is None:
        return
    team = pdf.summary.team.labels
    pdf.heading(team.disagreements_heading)
    pdf.paragraph(members_line(pdf.summary), color=MUTED)
    points = discussion_points(pdf.summary)
    pdf.paragraph(team.disagreements_intro if points else team.disagreements_none)
    for point in points:
        pdf.ln(1.5)
        pdf.paragraph(point.title, BODY_PT, "B")
        for view in point.views:
            pdf.hanging("•", view)


def _visit(pdf: _ReportPDF) -> None:
    labels = pdf.summary.labels
    pdf.heading(labels.visit_heading)
    groups = visit_groups(pdf.summary)
    if not groups:
        pdf.paragraph(labels.visit_none)
        return
    pdf.paragraph(labels.visit_intro, color=MUTED)
    _visit_list(pdf, groups)
    if has_appendix(pdf.summary):
        pdf.ln(1)
        count = len(pdf.summary.all_visit_questions)
        pdf.paragraph(labels.visit_appendix_hint.format(count=count), 9, color=MUTED)


def _visit_list(pdf: _ReportPDF, groups) -> None:
    for heading, questions in groups:
        pdf.subheading(heading)
        for question in questions:
            pdf.hanging("☐", one_line(question.text))
            pdf.ln(0.8)


def _appendix(pdf: _ReportPDF) -> None:
    summary = pdf.summary
    if not has_appendix(summary):
        return
    pdf.heading(summary.labels.appendix_heading)
    pdf.paragraph(summary.labels.appendix_intro, color=MUTED)
    _visit_list(pdf, visit_groups(summary, summary.all_visit_questions))


def _answers(pdf: _ReportPDF) -> None:
    summary, labels = pdf.summary, pdf.summary.labels
    pdf.heading(labels.answers_heading, keep_with_next=60)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.reset_colours()
    heading_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT)
    muted = FontFace(color=MUTED)
    cut_short = []
    with pdf.table(
        col_widths=(10, 66, 68, 30),
        headings_style=heading_style,
        line_height=4.3,
        text_align=("CENTER", "LEFT", "LEFT", "LEFT"),
        v_align="TOP",
        padding=1.3,
        width=pdf.content_width,
        cell_fill_color=PANEL,
        cell_fill_mode="ROWS",
    ) as table:
        row = table.row()
        for text in (
            labels.column_number,
            labels.column_question,
            labels.column_answer,
            labels.column_stance,
        ):
            row.cell(pdf.t(text))
        for answer in summary.answers:
            row = table.row()
            row.cell(str(answer.number))
            row.cell(pdf.t(one_line(answer.question)))
            text = clean(answer.answer_text).strip()
            if len(text) > TABLE_ANSWER_CHARS:
                cut_short.append(answer)
                text = f"{_cut(text, TABLE_ANSWER_CHARS)}\n{labels.answer_continued}"
            if answer.signals:
                text += "\n→ " + "; ".join(one_line(s) for s in answer.signals)
            row.cell(pdf.t(text) if text else "—", style=None if text else muted)
            row.cell(pdf.t(answer.stance_label), style=None if answer.stance else muted)
    if cut_short:
        pdf.subheading(labels.long_answers_heading)
        for answer in cut_short:
            pdf.paragraph(f"{answer.number}. {one_line(answer.question)}", 9.5, "B")
            pdf.paragraph(clean(answer.answer_text).strip(), 9.5)
            pdf.ln(2)


def _cut(text: str, limit: int) -> str:
    """The start of ``text``, at most ``limit`` characters, ended at a word with "…"."""
    head = text[:limit]
    if " " in head[limit // 2 :]:
        head = head[: head.rindex(" ")]
    return head.rstrip() + " …"


def _sources(pdf: _ReportPDF) -> None:
    summary = pdf.summary
    if not summary.sources:
        return
    pdf.heading(summary.labels.sources_heading)
    for number, reference in enumerate(summary.sources, start=1):
        pdf.hanging(
            f"{number}.", f"{one_line(reference.label)} — {one_line(reference.source)}", 8.5, 8
        )
        pdf.ln(0.6)


def _disclaimer(pdf: _ReportPDF) -> None:
    summary = pdf.summary
    pdf.set_font(FAMILY, "", 9.5)
    text = pdf.t("\n\n".join(p.strip() for p in clean(summary.disclaimer).split("\n\n")))
    box = {"w": 0, "h": 4.8, "text": text, "align": "L", "padding": 4}
    height = pdf.multi_cell(**box, dry_run=True, output="HEIGHT")
    pdf.heading(summary.labels.disclaimer_heading, keep_with_next=float(height) + 20)
    pdf.set_fill_color(*PANEL)
    pdf.set_font(FAMILY, "", 9.5)
    pdf.set_text_color(*INK)
    pdf.multi_cell(**box, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _all_texts(summary: Summary) -> Iterator[str]:
    """Every text the PDF may print, to decide which fonts it needs."""
    yield from (summary.disclaimer, title(summary), summary.context.checklist_title)
    yield from (value for _, value in context_fields(summary))
    # Chat-only labels hold emoji ("🔴") the PDF never prints; they must not load a font.
    yield from (v for k, v in vars(summary.labels).items() if not k.startswith("chat_"))
    for finding in summary.findings:
        yield from (finding.title, finding.explanation, *finding.advice, *finding.evidence)
        yield from (r.label for r in finding.references)
    for answer in summary.answers:
        yield from (answer.question, answer.answer_text, answer.stance_label, *answer.signals)
    yield from (q.text for q in summary.all_visit_questions)
    yield from (f"{r.label} {r.source}" for r in summary.sources)
    if summary.team is not None:
        yield from (members_line(summary), *vars(summary.team.labels).values())
        yield from (text for p in discussion_points(summary) for text in (p.title, *p.views))
