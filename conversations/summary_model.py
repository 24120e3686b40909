"""The one summary model of an assessment: what every renderer (chat, PDF, DOCX, ...) shows.

Built from stored answers and the knowledge base by ``conversations.summary.build_summary``;
texts are already in the summary's language, so renderers only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class SummaryCounts:
    """Answered, open and risk counts for the checklist."""

    total: int
    answered: int
    open: int
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
    advice: tuple[str, ...]
    references: tuple[SummaryReference, ...]
    question_ids: tuple[str, ...]  # the questions whose answers raised it
    evidence: tuple[str, ...]  # the words that triggered it


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


@dataclass(frozen=True)
class VisitQuestion:
    """A follow-up question to ask the company, and why it was chosen."""

    question_id: str
    reason: str  # "risk" | "unknown" | "open"
    text: str


@dataclass(frozen=True)
class Summary:
    """Everything a report about one assessment shows, in one language."""

    context: SummaryContext
    counts: SummaryCounts
    findings: tuple[SummaryFinding, ...]  # high first, then medium, then low
    answers: tuple[SummaryAnswer, ...]  # in checklist order, open ones included
    open_questions: tuple[SummaryAnswer, ...]
    visit_questions: tuple[VisitQuestion, ...]
    sources: tuple[SummaryReference, ...]  # every reference used, deduplicated
    disclaimer: str
