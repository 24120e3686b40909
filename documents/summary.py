"""Build the one ``Summary`` of an assessment from its answers and the knowledge base.

The engine turns its stored rows into ``AssessmentInfo`` and ``AnswerInfo`` and calls
``build_summary``; every renderer in ``documents.exports`` lays the result out. All fixed
texts come from the knowledge base (checklists, signals, ``ui/report.yaml``), so the
summary is complete in one language and renderers never look anything up.

Rules, in one place:

* A question is *open* when it has no answer, or only a skipped one (no stance, no text).
* A *finding* is a signal raised by an answer: the question's own signal when the stance
  equals its ``risk_if``, plus every signal answer understanding found in the text.
  Each signal is one finding, however many answers raised it.
* Findings are ranked by harm: abuses (``kind: abuse``) before policy gaps, then by the
  signal's ``harm`` rank, then severity, then question order.
* A "don't know" is counted apart from the answered questions.
* *Prepare the visit*: see ``documents.visit`` (at most ten, ranked; the full list apart).
* Sources are the findings' references, then the checklist's, one entry per source.
* Answers to questions the checklist does not have (it changed, or a bug elsewhere) are
  kept after the checklist's questions, with their findings, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from documents.summary_model import (
    ReportLabels,
    Summary,
    SummaryAnswer,
    SummaryContext,
    SummaryCounts,
    SummaryFinding,
    SummaryReference,
)
from documents.team_summary import add_team, merge, per_member, team_of
from documents.visit import visit_questions
from knowledge import countries
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES, Checklist, HarmKind, Question, Reference, Severity, Stance

logger = logging.getLogger(__name__)

SEVERITY_ORDER: tuple[str, ...] = tuple(s.value for s in Severity)  # high, medium, low
KIND_ORDER: tuple[str, ...] = tuple(k.value for k in HarmKind)  # abuse, gap


class ReportTextsMissing(LookupError):
    """Raised when the knowledge base lacks report texts (``ui/report.yaml``)."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = tuple(keys)
        super().__init__("missing report texts: " + ", ".join(self.keys))


@dataclass(frozen=True)
class AssessmentInfo:
    """What the engine knows about one assessment (one checklist about one company)."""

    id: int
    name: str
    country: str
    sector: str
    checklist_id: str
    created: str  # ISO date or date-time
    updated: str  # ISO date or date-time
    language: str  # the language the assessment was made in
    members: tuple[str, ...] = ()  # a shared checklist: its members' names


@dataclass(frozen=True)
class AnswerInfo:
    """One stored answer: the words given and what answer understanding made of them."""

    question_id: str
    text: str  # verbatim, or the label of the pressed button
    stance: str | None
    signals: Sequence[tuple[str, str]] = ()  # (signal_id, evidence)
    confidence: float | None = None
    answered_at: str | None = None
    member: str = ""  # who gave it (the name they chose), in a shared checklist

    def __post_init__(self) -> None:
        object.__setattr__(self, "signals", tuple((str(s), str(e)) for s, e in self.signals))


@dataclass
class _FindingDraft:
    """A finding while answers are still being read."""

    signal_id: str
    question_ids: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    first_number: int = 0


