"""Questions to ask during a visit, ranked by harm: the short list and the full list.

Candidates, in rank order:

1. per finding, in the findings' order (abuses first, then by harm): the finding's own
   follow-ups (``follow_up`` of an abuse signal: "who keeps the passports?"), then every
   follow-up of a question whose own signal it is; so safety and forced labour come first;
2. the first two follow-ups of a "don't know" or not-understood answer, then the first
   one of each open question, each group ordered by the harm of the question's signal;
3. never a follow-up whose premise the answers deny (``skip_if`` in the checklist: no
   "which union signed the agreement?" where there is no union), never the same text twice.

The short list (at most ``VISIT_LIST_LIMIT``) takes the first follow-up of each question
in that order, then the second, and so on, so ten questions cover ten subjects rather
than three; it keeps the rank order. The full list is the report's appendix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from documents.summary_model import SummaryAnswer, SummaryFinding, VisitQuestion
from knowledge.schema import Checklist, Signal, Stance

VISIT_LIST_LIMIT = 10
FOLLOW_UPS_FOR_UNKNOWN = 2
FOLLOW_UPS_FOR_OPEN = 1


def visit_questions(
    checklist: Checklist,
    signals: Mapping[str, Signal],
    findings: Sequence[SummaryFinding],
    rows: Sequence[SummaryAnswer],
    language: str,
) -> tuple[tuple[VisitQuestion, ...], tuple[VisitQuestion, ...]]:
    """The short visit list (ranked, at most ten) and the full ranked list."""
    questions = {q.id: q for q in checklist.questions}
    stances = {row.question_id: row.stance for row in rows}
    groups: list[list[VisitQuestion]] = []  # one group per question, in rank order
    seen_questions: set[str] = set()
    seen_texts: set[str] = set()

    def add(
        question_id: str,
        reason: str,
        limit: int | None,
        harm: int,
        own: Signal | None = None,
    ) -> None:
        """One group of follow-ups: a question's, or (``own``) a finding's own."""
        question = questions.get(question_id)
        key = question_id if own is None else f"signal:{own.id}"
        if (question is None and own is None) or key in seen_questions:
            return
        seen_questions.add(key)
        group = []
        for follow_up in question.follow_up if own is None else own.follow_up:
            text = follow_up.get(language)
            key = " ".join(text.casefold().split())
            if follow_up.skipped(stances) or key in seen_texts:
                continue
            seen_texts.add(key)
            group.append(VisitQuestion(question_id, reason, text, harm))
        if group:
            groups.append(group[:limit])

    def harm_of(question_id: str) -> int:
        question = questions.get(question_id)
        signal = signals.get(question.signal) if question else None
        return signal.harm if signal else 0

    for finding in findings:
        signal = signals.get(finding.signal_id)
        if signal is not None and signal.follow_up and finding.question_ids:
            add(finding.question_ids[0], "risk", None, finding.harm, signal)
        for question_id in finding.question_ids:
            question = questions.get(question_id)
            if question is not None and question.signal == finding.signal_id:
                add(question_id, "risk", None, finding.harm)
    unclear = [r for r in rows if _is_unclear(r)]
    for row in sorted(unclear, key=lambda r: (-harm_of(r.question_id), r.number)):
        add(row.question_id, "unknown", FOLLOW_UPS_FOR_UNKNOWN, harm_of(row.question_id))
    open_rows = [r for r in rows if _is_open(r)]
    for row in sorted(open_rows, key=lambda r: (-harm_of(r.question_id), r.number)):
        add(row.question_id, "open", FOLLOW_UPS_FOR_OPEN, harm_of(row.question_id))

    full = tuple(question for group in groups for question in group)
    return _short_list(groups), full


def _short_list(groups: list[list[VisitQuestion]]) -> tuple[VisitQuestion, ...]:
    """Round by round (first follow-up of every question, then second, ...) up to the limit,
    returned in rank order."""
    chosen: set[tuple[int, int]] = set()
    depth = max((len(group) for group in groups), default=0)
    for round_index in range(depth):
        for group_index, group in enumerate(groups):
            if len(chosen) >= VISIT_LIST_LIMIT:
                break
            if round_index < len(group):
                chosen.add((group_index, round_index))
    return tuple(
        question
        for group_index, group in enumerate(groups)
        for round_index, question in enumerate(group)
        if (group_index, round_index) in chosen
    )


def _is_open(row: SummaryAnswer) -> bool:
    return row.stance is None and not row.answer_text.strip()


def _is_unclear(row: SummaryAnswer) -> bool:
    return not _is_open(row) and row.stance in (None, Stance.UNKNOWN.value)
