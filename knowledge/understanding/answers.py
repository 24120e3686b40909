"""Interpret one free-text answer to one checklist question: stance, signals, confidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.schema import Question
from knowledge.understanding.compiled import Compiled
from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match, select_longest
from knowledge.understanding.signals import Trigger, find_triggers, signal_hits
from knowledge.understanding.stance import Decision, decide_stance
from knowledge.understanding.structure import scopes_of
from knowledge.understanding.types import Interpretation


@dataclass
class Reading:
    """Everything the rules saw in one answer: the learned model's evidence."""

    interpretation: Interpretation
    tokens: Tokens
    selected: list[Match]
    triggers: list[Trigger]
    decision: Decision | None


class AnswerReader:
    """Turns (question, text) into an ``Interpretation`` using the compiled lexicon."""

    def __init__(self, compiled: Compiled, questions: Mapping[str, Question]) -> None:
        self.compiled = compiled
        self.questions = questions

    def interpret(self, question_id: str, text: str) -> Interpretation:
        interpretation, _ = self.explain(question_id, text)
        return interpretation

    def explain(self, question_id: str, text: str) -> tuple[Interpretation, Decision | None]:
        """The interpretation and the votes behind it (for curators and debugging)."""
        reading = self.read(question_id, text)
        return reading.interpretation, reading.decision

    def read(self, question_id: str, text: str) -> Reading:
        """The rules' interpretation with the tokens, phrases and triggers behind it."""
        question = self.questions.get(question_id)
        tokens = self.compiled.normaliser.tokens(text or "")
        if not tokens.words:
            return Reading(Interpretation(question_id, None, (), 0.0), tokens, [], [], None)
        found = self.compiled.answers.find(tokens)
        question_index = self.compiled.questions.get(question_id)
        if question_index:
            found.extend(question_index.find(tokens))
        selected = select_longest(found, rank=lambda entry: entry.kind)
        scopes = scopes_of(tokens, self.compiled.scope_breaks, self.compiled.negator_words)
        triggers = find_triggers(self.compiled, tokens, found, scopes, question_id)
        decision = decide_stance(self.compiled, question, tokens, selected, scopes, triggers)
        hits = signal_hits(question, decision.stance, tokens, triggers, decision.evidence)
        interpretation = Interpretation(
            question_id, decision.stance, hits, decision.confidence, decision.hedged
        )
        return Reading(interpretation, tokens, selected, triggers, decision)
