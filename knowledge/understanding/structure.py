"""Where words stand in an answer: negation scopes, sentence openings and closings."""

from __future__ import annotations

from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match


def scopes_of(tokens: Tokens, scope_breaks: frozenset[str]) -> list[int]:
    """Scope index per word: a new scope at each clause and at each scope-break word."""
    scopes: list[int] = []
    current = -1
    previous_clause = -1
    for position, word in enumerate(tokens.words):
        clause = tokens.clause[position]
        if clause != previous_clause or (word in scope_breaks and scopes):
            current += 1
            previous_clause = clause
        scopes.append(current)
    return scopes


def follows(selected: list[Match], marker: int, index: int) -> bool:
    """True when match ``index`` comes right after the conclusion marker."""
    if index <= marker:
        return False
    first, later = selected[marker], selected[index]
    return first.end <= later.start <= first.end + 2


def opens_sentence(tokens: Tokens, match: Match, fillers: set[int]) -> bool:
    sentence = tokens.sentence[match.start]
    position = match.start - 1
    while position >= 0 and tokens.sentence[position] == sentence:
        if position not in fillers:
            return False
        position -= 1
    return True


def closes_text(tokens: Tokens, match: Match, fillers: set[int]) -> bool:
    """True when only fillers follow the particle up to the end of the text."""
    return all(p in fillers for p in range(match.end, len(tokens.words)))
