"""The one summary model of an assessment: what every renderer (chat, PDF, DOCX, ...) shows.

Built from stored answers and the knowledge base by ``documents.summary.build_summary``;
texts are already in the summary's language, so renderers only lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class SummaryContext:
    """Who and what was assessed."""

    assessment_id: int
    name: str  # company / site / supplier name ("" when skipped)
    country: str
    sector: str
    checklist_id: str
    checklist_title: str
    created: str  # ISO date
    updated: str  # ISO date
    language: str  # "nl" | "en"
    country_context: str = ""  # ratification of the ILO conventions in that country, dated


@dataclass(frozen=True)
class SummaryCounts:
    """Answered, don't-know, open and risk counts for the checklist.

    ``answered + unknown + open == total``: a "don't know" is counted apart, so nine
    don't-knows out of twelve never read as "12 of 12 answered".
    """

    total: int
    answered: int  # a clear answer (yes, no, partly) or typed text that was not understood
    unknown: int  # "don't know"
    open: int  # no answer, or skipped
    risks_high: int
    risks_medium: int
    risks_low: int


@dataclass(frozen=True)
class SummaryReference:
    """A norm or source shown beside a finding."""

    label: str
    source: str


@dataclass(frozen=True)
class SummaryFinding:
    """One signal found in this assessment, with advice and where it came from."""

    signal_id: str
    title: str
    explanation: str
    severity: str  # "high" | "medium" | "low"
    kind: str  # "abuse" (harm done to people) | "gap" (a missing policy or process)
    harm: int  # 10 = gravest; findings are ordered abuses first, then by harm
    advice: tuple[str, ...]
    references: tuple[SummaryReference, ...]
    question_ids: tuple[str, ...]  # the questions whose answers raised it
    evidence: tuple[str, ...]  # the words that triggered it
    seen_by: int = 0  # a shared checklist: how many members raised it (0 when not shared)


@dataclass(frozen=True)
class SummaryView:
    """In a shared checklist: one answer to a question and the members who gave it."""

    stance: str | None  # None for answers that were not understood
    stance_label: str
    count: int
    members: tuple[str, ...]  # the names the members chose
    texts: tuple[str, ...]  # 'Name: “words”' for every typed answer (buttons left out)


@dataclass(frozen=True)
class SummaryAnswer:
    """One checklist question and what was answered (empty answer fields when open)."""

    question_id: str
    number: int  # 1-based position in the checklist
    question: str
    answer_text: str  # verbatim, or the button label
    stance: str | None  # understood stance, None when open or skipped
    stance_label: str  # stance in the summary language ("Ja", "Deels", ...)
    signals: tuple[str, ...]  # signal titles
    answered_at: str | None
    signal_ids: tuple[str, ...] = ()  # the same signals by ID, for people who process results
    confidence: float | None = None  # how sure answer understanding was (0..1), None when open
    views: tuple[SummaryView, ...] = ()  # a shared checklist: what each group of members said


@dataclass(frozen=True)
class VisitQuestion:
    """A follow-up question to ask the company, and why it was chosen."""

    question_id: str
    reason: str  # "risk" | "unknown" | "open"
    text: str
    harm: int = 0  # harm rank of the finding or question it comes from (10 = gravest)


@dataclass(frozen=True)
class ReportLabels:
    """Every fixed text of a report, in one language, from ``knowledge/data/ui/report.yaml``.

    Field ``x`` is UI key ``report.x``. Some hold ``{placeholders}`` the renderers fill in.
    """

    title: str
    title_with_name: str  # {name}
    no_name: str
    not_given: str
    made_with: str
    page_number: str  # {page} {pages}
    months: str  # twelve month names separated by spaces
    date_format: str  # {day} {month} {year}
    context_heading: str
    field_name: str
    field_country: str
    field_sector: str
    field_checklist: str
    field_created: str
    field_updated: str
    field_country_context: str
    counts_heading: str
    counts_answered: str  # {answered} {total}
    counts_unknown: str  # {unknown}
    counts_open: str  # {open}, more than one
    counts_open_one: str  # exactly one open question
    counts_open_none: str  # no open questions
    counts_risks: str  # {high} {medium} {low}
    findings_heading: str
    findings_intro: str
    findings_none: str
    findings_abuses: str  # sub-heading: harm done to people
    findings_gaps: str  # sub-heading: missing policies and processes
    severity_high: str
    severity_medium: str
    severity_low: str
    column_severity: str
    column_finding: str
    column_from_questions: str
    advice_label: str
    evidence_label: str
    references_label: str
    visit_heading: str
    visit_intro: str
    visit_risk: str
    visit_unknown: str
    visit_open: str
    visit_none: str
    visit_appendix_hint: str  # {count}: where the full list is
    appendix_heading: str
    appendix_intro: str
    answers_heading: str
    column_number: str
    column_question_id: str
    column_question: str
    column_answer: str
    column_stance: str
    column_signals: str
    column_answered_at: str
    column_company: str
    column_checklist: str
    stance_yes: str
    stance_no: str
    stance_partly: str
    stance_unknown: str
    stance_unclear: str
    stance_open: str
    answer_continued: str  # after an answer cut short in a PDF table
    long_answers_heading: str
    open_heading: str
    sources_heading: str
    disclaimer_heading: str
    chat_title: str  # {name}
    chat_icon_high: str
    chat_icon_medium: str
    chat_icon_low: str
    chat_export_hint: str
    chat_more_visit: str  # {count}
    chat_part: str  # {part} {parts}
    csv_delimiter: str  # the list separator Excel expects in this language

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The UI keys this class is built from, in field order."""
        return tuple(f"report.{field.name}" for field in fields(cls))

    def severity(self, severity: str) -> str:
        """The severity in words ("Hoog", "Middel", ...)."""
        return str(getattr(self, f"severity_{severity}", severity))

    def chat_icon(self, severity: str) -> str:
        """The coloured marker a chat shows before a finding of this severity."""
        return str(getattr(self, f"chat_icon_{severity}", ""))

    def date(self, value: str | None) -> str:
        """An ISO date as people write it ("25 november 2025"); other text unchanged."""
        match = _ISO_DATE.match(value or "")
        months = self.months.split()
        if not match or len(months) != 12 or not 1 <= int(match[2]) <= 12:
            return value or ""
        return self.date_format.format(
            day=int(match[3]), month=months[int(match[2]) - 1], year=match[1]
        )

    def value(self, text: str) -> str:
        """``text``, or the "not given" label when it is empty."""
        return text if text.strip() else self.not_given


