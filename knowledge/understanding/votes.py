"""The evidence an answer's phrases give for a stance, and the stance decided from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.schema import Stance


@dataclass
class Vote:
    """One piece of evidence for a stance."""

    stance: Stance
    weight: float
    positions: tuple[int, ...]
    reason: str


@dataclass
class Decision:
    """The stance with its confidence, the words that decided it, and every vote."""

    stance: Stance | None
    confidence: float
    evidence: tuple[int, ...]
    votes: list[Vote]
    hedged: bool = False  # the deciding sentence is a guess that leans ("ik denk het niet")


@dataclass
class Scope:
    """What the phrases of one negation scope said, before negators turn it around."""

    clause: int
    sentence: int
    pos: float = 0.0
    neg: float = 0.0
    direct_pos: float = 0.0
    negators: int = 0
    wide: bool = False
    specific: bool = False  # holds a word that means yes/no for this question only
    absolute: bool = False  # negated by "niks"/"nothing"/"nergens"
    positions: list[int] = field(default_factory=list)
