"""Answer understanding: free text -> stance, signals, topic or navigation intent.

    from knowledge.understanding import Understanding
    understanding = Understanding(knowledge)
    understanding.interpret("union.present", "nee joh, een bond? die is hier niet")

The module-level ``interpret``, ``lookup`` and ``detect_intent`` use the shipped
knowledge base (``knowledge.loader.default_knowledge``).
"""

from __future__ import annotations

from functools import cache

from knowledge.understanding.types import Intent, Interpretation, SignalHit, TopicMatch
from knowledge.understanding.understanding import Understanding

__all__ = [
    "Intent",
    "Interpretation",
    "SignalHit",
    "TopicMatch",
    "Understanding",
    "default_understanding",
    "detect_intent",
    "interpret",
    "lookup",
]


@cache
def default_understanding() -> Understanding:
    """Understanding of the shipped knowledge base, built once per process."""
    from knowledge.loader import default_knowledge  # late: the loader imports this package

    return Understanding(default_knowledge())


def interpret(question_id: str, text: str) -> Interpretation:
    """Interpret an answer with the shipped knowledge base."""
    return default_understanding().interpret(question_id, text)


def lookup(text: str) -> TopicMatch | None:
    """Find a knowledge topic with the shipped knowledge base."""
    return default_understanding().lookup(text)


def detect_intent(text: str) -> Intent | None:
    """Detect navigation with the shipped knowledge base."""
    return default_understanding().detect_intent(text)
