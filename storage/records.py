"""The rows the store hands out: small frozen dataclasses, never sqlite rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UserRecord:
    """One person, known by an adapter-qualified ID such as "tg:12345"."""

    id: str
    language: str
    created: str


@dataclass(frozen=True)
class AssessmentRecord:
    """One checklist about one company, site or supplier."""

    id: int
    user: str
    checklist: str
    name: str
    country: str
    sector: str
    created: str
    updated: str
    status: str  # see AssessmentStatus
    position: int  # index of the question to ask next (0-based)


class AssessmentStatus:
    """Where an assessment stands; plain strings so the database stays readable."""

    ACTIVE = "active"  # questions are being asked
    PAUSED = "paused"  # the user stopped; resume picks up at ``position``
    DONE = "done"  # the last question was reached

    ALL = (ACTIVE, PAUSED, DONE)


@dataclass(frozen=True)
class SignalRecord:
    """A finding in one answer and the words that raised it."""

    signal: str
    evidence: str = ""
    implied: bool = False


@dataclass(frozen=True)
class AnswerRecord:
    """One answer to one question: the words given and what was understood."""

    question: str
    text: str  # verbatim text, or the label of the pressed button
    stance: str | None
    signals: tuple[SignalRecord, ...] = ()
    confidence: float | None = None
    answered: str = ""  # ISO date-time (UTC), set by the store
    assessment: int = 0
    id: int = 0


@dataclass(frozen=True)
class Position:
    """Where a user is in the dialogue: a state name and small JSON-able data."""

    state: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows a retention purge deleted."""

    assessments: int = 0
    answers: int = 0
    positions: int = 0
    users: int = 0

    @property
    def total(self) -> int:
        return self.assessments + self.answers + self.positions + self.users


@dataclass(frozen=True)
class ChecklistCounts:
    """Assessments and answers of one checklist (counts only)."""

    checklist: str
    assessments: int
    answers: int


@dataclass(frozen=True)
class StoreCounts:
    """Numbers for the operator: how much is stored, never what."""

    users: int
    assessments: int
    answers: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_checklist: tuple[ChecklistCounts, ...] = ()
