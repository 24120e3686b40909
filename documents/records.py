"""The one conversion from stored rows to a report's summary, used by the dialogue and the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from documents.summary import AnswerInfo, AssessmentInfo, build_summary
from documents.summary_model import Summary
from knowledge.loader import KnowledgeBase
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
