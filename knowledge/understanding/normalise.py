"""Turn raw chat text into words the phrase matcher can compare.

Steps, in order (phrases in the YAML files go through the same steps, so a curator may
write them in any spelling): lowercase and strip accents, emoji to words, split into words
and punctuation, rewrites (chat spelling, contractions), typo correction against the
lexicon's vocabulary, folding of abbreviations and synonyms into one term, and finally
sentences and clauses (punctuation and words such as "maar"/"but" start a new clause).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.understanding.lexicon import Lexicon

_TOKEN = re.compile(
    r"(?P<word>'?[a-z0-9]+(?:'[a-z0-9]+)*'?)|(?P<stop>[.!?;]+|\n|…)|(?P<pause>[,:()\[\]]|\s[-–—]+\s)"
)
_APOSTROPHES = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"'}
)
_INVISIBLE = {"\ufe0f", "\u200d", "\ufe0e"}
MIN_TYPO_LENGTH = 4  # shorter words are too ambiguous to correct
LONG_WORD = 8  # longer words may have two typos
MAX_SPELL_CACHE = 50_000


@dataclass
class Tokens:
    """A normalised text: words with their place in the original and in the sentence."""

    text: str
    words: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # slices of ``text``
    clause: list[int] = field(default_factory=list)  # also cut at words such as "maar"
    segment: list[int] = field(default_factory=list)  # cut at punctuation only
    sentence: list[int] = field(default_factory=list)
    question_sentences: set[int] = field(default_factory=set)  # sentences ending in "?"
    quoted: set[int] = field(default_factory=set)  # single words in quotes: 'committee'""
    clause_count: int = 0
    sentence_count: int = 0

    def evidence(self, positions: Iterable[int]) -> str:
        """The original words covering ``positions`` (for the summary)."""
        chosen = sorted(positions)
        if not chosen:
            return ""
        return self.text[self.spans[chosen[0]][0] : self.spans[chosen[-1]][1]]

    def __len__(self) -> int:
        return len(self.words)


def fold_word(word: str) -> str:
    """Lowercase and strip accents from a single word or phrase (no emoji handling)."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_APOSTROPHES).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(char in letters for char in short)


def _in_quotes(folded: str, raw: str, start: int, end: int) -> bool:
    """True for a single word between quotes: 'targets' or "committee"."""
    if len(raw) > 2 and raw[0] == "'" and raw[-1] == "'":
        return True
    return start > 0 and end < len(folded) and folded[start - 1] == folded[end] == '"'


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
        for word in self.vocabulary:
            if len(word) >= MIN_TYPO_LENGTH - 1 and word.isalpha():
                self.buckets.setdefault((word[0], len(word)), []).append(word)
        self.cache: dict[str, str] = {}

    def is_known(self, word: str) -> bool:
        if word in self.known or not word.isalpha():
            return True
        if any(word[:n] in self.prefixes for n in self.prefix_lengths if n <= len(word)):
            return True
        return any(word[-n:] in self.suffixes for n in self.suffix_lengths if n <= len(word))

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
        for candidate, distance, _ in sorted(found, key=lambda item: item[1]):
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