def build_summary(
    knowledge: KnowledgeBase,
    assessment: AssessmentInfo,
    answers: Sequence[AnswerInfo],
    language: str,
) -> Summary:
    """Return the summary of ``assessment`` in ``language`` ("nl" or "en", default nl).

    Raises ``KeyError`` for an unknown checklist and ``ReportTextsMissing`` when the
    knowledge base has no report texts.
    """
    language = language if language in LANGUAGES else "nl"
    labels = report_labels(knowledge, language)
    checklist = knowledge.checklist(assessment.checklist_id)
    team = team_of(assessment, answers)
    grouped = per_member(answers) if team else {}
    latest = _latest_answers(merge(checklist, grouped) if team else answers)

    rows: list[SummaryAnswer] = []
    drafts: dict[str, _FindingDraft] = {}
    numbered = [(q, latest.pop(q.id, None)) for q in checklist.questions]
    orphans = [(None, a) for _, a in sorted(latest.items()) if _is_answered(a)]
    for number, (question, answer) in enumerate([*numbered, *orphans], start=1):
        signals = _signals_of(knowledge, question, answer)
        row = _answer_row(knowledge, labels, number, question, answer, signals, language)
        rows.append(row)
        for signal_id, evidence in signals:
            draft = drafts.setdefault(signal_id, _FindingDraft(signal_id, first_number=number))
            _add_once(draft.question_ids, row.question_id)
            _add_once(draft.evidence, evidence)

    findings = _findings(knowledge, drafts.values(), language)
    total = len(checklist.questions)
    open_rows = tuple(row for row in rows[:total] if _is_open_row(row))
    unknown = sum(1 for row in rows[:total] if row.stance == Stance.UNKNOWN.value)
    short_list, full_list = visit_questions(checklist, knowledge.signals, findings, rows, language)
    by_severity = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_ORDER}
    summary = Summary(
        context=SummaryContext(
            assessment_id=assessment.id,
            name=(assessment.name or "").strip(),
            country=(assessment.country or "").strip(),
            sector=(assessment.sector or "").strip(),
            checklist_id=checklist.id,
            checklist_title=checklist.title.get(language),
            created=iso_date(assessment.created),
            updated=iso_date(assessment.updated),
            language=language,
            country_context=countries.context_note(knowledge, assessment.country or "", language),
        ),
        counts=SummaryCounts(
            total=total,
            answered=total - len(open_rows) - unknown,
            unknown=unknown,
            open=len(open_rows),
            risks_high=by_severity["high"],
            risks_medium=by_severity["medium"],
            risks_low=by_severity["low"],
        ),
        findings=findings,
        answers=tuple(rows),
        open_questions=open_rows,
        visit_questions=short_list,
        all_visit_questions=full_list,
        sources=_sources(checklist, findings, language),
        disclaimer=knowledge.text("report.disclaimer", language)
        if "report.disclaimer" in knowledge.ui
        else "",
        labels=labels,
    )
    return add_team(knowledge, checklist, summary, team, grouped) if team else summary


def report_labels(knowledge: KnowledgeBase, language: str) -> ReportLabels:
    """All report texts in ``language``; raises ``ReportTextsMissing`` naming absent keys."""
    keys = (*ReportLabels.keys(), "report.disclaimer")
    missing = [key for key in keys if key not in knowledge.ui]
    if missing:
        raise ReportTextsMissing(missing)
    return ReportLabels(
        **{key.removeprefix("report."): knowledge.ui[key].get(language) for key in keys[:-1]}
    )


