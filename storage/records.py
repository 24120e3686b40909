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
    status: str  # see AssessmentStatus (this member's own progress)
    position: int  # index of the question this member is asked next (0-based)
    role: str = "owner"  # the asking user's MemberRole
    members: int = 1  # how many people share it (owner included)

    @property
    def shared(self) -> bool:
        """True when more than one person fills it in."""
        return self.members > 1


class AssessmentStatus:
    """Where an assessment stands; plain strings so the database stays readable."""

    ACTIVE = "active"  # questions are being asked
    PAUSED = "paused"  # the user stopped; resume picks up at ``position``
    DONE = "done"  # the last question was reached

    ALL = (ACTIVE, PAUSED, DONE)


class MemberRole:
    """What a person may do with a shared assessment."""

    OWNER = "owner"  # invites, removes, hands over, deletes for all
    MEMBER = "member"  # answers every question, sees the team's summary
    FORMER = "former"  # removed or left: sees nothing; the name stays with their answers

    ACTIVE = (OWNER, MEMBER)


@dataclass(frozen=True)
class MemberRecord:
    """One person in a shared assessment, known to the others by the name they chose."""

    id: int
    assessment: int
    user: str
    name: str
    role: str  # see MemberRole
    joined: str


@dataclass(frozen=True)
class InvitationRecord:
    """An open invitation to an assessment (the code itself is never stored)."""

    id: int
    assessment: int
    created: str
    expires: str


@dataclass(frozen=True)
class JoinOffer:
    """What an invitation code leads to, shown before the invited person confirms."""

    invitation: int
    assessment: int
    checklist: str
    name: str  # the company, site or supplier
    owner_name: str


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
    user: str = ""  # who gave it (set by the store)


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
