"""What a checklist filled in together adds to its summary: each member's view, the
disagreements to discuss, and how many members raised each finding.

``build_summary`` calls ``team_of`` first; for a team it reads ``merge`` (one answer per
question standing for everyone's) instead of the raw answers, then ``add_team`` puts the
members' views back into the rows. A checklist filled in by one person is untouched.

Rules: each member counts with their latest answer to a question; members who did not
answer a question are not counted there; a question is a *disagreement* when members
gave different stances (an answer that was not understood is a view of its own); a
finding is a finding when one member raised it, marked "seen by 1 of 3".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from documents.summary_model import (
    Summary,
    SummaryDisagreement,
    SummaryView,
    TeamLabels,
    TeamSummary,
)
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES, Checklist, Question, Stance

if TYPE_CHECKING:
    from documents.summary import AnswerInfo, AssessmentInfo

_STANCES = tuple(stance.value for stance in Stance)
PerQuestion = dict[str, list["AnswerInfo"]]  # question -> each member's latest answer


def team_of(assessment: AssessmentInfo, answers: Sequence[AnswerInfo]) -> tuple[str, ...]:
    """The names of everyone who filled the checklist in; empty for a single person."""
    names = dict.fromkeys([*assessment.members, *(answer.member for answer in answers)])
    return tuple(names) if len(names) > 1 else ()


def per_member(answers: Sequence[AnswerInfo]) -> PerQuestion:
    """Each member's latest answered answer per question (a skip does not count)."""
    latest: dict[tuple[str, str], AnswerInfo] = {}
    for answer in answers:
        key = (answer.question_id, answer.member)
        current = latest.get(key)
        if current is None or (answer.answered_at or "") >= (current.answered_at or ""):
            latest[key] = answer
    grouped: PerQuestion = {}
    for (question_id, _), answer in latest.items():
        if _stance(answer) is not None or (answer.text or "").strip():
            grouped.setdefault(question_id, []).append(answer)
    return grouped


def merge(checklist: Checklist, grouped: PerQuestion) -> list[AnswerInfo]:
    """One answer per question standing for the team's: every member's words and every
    finding any member raised; a stance only where all agree."""
    questions = {q.id: q for q in checklist.questions}
    merged = []
    for question_id, answers in grouped.items():
        question = questions.get(question_id)
        stances = {_stance(a) for a in answers}
        signals = [hit for a in answers for hit in a.signals]
        signals += [(question.signal, "") for a in answers if _raises_own(question, a)]
        confidences = [a.confidence for a in answers]
        merged.append(
            replace(
                answers[0],
                text="\n".join(f"{a.member}: {(a.text or '').strip()}" for a in answers),
                stance=stances.pop() if len(stances) == 1 else None,
                signals=signals,
                confidence=None if None in confidences else min(confidences),  # type: ignore[type-var]
                answered_at=max((a.answered_at or "") for a in answers) or None,
            )
        )
    return merged


def add_team(
    knowledge: KnowledgeBase,
    checklist: Checklist,
    summary: Summary,
    members: tuple[str, ...],
    grouped: PerQuestion,
) -> Summary:
    """The summary with each member's view per row, the disagreements listed, and each
    finding marked with how many members raised it."""
    language = summary.context.language
    labels = team_labels(knowledge, language)
    questions = {q.id: q for q in checklist.questions}
    rows, disagreements = [], []
    for row in summary.answers:
        answers = grouped.get(row.question_id, [])
        if not answers:
            rows.append(row)
            continue
        views = _views(knowledge, summary, answers, language)
        tally = ", ".join(
            labels.tally_item.format(count=v.count, stance=v.stance_label.lower()) for v in views
        )
        rows.append(replace(row, views=views, stance_label=tally))
        if len(views) > 1:
            disagreements.append(
                SummaryDisagreement(row.question_id, row.number, row.question, tally, views)
            )
    findings = []
    for finding in summary.findings:
        seen = {
            a.member
            for question_id in finding.question_ids
            for a in grouped.get(question_id, [])
            if finding.signal_id in _raised(knowledge, questions.get(question_id), a)
        }
        mark = labels.seen_by.format(count=len(seen), total=len(members))
        findings.append(replace(finding, title=f"{finding.title} ({mark})", seen_by=len(seen)))
    by_id = {row.question_id: row for row in rows}
    return replace(
        summary,
        answers=tuple(rows),
        open_questions=tuple(by_id.get(r.question_id, r) for r in summary.open_questions),
        findings=tuple(findings),
        team=TeamSummary(members, tuple(disagreements), labels),
    )


def team_labels(knowledge: KnowledgeBase, language: str) -> TeamLabels:
    """The team texts in ``language``; ``KeyError`` names a missing one."""
    return TeamLabels(
        **{
            key.removeprefix("report.team."): knowledge.ui[key].get(language)
            for key in TeamLabels.ui_keys()
        }
    )


def _views(
    knowledge: KnowledgeBase, summary: Summary, answers: list[AnswerInfo], language: str
) -> tuple[SummaryView, ...]:
    """The members' answers grouped by stance, most given first."""
    buttons = {
        knowledge.text(f"engine.stance.{s}", lang).casefold()
        for s in _STANCES
        for lang in LANGUAGES
        if f"engine.stance.{s}" in knowledge.ui
    }
    groups: dict[str | None, list[AnswerInfo]] = {}
    for answer in answers:
        groups.setdefault(_stance(answer), []).append(answer)
    order = sorted(
        groups,
        key=lambda s: (-len(groups[s]), _STANCES.index(s) if s in _STANCES else len(_STANCES)),
    )
    labels = summary.labels
    return tuple(
        SummaryView(
            stance=stance,
            stance_label=getattr(labels, f"stance_{stance}") if stance else labels.stance_unclear,
            count=len(groups[stance]),
            members=tuple(a.member for a in groups[stance]),
            texts=tuple(
                f"{a.member}: “{' '.join((a.text or '').split())}”"
                for a in groups[stance]
                if (a.text or "").strip().casefold() not in buttons
            ),
        )
        for stance in order
    )


def _stance(answer: AnswerInfo) -> str | None:
    return answer.stance if answer.stance in _STANCES else None


def _raises_own(question: Question | None, answer: AnswerInfo) -> bool:
    return question is not None and _stance(answer) == question.risk_if.value


def _raised(knowledge: KnowledgeBase, question: Question | None, answer: AnswerInfo) -> set[str]:
    """The signals one member's answer raised."""
    found = {signal for signal, _ in answer.signals if signal in knowledge.signals}
    if _raises_own(question, answer):
        found.add(question.signal)  # type: ignore[union-attr]
    return found
