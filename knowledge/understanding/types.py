"""What answer understanding returns: the contract between the matcher and the dialogue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from knowledge.schema import Stance

# Typed answers understood with less confidence than this are confirmed with the user; the
# dialogue engine and ``imvo-coach eval`` both use it. Chosen from the learned model's
# cross-validated calibration (``imvo-coach model build`` prints the trade-off).
CONFIRM_THRESHOLD = 0.80


class Intent(StrEnum):
    """Navigation a user can type instead of a command."""

    SKIP = "skip"
    BACK = "back"
    STOP = "stop"
    HELP = "help"
    SUMMARY = "summary"
    RESTART = "restart"


@dataclass(frozen=True)
class SignalHit:
    """A finding in an answer, with the words that triggered it (shown in the summary)."""

    signal: str
    evidence: str  # the triggering words from the user's text, or the stance for implied ones
    implied: bool = False  # True when it follows from the question's risk stance


@dataclass(frozen=True)
class Interpretation:
    """The understood meaning of one free-text answer to one question."""

    question_id: str
    stance: Stance | None  # None: the text is not an answer to the question
    signals: tuple[SignalHit, ...]
    confidence: float  # 0..1, the probability that the stance is right
    hedged: bool = False  # a guess that leans ("volgens mij wel"): the user is not sure

    def is_sure(self, threshold: float = CONFIRM_THRESHOLD) -> bool:
        """Whether the dialogue may store this answer without asking. A hedged lean is
        always confirmed, however likely our reading: the labelling guide asks the bot to
        check a guess with the user rather than store it as their answer."""
        return self.stance is not None and self.confidence >= threshold and not self.hedged

    @property
    def signal_ids(self) -> tuple[str, ...]:
        return tuple(hit.signal for hit in self.signals)


@dataclass(frozen=True)
class TopicMatch:
    """The best knowledge topic for a question typed by the user."""

    topic_id: str
    score: float  # 0..100