@dataclass(frozen=True)
class SummaryDisagreement:
    """A question the members answered differently: a point to discuss together."""

    question_id: str
    number: int
    question: str
    tally: str  # "2× nee, 1× deels"
    views: tuple[SummaryView, ...]  # most given first


@dataclass(frozen=True)
class TeamLabels:
    """The fixed texts of a shared checklist's report (UI keys ``report.team.<field>``)."""

    members_label: str
    disagreements_heading: str
    disagreements_intro: str
    disagreements_none: str
    tally_item: str  # {count} {stance}
    seen_by: str  # {count} {total}
    unnamed_member: str  # {number}

    @classmethod
    def ui_keys(cls) -> tuple[str, ...]:
        """The UI keys this class is built from, in field order."""
        return tuple(f"report.team.{field.name}" for field in fields(cls))


@dataclass(frozen=True)
class TeamSummary:
    """What a shared checklist adds to its report: who filled it in, where they differ."""

    members: tuple[str, ...]  # longest-standing first
    disagreements: tuple[SummaryDisagreement, ...]  # in checklist order
    labels: TeamLabels


@dataclass(frozen=True)
class Summary:
    """Everything a report about one assessment shows, in one language."""

    context: SummaryContext
    counts: SummaryCounts
    findings: tuple[SummaryFinding, ...]  # abuses first, then gaps; gravest first in each
    answers: tuple[SummaryAnswer, ...]  # in checklist order, open ones included
    open_questions: tuple[SummaryAnswer, ...]
    visit_questions: tuple[VisitQuestion, ...]  # at most ten, gravest first
    all_visit_questions: tuple[VisitQuestion, ...]  # the full ranked list (the appendix)
    sources: tuple[SummaryReference, ...]  # every reference used, deduplicated
    disclaimer: str
    labels: ReportLabels  # every fixed report text in the summary language
    team: TeamSummary | None = None  # a checklist filled in by more than one person
