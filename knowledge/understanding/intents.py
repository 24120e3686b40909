"""Recognise navigation typed as text ("sla maar over", "terug", "genoeg voor nu").

Two kinds of phrases per intent: ``anywhere`` phrases are unmistakable ("vorige vraag",
"tot nu toe") and count inside a short message; ``alone`` phrases ("stop", "terug") count
only when the message is little more than the phrase. A message that reads like an answer
(a yes/no particle, a negation or a stance cue outside the phrase, or too many words) is
never navigation: "nee, stop daar niet mee" is an answer.
"""

from __future__ import annotations

from knowledge.understanding.compiled import Compiled, Kind
from knowledge.understanding.lexicon import IntentsFile
from knowledge.understanding.phrases import PhraseIndex, compile_phrase, select_longest
from knowledge.understanding.types import Intent

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
        self.fillers = PhraseIndex()
        for phrase in words.fillers:
            self.fillers.add(compile_phrase(phrase, normaliser), None)

    def detect(self, text: str) -> Intent | None:
        tokens = self.compiled.normaliser.tokens(text or "")
        size = len(tokens.words)
        if size == 0 or size > self.settings.max_words:
            return None
        matches = select_longest(self.index.find(tokens))
        if not matches:
            return None
        covered = {p for m in matches for p in m.positions}
        filler = {p for m in self.fillers.find(tokens) for p in m.positions} - covered
        blocking = [
            m
            for m in select_longest(self.compiled.answers.find(tokens), rank=lambda e: e.kind)
            if m.payload.kind in _BLOCKING and covered.isdisjoint(m.positions)
        ]
        other = size - len(covered) - len(filler)
        best: tuple[int, Intent] | None = None
        for match in matches:
            intent, anywhere = match.payload
            clause = tokens.clause[match.start]
            if anywhere:
                negated = any(
                    tokens.clause[m.start] == clause and m.payload.kind is Kind.NEGATOR
                    for m in blocking
                )
                if negated:
                    continue
            elif blocking or other > self.settings.max_other_words:
                continue
            if best is None or match.size > best[0]:
                best = (match.size, intent)
        return best[1] if best else None
