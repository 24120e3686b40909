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

from knowledge.understanding.lexicon import Lexicon
from knowledge.understanding.speller import Speller

_TOKEN = re.compile(
    r"(?P<word>'?[a-z0-9]+(?:'[a-z0-9]+)*'?)|(?P<stop>[.!?;]+|\n|…)|(?P<pause>[,:()\[\]]|\s[-–—]+\s)"
)
_APOSTROPHES = str.maketrans(
    {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"'}
)
_INVISIBLE = {"\ufe0f", "\u200d", "\ufe0e"}


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


def _in_quotes(folded: str, raw: str, start: int, end: int) -> bool:
    """True for a single word between quotes: 'targets' or "committee"."""
    if len(raw) > 2 and raw[0] == "'" and raw[-1] == "'":
        return True
    return start > 0 and end < len(folded) and folded[start - 1] == folded[end] == '"'


def _join_split_words(
    speller: Speller,
    words: list[str],
    spans: list[tuple[int, int]],
    breaks: list[str | None],
    quoted: list[bool],
) -> None:
    """Join, in place, two neighbouring words that are one vocabulary word split apart."""
    position = 0
    while position + 1 < len(words):
        if breaks[position] is None and breaks[position + 1] is None:
            joined = speller.joined(words[position], words[position + 1])
            if joined is not None:
                words[position : position + 2] = [joined]
                spans[position : position + 2] = [(spans[position][0], spans[position + 1][1])]
                breaks[position : position + 2] = [None]
                quoted[position : position + 2] = [quoted[position] and quoted[position + 1]]
                continue
        position += 1


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
        # The last text read fully, with the speller it was read with: one answer is read
        # by the stance rules, the intent finder and the topic finder in turn. One tuple,
        # replaced whole, so threads reading at once never see half an entry.
        self._last: tuple[str, Speller | None, Tokens] | None = None
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
        """Normalise ``text`` fully into words, sentences and clauses (do not change the
        result: the last one is handed out again for the same text)."""
        full = spell and synonyms
        last = self._last
        if full and last is not None and last[0] == text and last[1] is self.speller:
            return last[2]
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
            _join_split_words(speller, words, spans, breaks, quoted)
            words = [
                speller.correct(w) if kind is None else w
                for w, kind in zip(words, breaks, strict=True)
            ]
        if synonyms and self.synonyms:
            words, spans, breaks, quoted = self._fold_synonyms(text, words, spans, breaks, quoted)
        self._segment(result, words, spans, breaks, quoted)
        if full:
            self._last = (text, self.speller, result)
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
