"""The answers as CSV: one row per checklist question, ready for Excel.

UTF-8 with a byte-order mark so Excel reads the accents right, and the list separator
Excel expects in the report's language (``report.csv_delimiter``: ";" in Dutch, "," in
English). A cell that starts with ``= + - @`` gets a leading apostrophe so that Excel
shows it as text instead of running it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io

from documents.exports.common import clean, one_line
from documents.summary_model import Summary

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@")


def header(summary: Summary) -> list[str]:
    """The column titles, in the report's language."""
    labels = summary.labels
    return [
        labels.column_number,
        labels.column_question_id,
        labels.column_question,
        labels.column_answer,
        labels.column_stance,
        labels.column_signals,
        labels.column_answered_at,
        labels.column_company,
        labels.column_checklist,
    ]


def delimiter(summary: Summary) -> str:
    """The configured separator when it is one sensible character, else a comma."""
    configured = summary.labels.csv_delimiter
    return configured if configured in (",", ";", "\t", "|") else ","


def render_csv(summary: Summary) -> bytes:
    """Header plus one row per answer (open questions included, with empty answers)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter(summary), lineterminator="\r\n")
    writer.writerow(header(summary))
    company, checklist = one_line(summary.context.name), one_line(summary.context.checklist_title)
    for answer in summary.answers:
        writer.writerow(
            [
                answer.number,
                answer.question_id,
                one_line(answer.question),
                _safe_cell(clean(answer.answer_text).strip()),
                answer.stance_label,
                "; ".join(one_line(s) for s in answer.signals),
                answer.answered_at or "",
                _safe_cell(company),
                checklist,
            ]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def _safe_cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text
