"""Typo correction: a word not in the vocabulary becomes the nearest vocabulary word,
when a typing slip explains the difference (a missing, extra or swapped letter, a
neighbouring key, a sound-alike letter)."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_TYPO_LENGTH = 4  # shorter words are too ambiguous to correct
LONG_WORD = 8  # longer words may have two typos
MAX_SPELL_CACHE = 50_000
MIN_JOINED_LENGTH = 7  # a split word is joined again only when the whole is this long


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(char in letters for char in short)


_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> set[tuple[str, str]]:
    """Letter pairs that sit next to each other on a QWERTY/AZERTY-like phone keyboard."""
    pairs: set[tuple[str, str]] = set()
    for row_index, row in enumerate(_KEYBOARD_ROWS):
        for i, char in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if row_index + 1 < len(_KEYBOARD_ROWS):
                below = _KEYBOARD_ROWS[row_index + 1]
                near += [below[j] for j in (i - 1, i) if 0 <= j < len(below)]
            for other in near:
                pairs.add((char, other))
                pairs.add((other, char))
    return pairs


_NEIGHBOURS = _keyboard_neighbours()


class Speller:
    """Corrects a word to the nearest vocabulary word (typos, missing letters, swaps).

    Only typo-like edits count: a missing or extra letter, two swapped letters, or a
    letter replaced by a neighbouring key or a sound-alike ("beleit"). So "saying" is
    never read as "spying", whatever the vocabulary holds.
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        prefixes: Iterable[str],
        suffixes: Iterable[str],
        common: Iterable[str],
        confusable: Iterable[str] = (),
    ) -> None:
        self.similar = set(_NEIGHBOURS)
        for pair in confusable:
            if len(pair) == 2:
                self.similar.add((pair[0], pair[1]))
                self.similar.add((pair[1], pair[0]))
        self.vocabulary = frozenset(vocabulary)
        self.common = frozenset(common)
        self.known = self.vocabulary | self.common
        self.prefixes = frozenset(prefixes)
        self.suffixes = frozenset(suffixes)
        self.prefix_lengths = sorted({len(p) for p in self.prefixes})
        self.suffix_lengths = sorted({len(s) for s in self.suffixes})
        self.buckets: dict[tuple[str, int], list[str]] = {}
        for word in sorted(self.vocabulary):  # sorted: the same nearest word in every run
            if len(word) >= MIN_TYPO_LENGTH - 1 and word.isalpha():
                self.buckets.setdefault((word[0], len(word)), []).append(word)
        self.cache: dict[str, str] = {}

    def is_known(self, word: str) -> bool:
        if word in self.known or not word.isalpha():
            return True
        if any(word[:n] in self.prefixes for n in self.prefix_lengths if n <= len(word)):
            return True
        return any(word[-n:] in self.suffixes for n in self.suffix_lengths if n <= len(word))

    def joined(self, first: str, second: str) -> str | None:
        """``first + second`` when it is a vocabulary word split in two by dictation or
        fast typing ("zorg vuldigheid", "stake holder"), else None. At least one part
        must be no word of its own, so two real words ("over werk") stay apart."""
        word = first + second
        if len(word) < MIN_JOINED_LENGTH or word not in self.vocabulary:
            return None
        if first in self.known and second in self.known:
            return None
        return word if first.isalpha() and second.isalpha() else None

    def correct(self, word: str) -> str:
        if len(word) < MIN_TYPO_LENGTH or self.is_known(word):
            return word
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        best = self._nearest(word)
        if len(self.cache) > MAX_SPELL_CACHE:
            self.cache.clear()
        self.cache[word] = best
        return best

    def _nearest(self, word: str) -> str:
        size = len(word)
        max_distance = 1 if size <= LONG_WORD else 2
        candidates: list[str] = []
        for length in range(size - max_distance, size + max_distance + 1):
            candidates.extend(self.buckets.get((word[0], length), ()))
        if not candidates:
            return word
        found = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=max_distance, limit=5
        )
        for candidate, distance, _ in sorted(found, key=lambda item: (item[1], item[0])):
            four_letter_swap = sorted(candidate) == sorted(word)
            if size == MIN_TYPO_LENGTH and len(candidate) == size and not four_letter_swap:
                continue  # a 4-letter substitution ("gaan"/"geen") is a different word
            if self._typo_like(word, candidate, int(distance)):
                return candidate
        return word

    def _typo_like(self, word: str, candidate: str, edits: int) -> bool:
        """True when ``edits`` typing slips turn ``candidate`` into ``word``."""
        if len(word) == len(candidate):
            diffs = [i for i, (a, b) in enumerate(zip(word, candidate, strict=True)) if a != b]
            if (
                len(diffs) == 2
                and diffs[1] == diffs[0] + 1
                and word[diffs[0]] == candidate[diffs[1]]
                and word[diffs[1]] == candidate[diffs[0]]
            ):
                return True  # swapped letters
            return len(diffs) <= edits and all(
                (word[i], candidate[i]) in self.similar for i in diffs
            )
        longer, shorter = (word, candidate) if len(word) > len(candidate) else (candidate, word)
        if len(longer) - len(shorter) > edits:
            return False
        if len(longer) - len(shorter) == 2:
            return _is_subsequence(shorter, longer)
        for i in range(len(longer)):  # one letter missing or extra, maybe one more slip
            trimmed = longer[:i] + longer[i + 1 :]
            diffs = [j for j, (a, b) in enumerate(zip(trimmed, shorter, strict=True)) if a != b]
            if not diffs:
                return True
            if (
                edits >= 2
                and len(diffs) == 1
                and (trimmed[diffs[0]], shorter[diffs[0]]) in (self.similar)
            ):
                return True
        return False
