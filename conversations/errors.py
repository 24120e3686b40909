"""Errors of the dialogue engine.

EngineError                 base of the errors the engine raises on purpose
 +-- FlowTableError         the state table is impossible (raised when the engine is built)
 +-- InvalidTransition      a step tried a move the state table does not allow
 +-- Refusal                an expected problem; carries a UI key shown to the user
"""

from __future__ import annotations

from typing import Any


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


class Refusal(EngineError):
    """Raised for an expected problem; ``key`` names the UI text that explains it."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        super().__init__(key)
