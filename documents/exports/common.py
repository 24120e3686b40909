"""Small helpers every renderer shares: clean text, question numbers, grouped visit questions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from documents.summary_model import Summary, SummaryFinding, VisitQuestion

# Characters XML 1.0 (Word) forbids and terminals mangle: C0 controls except tab and
# newline, DEL and C1 controls, lone surrogates and the two non-characters U+FFFE/U+FFFF.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
VISIT_REASONS: tuple[str, ...] = ("risk", "unknown", "open")


def clean(text: str | None) -> str:
    """``text`` without control characters, with Windows/Mac line ends made ``\\n``."""
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSAFE.sub("", normalised)


def one_line(text: str | None) -> str:
    """``clean(text)`` with line breaks turned into spaces (for table cells and titles)."""
    return " ".join(clean(text).split())


def display_name(summary: Summary) -> str:
    """The company or site name, or the "no name given" label."""
    return one_line(summary.context.name) or summary.labels.no_name


def title(summary: Summary) -> str:
    """The report title: "IMVO-rapport: <name>", or just "IMVO-rapport" without a name."""
    name = one_line(summary.context.name)
    return summary.labels.title_with_name.format(name=name) if name else summary.labels.title


def question_numbers(summary: Summary, question_ids: Iterable[str]) -> str:
    """The checklist numbers of these questions, e.g. "3, 7"."""
    numbers = {answer.question_id: answer.number for answer in summary.answers}
    return ", ".join(str(numbers[q]) if q in numbers else q for q in question_ids)


def counts_lines(summary: Summary) -> tuple[str, ...]:
    """The "at a glance" lines: answered, don't know, open, risks by severity."""
    counts, labels = summary.counts, summary.labels
    if counts.open == 0:
        open_line = labels.counts_open_none
    elif counts.open == 1:
        open_line = labels.counts_open_one
    else:
        open_line = labels.counts_open.format(open=counts.open)
    return (
        labels.counts_answered.format(answered=counts.answered, total=counts.total),
        labels.counts_unknown.format(unknown=counts.unknown),
        open_line,
        labels.counts_risks.format(
            high=counts.risks_high, medium=counts.risks_medium, low=counts.risks_low
        ),
    )


def finding_groups(summary: Summary) -> list[tuple[str, list[tuple[int, SummaryFinding]]]]:
    """Numbered findings under their heading (abuses, gaps); empty groups left out."""
    headings = {"abuse": summary.labels.findings_abuses, "gap": summary.labels.findings_gaps}
    numbered = list(enumerate(summary.findings, start=1))
    groups = []
    for kind, heading in headings.items():
        members = [(n, f) for n, f in numbered if f.kind == kind]
        if members:
            groups.append((heading, members))
    return groups


def has_appendix(summary: Summary) -> bool:
    """True when the full visit list is longer than the short one (so it gets an appendix)."""
    return len(summary.all_visit_questions) > len(summary.visit_questions)


def context_fields(summary: Summary) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs describing the assessment, empty values as "not given"; the
    country's ILO ratifications are added when the summary has them."""
    context, labels = summary.context, summary.labels
    fields = [
        (labels.field_name, labels.value(one_line(context.name))),
        (labels.field_country, labels.value(one_line(context.country))),
        (labels.field_sector, labels.value(one_line(context.sector))),
        (labels.field_checklist, one_line(context.checklist_title)),
        (labels.field_created, labels.value(labels.date(context.created))),
        (labels.field_updated, labels.value(labels.date(context.updated))),
    ]
    if context.country_context.strip():
        fields.append((labels.field_country_context, one_line(context.country_context)))
    return tuple(fields)


def visit_groups(
    summary: Summary, questions: Iterable[VisitQuestion] | None = None
) -> list[tuple[str, list[VisitQuestion]]]:
    """Visit questions (default: the short list) under their heading (risks, unclear,
    open); empty groups left out."""
    chosen = list(summary.visit_questions if questions is None else questions)
    headings = {
        "risk": summary.labels.visit_risk,
        "unknown": summary.labels.visit_unknown,
        "open": summary.labels.visit_open,
    }
    groups = []
    for reason in VISIT_REASONS:
        members = [v for v in chosen if v.reason == reason]
        if members:
            groups.append((headings[reason], members))
    return groups


def report_date(summary: Summary) -> str:
    """The date a report is about: the last update, else the start of the assessment."""
    return summary.labels.date(summary.context.updated or summary.context.created)
