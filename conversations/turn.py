"""One event's worth of context for the step functions: who, where, and what to say.

A ``Turn`` is made by the engine for each event. Steps read and change ``state`` and
``data`` (saved as the user's dialogue position afterwards) and add replies with
``say``. All wording comes from the knowledge base's UI texts, looked up by key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from conversations.events import Choice, Reply
from conversations.states import State
from knowledge.loader import KnowledgeBase
from knowledge.schema import Checklist, Question
from knowledge.understanding.types import Intent, Interpretation, TopicMatch
from storage import AssessmentRecord, Store


class Understanding(Protocol):
    """What the engine needs from ``knowledge.understanding.Understanding``."""

    def interpret(self, question_id: str, text: str) -> Interpretation: ...

    def lookup(self, text: str) -> TopicMatch | None: ...

    def detect_intent(self, text: str) -> Intent | None: ...


@dataclass
class Turn:
    """The engine's view of one event for one user."""

    knowledge: KnowledgeBase
    store: Store
    understanding: Understanding
    user_id: str
    language: str
    state: State
    data: dict[str, Any]
    confirm_threshold: float
    invite_link: str | None = None  # "https://t.me/<bot>?start={code}"; None: show the code
    replies: list[Reply] = field(default_factory=list)
    forgotten: bool = False  # the user's data was deleted in this turn: save nothing

    # -- saying things -------------------------------------------------------------------

    def text(self, key: str, **values: Any) -> str:
        """UI text ``engine.<key>`` in the user's language."""
        return self.knowledge.text(f"engine.{key}", self.language, **values)

    def say(
        self, key: str, *, choices: tuple[Choice, ...] = (), answered: str | None = None, **values
    ) -> None:
        """Add a reply with UI text ``engine.<key>``."""
        self.say_text(self.text(key, **values), choices=choices, answered=answered)

    def say_text(
        self, text: str, *, choices: tuple[Choice, ...] = (), answered: str | None = None
    ) -> None:
        """Add a reply whose text is already in the user's language."""
        self.replies.append(Reply(text=text, choices=choices, answered=answered))

    def choice(self, key: str, data: str, **values: Any) -> Choice:
        """A button labelled with UI text ``engine.<key>``."""
        return Choice(label=self.text(key, **values), data=data)

    def stance_label(self, stance: str) -> str:
        """ "Ja", "Nee", "Deels", "Weet ik niet" (or the English ones)."""
        return self.text(f"stance.{stance}")

    # -- the assessment in hand -------------------------------------------------------------

    @property
    def assessment_id(self) -> int | None:
        value = self.data.get("assessment")
        return value if isinstance(value, int) else None

    def current_assessment(self) -> AssessmentRecord | None:
        """The assessment the user is working on, if it still exists."""
        if self.assessment_id is None:
            return None
        found = self.store.find_assessment(self.user_id, self.assessment_id)
        if found is None:
            self.data.pop("assessment", None)
        return found

    def checklist_of(self, assessment: AssessmentRecord) -> Checklist | None:
        """The assessment's checklist, or None when the knowledge base no longer has it."""
        try:
            return self.knowledge.checklist(assessment.checklist)
        except KeyError:
            return None

    def question_at(self, assessment: AssessmentRecord, index: int) -> Question | None:
        checklist = self.checklist_of(assessment)
        if checklist is None or not 0 <= index < len(checklist.questions):
            return None
        return checklist.questions[index]

    def display_name(self, assessment: AssessmentRecord) -> str:
        """The assessment's name, or "<checklist title> (no name)" when it has none."""
        if assessment.name:
            return assessment.name
        return self.text(
            "unnamed", checklist=self.checklist_label(assessment.checklist), number=assessment.id
        )

    def checklist_label(self, checklist_id: str) -> str:
        """The checklist's short name ("Vakbondsvrijheid"), else its title, else its ID."""
        key = f"engine.checklist_label.{checklist_id}"
        if key in self.knowledge.ui:
            return self.knowledge.text(key, self.language)
        try:
            return self.knowledge.checklist(checklist_id).title.get(self.language)
        except KeyError:
            return checklist_id
