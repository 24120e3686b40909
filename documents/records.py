"""The one conversion from stored rows to a report's summary, used by the dialogue and the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from documents.summary import AnswerInfo, AssessmentInfo, build_summary
from documents.summary_model import Summary
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES
from storage import AnswerRecord, AssessmentRecord


def summary_from_records(
    knowledge: KnowledgeBase,
    assessment: AssessmentRecord,
    answers: Iterable[AnswerRecord],
    language: str,
) -> Summary:
    """The summary of a stored assessment and its latest answers, in ``language``."""
    info = AssessmentInfo(
        id=assessment.id,
        name=assessment.name,
        country=assessment.country,
        sector=assessment.sector,
        checklist_id=assessment.checklist,
        created=assessment.created,
        updated=assessment.updated,
        language=language,
    )
    rows = [
        AnswerInfo(
            question_id=answer.question,
            text=answer.text,
            stance=answer.stance,
            signals=[(hit.signal, hit.evidence) for hit in answer.signals],
            confidence=answer.confidence,
            answered_at=answer.answered,
        )
        for answer in answers
    ]
    return build_summary(knowledge, info, rows, language)


def answers_language(knowledge: KnowledgeBase, answers: Iterable[AnswerRecord]) -> str | None:
    """The language a checklist was answered in, read from its button answers ("Weet ik
    niet" is Dutch, "Don't know" English); None when no answer tells.

    Assessments do not store their language; the buttons a user pressed do.
    """
    votes = dict.fromkeys(LANGUAGES, 0)
    for answer in answers:
        if not answer.stance or f"engine.stance.{answer.stance}" not in knowledge.ui:
            continue
        label = knowledge.ui[f"engine.stance.{answer.stance}"]
        for language in LANGUAGES:
            if answer.text.strip() == label.get(language) != label.get(_other(language)):
                votes[language] += 1
    best = max(LANGUAGES, key=lambda language: votes[language])
    tied = sum(1 for language in LANGUAGES if votes[language] == votes[best]) > 1
    return None if votes[best] == 0 or tied else best


def _other(language: str) -> str:
    return "en" if language == "nl" else "nl"