class Normaliser:
    """Cleans text into ``Tokens`` using the lexicon's rewrites, emoji and synonyms."""

    def __init__(self, lexicon: Lexicon) -> None:
        norm = lexicon.normalisation
        self.emoji = {
            "".join(ch for ch in key if ch not in _INVISIBLE): f" {fold_word(value)} "
            for key, value in norm.emoji.items()
        }
        self.rewrites = {fold_word(k): fold_word(v).split() for k, v in norm.rewrites.items()}
        self.suffix_rewrites = sorted(
            ((fold_word(k), fold_word(v)) for k, v in norm.suffix_rewrites.items()),
            key=lambda item: -len(item[0]),
        )
        self.clause_breaks = {fold_word(word) for word in lexicon.negation.clause_breaks}
        self.fold_cache: dict[str, str] = {}
        self.speller: Speller | None = None
        self.synonyms: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], str | None]]] = {}
        for entry in lexicon.abbreviations:
            term = tuple(self._plain_words(entry.term))
            for form in entry.forms:
                self._add_synonym(tuple(self._plain_words(form)), term, None)
            for form in entry.exact_case:
                self._add_synonym(tuple(self._plain_words(form)), term, form)
        for options in self.synonyms.values():
            options.sort(key=lambda item: -len(item[0]))

    def _add_synonym(
        self, form: tuple[str, ...], term: tuple[str, ...], exact: str | None
    ) -> None:
        if form and form != term:
            self.synonyms.setdefault(form[0], []).append((form, term, exact))

    def _plain_words(self, text: str) -> list[str]:
        tokens = self.tokens(text, spell=False, synonyms=False)
        return tokens.words

    def synonym_words(self) -> set[str]:
        """Every word of every abbreviation form (part of the typo vocabulary)."""
        words: set[str] = set()
        for options in self.synonyms.values():
            for form, term, _ in options:
                words.update(form)
                words.update(term)
        return words

    def fold(self, text: str) -> tuple[str, list[int] | None]:
        """Lowercase, strip accents, emoji to words; keep a map back to ``text``."""
        if text.isascii():
            return text.lower(), None
        out: list[str] = []
        index: list[int] = []
        for position, char in enumerate(text):
            folded = self.fold_cache.get(char)
            if folded is None:
                if char in _INVISIBLE:
                    folded = ""
                elif char in self.emoji:
                    folded = self.emoji[char]
                else:
                    folded = fold_word(char)
                self.fold_cache[char] = folded
            out.append(folded)
            index.extend([position] * len(folded))
        return "".join(out), index

    def tokens(self, text: str, *, spell: bool = True, synonyms: bool = True) -> Tokens:
        """Normalise ``text`` fully into words, sentences and clauses."""
        result = Tokens(text=text)
        folded, index = self.fold(text)
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        breaks: list[str | None] = []  # None for a word, "stop"/"?"/"pause" for punctuation
        quoted: list[bool] = []
        for match in _TOKEN.finditer(folded):
            start, end = match.span()
            span = (index[start], index[end - 1] + 1) if index is not None else (start, end)
            kind = match.lastgroup
            if kind == "word":
                raw = match.group()
                in_quotes = _in_quotes(folded, raw, start, end)
                for word in self._rewrite(raw):
                    words.append(word)
                    spans.append(span)
                    breaks.append(None)
                    quoted.append(in_quotes)
                continue
            words.append("")
            spans.append(span)
            quoted.append(False)
            if kind == "stop":
                breaks.append("?" if "?" in match.group() else "stop")
            else:
                breaks.append("pause")
        if spell and self.speller is not None:
            speller = self.speller
            words = [
                speller.correct(w) if kind is None else w
                for w, kind in zip(words, breaks, strict=True)
            ]
        if synonyms and self.synonyms:
            words, spans, breaks, quoted = self._fold_synonyms(text, words, spans, breaks, quoted)
        self._segment(result, words, spans, breaks, quoted)
        return result

    def _rewrite(self, raw: str) -> list[str]:
        replaced = self.rewrites.get(raw)
        if replaced is not None:
            return replaced
        word = raw.strip("'")
        if not word:
            return []
        replaced = self.rewrites.get(word)
        if replaced is not None:
            return replaced
        for suffix, replacement in self.suffix_rewrites:
            if word.endswith(suffix) and len(word) > len(suffix):
                return [word[: -len(suffix)].replace("'", ""), *replacement.split()]
        return [word.replace("'", "")]

    def _fold_synonyms(
        self,
        text: str,
        words: list[str],
        spans: list[tuple[int, int]],
        breaks: list[str | None],
        quoted: list[bool],
    ) -> tuple[list[str], list[tuple[int, int]], list[str | None], list[bool]]:
        out_words: list[str] = []
        out_spans: list[tuple[int, int]] = []
        out_breaks: list[str | None] = []
        out_quoted: list[bool] = []
        position = 0
        size = len(words)
        while position < size:
            options = self.synonyms.get(words[position]) if breaks[position] is None else None
            matched = False
            for form, term, exact in options or ():
                end = position + len(form)
                if end > size or tuple(words[position:end]) != form:
                    continue
                if any(breaks[i] is not None for i in range(position, end)):
                    continue
                if exact is not None:
                    original = " ".join(text[s:e] for s, e in spans[position:end])
                    if original.strip("'") != exact:
                        continue
                span = (spans[position][0], spans[end - 1][1])
                in_quotes = all(quoted[position:end])
                for word in term:
                    out_words.append(word)
                    out_spans.append(span)
                    out_breaks.append(None)
                    out_quoted.append(in_quotes)
                position = end
                matched = True
                break
            if not matched:
                out_words.append(words[position])
                out_spans.append(spans[position])
                out_breaks.append(breaks[position])
                out_quoted.append(quoted[position])
                position += 1
        return out_words, out_spans, out_breaks, out_quoted

    def _segment(
        self,
        result: Tokens,
        words: list[str],
        spans: list[tuple[int, int]],
        breaks: list[str | None],
        quoted: list[bool],
    ) -> None:
        clause = 0
        segment = 0
        sentence = 0
        fresh_clause = True  # no word yet in the current clause
        fresh_sentence = True
        for word, span, kind, in_quotes in zip(words, spans, breaks, quoted, strict=True):
            if kind is not None:
                if kind in ("stop", "?"):
                    if not fresh_sentence:
                        if kind == "?":
                            result.question_sentences.add(sentence)
                        sentence += 1
                        clause += 1
                        segment += 1
                        fresh_sentence = fresh_clause = True
                elif not fresh_clause:
                    clause += 1
                    segment += 1
                    fresh_clause = True
                continue
            if word in self.clause_breaks and not fresh_clause:
                clause += 1
            if in_quotes:
                result.quoted.add(len(result.words))
            result.words.append(word)
            result.spans.append(span)
            result.clause.append(clause)
            result.segment.append(segment)
            result.sentence.append(sentence)
            fresh_clause = fresh_sentence = False
        result.clause_count = clause + (0 if fresh_clause else 1)
        result.sentence_count = sentence + (0 if fresh_sentence else 1)
