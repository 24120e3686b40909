"""Phrase patterns and a fast index that finds them in normalised text.

A phrase is written as plain words with three small extras a curator can use:

    ontsla*        any word starting with "ontsla" (ontslagen, ontslag, ontslaan)
    *bond          any word ending in "bond" (vakbond, staatsvakbond)
    ...            up to three other words in between ("contract ... niet verlengd")
    #  #60+  #5-15 any number / at least 60 / from 5 to 15 ("#60+ uur per week")

A match never crosses punctuation (it may run over words such as "maar").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from knowledge.understanding.normalise import Normaliser, Tokens, fold_word

GAP_WORDS = 3  # how many words "..." may skip

# Pattern elements: (kind, value). kinds: w=word, p=prefix, s=suffix, g=gap, n=number range
Element = tuple[str, Any]
Pattern = tuple[Element, ...]


class PhraseError(ValueError):
    """Raised when a phrase cannot be turned into a usable pattern."""


def compile_phrase(phrase: str, normaliser: Normaliser) -> Pattern:
    """Turn a curator's phrase into a pattern, normalised like user text."""
    elements: list[Element] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            tokens = normaliser.tokens(" ".join(run), spell=False)
            elements.extend(("w", word) for word in tokens.words)
            run.clear()

    for chunk in phrase.split():
        if chunk == "...":
            flush()
            elements.append(("g", GAP_WORDS))
        elif chunk.startswith("#"):
            flush()
            elements.append(("n", _number_range(chunk)))
        elif len(chunk) > 1 and chunk.endswith("*") and not chunk.startswith("*"):
            flush()
            elements.append(("p", _wildcard_stem(chunk[:-1], phrase)))
        elif len(chunk) > 1 and chunk.startswith("*") and not chunk.endswith("*"):
            flush()
            elements.append(("s", _wildcard_stem(chunk[1:], phrase)))
        else:
            run.append(chunk)
    flush()
    while elements and elements[-1][0] == "g":
        elements.pop()
    while elements and elements[0][0] == "g":
        elements.pop(0)
    if not elements:
        raise PhraseError("no words left after normalisation")
    return tuple(elements)


def _number_range(chunk: str) -> tuple[float, float]:
    body = chunk[1:]
    try:
        if not body:
            return float("-inf"), float("inf")
        if body.endswith("+"):
            return float(body[:-1]), float("inf")
        low, _, high = body.partition("-")
        return (float(low), float(high)) if high else (float(low), float(low))
    except ValueError as error:
        raise PhraseError(f"{chunk!r} is not '#', '#<n>', '#<n>+' or '#<n>-<m>'") from error


def _wildcard_stem(stem: str, phrase: str) -> str:
    folded = fold_word(stem).replace("'", "")
    if len(folded) < 3 or not folded.isalnum():
        raise PhraseError(f"wildcard stem {stem!r} must be at least 3 letters")
    return folded


def pattern_words(pattern: Pattern) -> tuple[set[str], set[str], set[str]]:
    """Exact words, prefixes and suffixes a pattern uses (the typo vocabulary)."""
    words: set[str] = set()
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for kind, value in pattern:
        if kind == "w":
            words.add(value)
        elif kind == "p":
            prefixes.add(value)
        elif kind == "s":
            suffixes.add(value)
    return words, prefixes, suffixes


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of a phrase: its payload and the word positions it covers."""

    payload: Any
    start: int
    end: int  # exclusive
    positions: tuple[int, ...]  # matched words, without the words a gap skipped

    @property
    def size(self) -> int:
        return len(self.positions)


class PhraseIndex:
    """Many patterns, indexed by their first element for quick lookup."""

    def __init__(self) -> None:
        self.by_word: dict[str, list[tuple[Pattern, Any]]] = {}
        self.by_prefix: dict[str, list[tuple[Pattern, Any]]] = {}
        self.by_suffix: dict[str, list[tuple[Pattern, Any]]] = {}
        self.by_number: list[tuple[Pattern, Any]] = []
        self.prefix_lengths: list[int] = []
        self.suffix_lengths: list[int] = []

    def add(self, pattern: Pattern, payload: Any) -> None:
        kind, value = pattern[0]
        if kind == "w":
            self.by_word.setdefault(value, []).append((pattern, payload))
        elif kind == "p":
            self.by_prefix.setdefault(value, []).append((pattern, payload))
            self.prefix_lengths = sorted({*self.prefix_lengths, len(value)})
        elif kind == "s":
            self.by_suffix.setdefault(value, []).append((pattern, payload))
            self.suffix_lengths = sorted({*self.suffix_lengths, len(value)})
        else:
            self.by_number.append((pattern, payload))

    def __bool__(self) -> bool:
        return bool(self.by_word or self.by_prefix or self.by_suffix or self.by_number)

    def _starting_at(self, word: str) -> Iterator[tuple[Pattern, Any]]:
        yield from self.by_word.get(word, ())
        size = len(word)
        for length in self.prefix_lengths:
            if length > size:
                break
            yield from self.by_prefix.get(word[:length], ())
        for length in self.suffix_lengths:
            if length > size:
                break
            yield from self.by_suffix.get(word[-length:], ())
        if self.by_number and _is_number(word):
            yield from self.by_number

    def find(self, tokens: Tokens) -> list[Match]:
        """Every occurrence of every pattern (overlaps included)."""
        found: list[Match] = []
        words = tokens.words
        clauses = tokens.segment
        for start, word in enumerate(words):
            for pattern, payload in self._starting_at(word):
                positions = _match(pattern, 0, words, clauses, start, clauses[start])
                if positions is not None:
                    found.append(Match(payload, start, positions[-1] + 1, positions))
        return found


def _is_number(word: str) -> bool:
    return word.isdigit()


def _element_fits(kind: str, value: Any, word: str) -> bool:
    if kind == "w":
        return word == value
    if kind == "p":
        return word.startswith(value)
    if kind == "s":
        return word.endswith(value)
    return word.isdigit() and value[0] <= float(word) <= value[1]


def _match(
    pattern: Pattern,
    element: int,
    words: list[str],
    clauses: list[int],
    position: int,
    clause: int,
) -> tuple[int, ...] | None:
    """Positions matched by ``pattern[element:]`` starting at ``position``, or None."""
    if element == len(pattern):
        return ()
    kind, value = pattern[element]
    if kind == "g":
        for skip in range(value + 1):
            at = position + skip
            if at >= len(words) or clauses[at] != clause:
                return None
            rest = _match(pattern, element + 1, words, clauses, at, clause)
            if rest is not None:
                return rest
        return None
    if position >= len(words) or clauses[position] != clause:
        return None
    if not _element_fits(kind, value, words[position]):
        return None
    rest = _match(pattern, element + 1, words, clauses, position + 1, clause)
    if rest is None:
        return None
    return (position, *rest)


def select_longest(matches: Iterable[Match], rank: Any = None) -> list[Match]:
    """Non-overlapping matches, longest first (ties: lower ``rank(payload)`` first)."""
    ordered = sorted(
        matches,
        key=lambda m: (-m.size, rank(m.payload) if rank else 0, m.start),
    )
    taken: set[int] = set()
    chosen: list[Match] = []
    for match in ordered:
        if taken.isdisjoint(match.positions):
            chosen.append(match)
            taken.update(match.positions)
    chosen.sort(key=lambda m: m.start)
    return chosen
