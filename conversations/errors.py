"""Errors of the dialogue engine.

EngineError                 base of the errors the engine raises on purpose
 +-- FlowTableError         the state table is impossible (raised when the engine is built)
 +-- InvalidTransition      a step tried a move the state table does not allow

Expected problems (a stale button, bad input) are not exceptions: the step says so with a
UI text and asks the open question again.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of the dialogue engine's own errors."""


class FlowTableError(EngineError, ValueError):
    """Raised when the transition table or the step table cannot work."""


class InvalidTransition(EngineError):
    """Raised when a step asks for a move the transition table does not allow."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target
        super().__init__(f"no transition from {source} to {target}")
