"""The one conversion from stored rows to a report's summary, used by the dialogue and the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from documents.summary import AnswerInfo, AssessmentInfo, build_summary
from documents.summary_model import Summary
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES
from storage import AnswerRecord, AssessmentRecord, MemberRecord, MemberRole, Store


def summary_from_records(
    knowledge: KnowledgeBase,
    assessment: AssessmentRecord,
    answers: Iterable[AnswerRecord],
    language: str,
    members: Iterable[MemberRecord] = (),
) -> Summary:
    """The summary of a stored assessment and its latest answers, in ``language``; with
    ``members``, each answer is attributed to the name its member chose."""
    team = list(members)
    names = member_names(knowledge, team, language) if len(team) > 1 else {}
    info = AssessmentInfo(
        id=assessment.id,
        name=assessment.name,
        country=assessment.country,
        sector=assessment.sector,
        checklist_id=assessment.checklist,
        created=assessment.created,
        updated=assessment.updated,
        language=language,
        members=tuple(names.values()) if len(names) > 1 else (),
    )
    rows = [
        AnswerInfo(
            question_id=answer.question,
            text=answer.text,
            stance=answer.stance,
            signals=[(hit.signal, hit.evidence) for hit in answer.signals],
            confidence=answer.confidence,
            answered_at=answer.answered,
            member=names.get(answer.user, "") if len(names) > 1 else "",
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


def summary_for_member(
    knowledge: KnowledgeBase,
    store: Store,
    user_id: str,
    assessment: AssessmentRecord,
    language: str,
) -> Summary:
    """The summary a member of ``assessment`` sees: everyone's latest answers when it is
    shared, their own otherwise."""
    members = store.members(user_id, assessment.id)
    if len(members) > 1:
        answers: list[AnswerRecord] = store.team_answers(user_id, assessment.id)
        given = {answer.user for answer in answers}
        # Someone who left or was removed counts only with the answers they gave.
        members = [m for m in members if m.role != MemberRole.FORMER or m.user in given]
    else:
        answers = list(store.answers_for(user_id, assessment.id).values())
    return summary_from_records(knowledge, assessment, answers, language, members)


def member_names(
    knowledge: KnowledgeBase, members: Iterable[MemberRecord], language: str
) -> dict[str, str]:
    """Each member's user ID and the name the others see (unique within the team):
    the name they chose, else "Team member 2"."""
    names: dict[str, str] = {}
    for number, member in enumerate(members, start=1):
        name = member.name.strip() or knowledge.text(
            "report.team.unnamed_member", language, number=number
        )
        unique, count = name, 1
        while unique in names.values():
            count += 1
            unique = f"{name} ({count})"
        names[member.user] = unique
    return names
