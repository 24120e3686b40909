"""Recognise navigation typed as text ("sla maar over", "terug", "genoeg voor nu").

Two kinds of phrases per intent: ``anywhere`` phrases are unmistakable ("vorige vraag",
"tot nu toe") and count inside a short message; ``alone`` phrases ("stop", "terug") count
only when the message is little more than the phrase. A message that reads like an answer
(a yes/no particle, a negation or a stance cue outside the phrase, a word about the
checklist's subject, or too many other words) is never navigation: "nee, stop daar niet
mee" and "we stoppen met die leverancier" are answers. Ordinary small words (the common
words of normalisation.yaml and the intent fillers) do not count as other words.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from knowledge.understanding.compiled import Compiled, Kind
from knowledge.understanding.lexicon import IntentsFile
from knowledge.understanding.phrases import PhraseIndex, compile_phrase, select_longest
from knowledge.understanding.types import Intent

MIN_COMMAND_TYPO = 4  # shorter command words are too close to ordinary words
_BLOCKING = frozenset({Kind.PARTICLE, Kind.NEGATOR, Kind.CUE, Kind.WIDE_NEGATOR})


class IntentFinder:
    """Matches intent phrases and checks that the message is navigation, not an answer."""

    def __init__(self, compiled: Compiled, words: IntentsFile) -> None:
        self.compiled = compiled
        self.settings = words
        self.index = PhraseIndex()
        normaliser = compiled.normaliser
        for entry in words.intents:
            intent = Intent(entry.intent)
            for phrase in entry.anywhere:
                self.index.add(compile_phrase(phrase, normaliser), (intent, True))
            for phrase in entry.alone:
                self.index.add(compile_phrase(phrase, normaliser), (intent, False))
        self.subjects = PhraseIndex()
        for phrase in words.statement_subjects:
            self.subjects.add(compile_phrase(phrase, normaliser), None)
        self.fillers = PhraseIndex()
        for phrase in words.fillers:
            self.fillers.add(compile_phrase(phrase, normaliser), None)
        intent_words = {
            value
            for entry in words.intents
            for phrase in (*entry.anywhere, *entry.alone)
            for kind, value in compile_phrase(phrase, normaliser)
            if kind == "w"
        }
        # one-word commands, for a lone word with a slip the speller leaves alone ("sklp")
        self.command_words: dict[str, set[Intent]] = {}
        for entry in words.intents:
            for phrase in (*entry.anywhere, *entry.alone):
                compiled_phrase = compile_phrase(phrase, normaliser)
                if len(compiled_phrase) == 1 and compiled_phrase[0][0] == "w":
                    word = compiled_phrase[0][1]
                    if len(word) >= MIN_COMMAND_TYPO:
                        self.command_words.setdefault(word, set()).add(Intent(entry.intent))
        # words about the checklist topics: "we stoppen met die leverancier" is an answer
        self.topical_words = compiled.domain_words - intent_words

    def detect(self, text: str) -> Intent | None:
        tokens = self.compiled.normaliser.tokens(text or "")
        size = len(tokens.words)
        if size == 0 or size > self.settings.max_words:
            return None
        matches = select_longest(self.index.find(tokens))
        if not matches:
            return self._mistyped_command(text) if size == 1 else None
        covered = {p for m in matches for p in m.positions}
        filler = {p for m in self.fillers.find(tokens) for p in m.positions}
        speller = self.compiled.normaliser.speller
        common = speller.common if speller else frozenset()
        outside = [
            p
            for p in range(size)
            if p not in covered and p not in filler and tokens.words[p] not in common
        ]
        topical = [p for p in outside if tokens.words[p] in self.topical_words]
        about_people = any(covered.isdisjoint(m.positions) for m in self.subjects.find(tokens))
        answer_like = [
            m
            for m in select_longest(self.compiled.answers.find(tokens), rank=lambda e: e.kind)
            if covered.isdisjoint(m.positions)
        ]
        # a filler ("weet niet", "dunno") may come with navigation: "dunno, next" is a skip
        blocking = [
            m
            for m in answer_like
            if m.payload.kind in _BLOCKING and not filler.issuperset(m.positions)
        ]
        content = [m for m in answer_like if m.payload.kind is Kind.CONTENT]
        best: tuple[int, Intent] | None = None
        for match in matches:
            intent, anywhere = match.payload
            clause = tokens.clause[match.start]
            if anywhere:
                # "sla over" counts inside a message, unless the message answers something:
                # "tot nu toe is er geen bond" negates, "tot nu toe is er een bond actief"
                # states something about the subject
                negated = any(
                    tokens.clause[m.start] == clause and m.payload.kind is Kind.NEGATOR
                    for m in blocking
                )
                # a phrase of one real word among subject words is part of an answer:
                # "het overzicht van leveranciers is openbaar", "the results of the audit"
                weight = sum(1 for p in match.positions if p not in filler)
                if negated or about_people or (topical and (content or weight <= 1)):
                    continue
            elif (
                blocking or topical or about_people or len(outside) > self.settings.max_other_words
            ):
                continue
            if best is None or match.size > best[0]:
                best = (match.size, intent)
        return best[1] if best else None

    def _mistyped_command(self, text: str) -> Intent | None:
        """A lone unknown word one slip from exactly one command word ("sklp" = skip)."""
        raw = self.compiled.normaliser.tokens(text, spell=False).words
        speller = self.compiled.normaliser.speller
        if len(raw) != 1 or len(raw[0]) < MIN_COMMAND_TYPO:
            return None
        word = raw[0]
        if speller is not None and speller.is_known(word):
            return None
        found = {
            intent
            for command, intents in self.command_words.items()
            if command[0] == word[0] and OSA.distance(word, command, score_cutoff=1) <= 1
            for intent in intents
        }
        return found.pop() if len(found) == 1 else None
