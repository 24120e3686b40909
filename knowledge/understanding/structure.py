"""Where words stand in an answer: negation scopes, sentence openings and closings."""

from __future__ import annotations

from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match


def scopes_of(
    tokens: Tokens, scope_breaks: frozenset[str], negators: frozenset[str] = frozenset()
) -> list[int]:
    """Scope index per word: a new scope at each clause and at each scope-break word,
    unless the break word belongs to the negator before it ("niet alleen")."""
    scopes: list[int] = []
    current = -1
    previous_clause = -1
    words = tokens.words
    for position, word in enumerate(words):
        clause = tokens.clause[position]
        negated = position > 0 and words[position - 1] in negators
        if clause != previous_clause or (word in scope_breaks and scopes and not negated):
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