def iso_date(value: str | None) -> str:
    """The ``YYYY-MM-DD`` of an ISO date or date-time; other text is kept as given.

    A date-time with a time zone (the store writes UTC) is read as Dutch time first, so
    an answer given at 00:30 in Amsterdam is dated that day, not the day before.
    """
    text = (value or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return text
    if moment.tzinfo is not None and REPORT_TIME_ZONE is not None:
        moment = moment.astimezone(REPORT_TIME_ZONE)
    return moment.date().isoformat()


def _report_time_zone() -> tzinfo | None:
    """Amsterdam time, or None where the system has no time-zone data (dates stay UTC)."""
    try:
        return ZoneInfo("Europe/Amsterdam")
    except (ZoneInfoNotFoundError, ValueError):
        return None


REPORT_TIME_ZONE = _report_time_zone()


def _latest_answers(answers: Iterable[AnswerInfo]) -> dict[str, AnswerInfo]:
    """One answer per question: the last one given (later in the sequence wins on ties)."""
    latest: dict[str, AnswerInfo] = {}
    for answer in answers:
        current = latest.get(answer.question_id)
        if current is None or (answer.answered_at or "") >= (current.answered_at or ""):
            latest[answer.question_id] = answer
    return latest


def _is_answered(answer: AnswerInfo | None) -> bool:
    if answer is None:
        return False
    return _valid_stance(answer.stance) is not None or bool((answer.text or "").strip())


def _is_open_row(row: SummaryAnswer) -> bool:
    return row.stance is None and not row.answer_text.strip()


def _valid_stance(value: str | None) -> str | None:
    return value if value in {s.value for s in Stance} else None


_STANCE_VALUES = frozenset(stance.value for stance in Stance)


def _signals_of(
    knowledge: KnowledgeBase, question: Question | None, answer: AnswerInfo | None
) -> list[tuple[str, str]]:
    """The (signal_id, evidence) pairs an answer raises, known signals only, no repeats."""
    if answer is None or not _is_answered(answer):
        return []
    found: list[tuple[str, str]] = []
    stance = _valid_stance(answer.stance)
    if question is not None and stance is not None and stance == question.risk_if.value:
        found.append((question.signal, ""))
    for signal_id, evidence in answer.signals:
        if signal_id not in knowledge.signals:
            logger.warning("answer to %s names unknown signal %r", answer.question_id, signal_id)
            continue
        words = evidence.strip()
        # An implied hit carries the stance itself ("yes"), not words the user typed.
        found.append((signal_id, "" if words in _STANCE_VALUES else words))
    merged: dict[str, str] = {}
    for signal_id, evidence in found:
        if not merged.get(signal_id):
            merged[signal_id] = evidence
    return list(merged.items())


def _answer_row(
    knowledge: KnowledgeBase,
    labels: ReportLabels,
    number: int,
    question: Question | None,
    answer: AnswerInfo | None,
    signals: list[tuple[str, str]],
    language: str,
) -> SummaryAnswer:
    """One row of the answers section; open questions get empty answer fields."""
    question_id = question.id if question else (answer.question_id if answer else "")
    if answer is None or not _is_answered(answer):
        return SummaryAnswer(
            question_id=question_id,
            number=number,
            question=question.text.get(language) if question else question_id,
            answer_text="",
            stance=None,
            stance_label=labels.stance_open,
            signals=(),
            answered_at=None,
        )
    stance = _valid_stance(answer.stance)
    signal_ids = tuple(signal_id for signal_id, _ in signals)
    return SummaryAnswer(
        question_id=question_id,
        number=number,
        question=question.text.get(language) if question else question_id,
        answer_text=(answer.text or "").strip(),
        stance=stance,
        stance_label=getattr(labels, f"stance_{stance}") if stance else labels.stance_unclear,
        signals=tuple(knowledge.signals[s].title.get(language) for s in signal_ids),
        answered_at=answer.answered_at,
        signal_ids=signal_ids,
        confidence=_confidence(answer.confidence),
    )


def _findings(
    knowledge: KnowledgeBase, drafts: Iterable[_FindingDraft], language: str
) -> tuple[SummaryFinding, ...]:
    """Findings with texts from the knowledge base: abuses first, then by harm, severity and
    the first question that raised them."""
    findings = []
    for draft in drafts:
        signal = knowledge.signals[draft.signal_id]
        findings.append(
            (
                (
                    KIND_ORDER.index(signal.kind.value),
                    -signal.harm,
                    SEVERITY_ORDER.index(signal.severity.value),
                    draft.first_number,
                    signal.id,
                ),
                SummaryFinding(
                    signal_id=signal.id,
                    title=signal.title.get(language),
                    explanation=signal.explanation.get(language),
                    severity=signal.severity.value,
                    kind=signal.kind.value,
                    harm=signal.harm,
                    advice=tuple(step.get(language) for step in signal.advice),
                    references=tuple(_reference(r, language) for r in signal.references),
                    question_ids=tuple(draft.question_ids),
                    evidence=tuple(e for e in draft.evidence if e),
                ),
            )
        )
    return tuple(finding for _, finding in sorted(findings, key=lambda pair: pair[0]))


def _sources(
    checklist: Checklist, findings: Sequence[SummaryFinding], language: str
) -> tuple[SummaryReference, ...]:
    """Every reference in the report once per source: the findings' norms, then the questions'.

    References to one source under different labels ("ILO C98, art. 1", "ILO C98, art. 4")
    become one entry whose label lists them all.
    """
    labels: dict[str, list[str]] = {}
    references = [r for f in findings for r in f.references]
    references += [_reference(r, language) for q in checklist.questions for r in q.references]
    for reference in references:
        _add_once(labels.setdefault(reference.source, []), reference.label)
    return tuple(
        SummaryReference(label="; ".join(names), source=source) for source, names in labels.items()
    )


def _reference(reference: Reference, language: str) -> SummaryReference:
    return SummaryReference(label=reference.label_in(language), source=reference.source)


def _confidence(value: float | None) -> float | None:
    """A confidence between 0 and 1, or None when there is no usable number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return min(max(number, 0.0), 1.0) if number == number else None  # NaN is not a number


def _add_once(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)
