"""Answer understanding by the learned model, with the rule engine's reading as evidence.

Four heads, each with calibrated probabilities (``model_file.Head``):

- stance: yes / no / partly / unknown, or none (the text is not an answer); the
  confidence is the probability of the chosen stance, lower for sarcasm, hedges and
  mixed clauses (their own temperature);
- signals: each stated signal on its own; the question's own signal follows from the
  stance as before. Evidence words are the rule's trigger words, or else the words
  that carried the model's decision. Signals with too few examples keep the rule's hit;
- intent: skip/back/stop/help/summary/restart or none;
- topic: ranks the rule engine's best candidate topics by generic features (score,
  rank, gap), so topics added with phrases but without examples work too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.schema import Question, Stance
from knowledge.understanding.answers import AnswerReader, Reading
from knowledge.understanding.features import (
    answer_features,
    doubtful,
    intent_features,
    topic_candidates,
    topic_pair_features,
)
from knowledge.understanding.intents import IntentFinder
from knowledge.understanding.model_file import Head, shared_vocabulary
from knowledge.understanding.topics import TopicFinder
from knowledge.understanding.types import Intent, Interpretation, SignalHit, TopicMatch

NOT_AN_ANSWER = "none"
EVIDENCE_WORDS = 3  # words shown for a signal the model found without a rule hit
TAKE = 0.5  # a class is taken at or above this probability
# A finding is taken from a lower probability: a missed abuse never reaches the report,
# while a wrong one is shown with its evidence words. Chosen on cross-validated signal F1
# by writer (`imvo-coach model build`), never on a blind set. Pooled F1 is flat around it
# (20,690 examples: 0.3 -> 0.824, 0.35 -> 0.825, 0.4 -> 0.825; 23,090: 0.3 -> 0.827,
# 0.35 -> 0.829, 0.4 -> 0.831); within such a tie the lower one keeps more findings.
TAKE_SIGNAL = 0.35
MAX_CONFIDENCE = 0.99  # the model is never certain
# navigation is taken only when fairly sure: a wrong "skip" loses an answer, while a missed
# one is just read as an answer (and confirmed when unsure)
TAKE_INTENT = 0.6


@dataclass(frozen=True)
class Heads:
    stance: Head
    signals: Head
    intent: Head
    topic: Head

    @classmethod
    def from_json(cls, model: dict[str, Any]) -> Heads:
        names = ("stance", "signals", "intent", "topic")
        heads = model["heads"]
        vocabulary = shared_vocabulary(heads[name]["features"] for name in names)
        return cls(*(Head.from_json(heads[name], vocabulary) for name in names))


class Evidence:
    """What the rules make of a text, as features: shared by training and the bot."""

    def __init__(
        self,
        answers: AnswerReader,
        topics: TopicFinder,
        intents: IntentFinder,
        questions: Mapping[str, Question],
    ) -> None:
        self.answers = answers
        self.topics = topics
        self.intents = intents
        self.questions = questions

    def answer(self, question_id: str, text: str) -> tuple[Reading, dict[str, float]]:
        reading = self.answers.read(question_id, text)
        intent = self.intents.detect(text)
        question = self.questions.get(question_id)
        scores, _ = self.topics.scores(text)
        topic_score = max(scores.values(), default=0.0)
        features = answer_features(
            reading, question, intent.value if intent else None, topic_score
        )
        return reading, features

    def intent(self, text: str) -> dict[str, float] | None:
        reading = self.answers.read("", text)
        if not reading.tokens.words:
            return None
        rule = self.intents.detect(text)
        answer = reading.interpretation.stance
        return intent_features(
            text,
            reading.tokens.words,
            rule.value if rule else None,
            answer.value if answer else NOT_AN_ANSWER,
        )

    def topic_pairs(self, text: str) -> list[tuple[str, dict[str, float]]]:
        """(candidate topic, features) for the rules' best topics; none when blocked."""
        scores, blocked = self.topics.scores(text)
        if blocked or not scores:
            return []
        candidates = topic_candidates(scores)
        words = self.topics.normaliser.tokens(text).words
        return [
            (topic, topic_pair_features(words, candidates, rank, blocked))
            for rank, (topic, _) in enumerate(candidates)
        ]


class LearnedReader:
    """Interpret, look up and detect with the learned heads over the rules' evidence."""

    def __init__(self, heads: Heads, evidence: Evidence) -> None:
        self.heads = heads
        self.evidence = evidence
        self.questions = evidence.questions

    def interpret(self, question_id: str, text: str) -> Interpretation:
        reading, features = self.evidence.answer(question_id, text)
        if not reading.tokens.words:
            return reading.interpretation
        question = self.questions.get(question_id)
        head = self.heads.stance
        probabilities = head.probabilities(features, doubtful(reading))
        best = int(probabilities.argmax())
        label = head.classes[best]
        stance = None if label == NOT_AN_ANSWER else Stance(label)
        hits = self._signals(reading, features, question, stance)
        confidence = round(min(float(probabilities[best]), MAX_CONFIDENCE), 3)
        guessed = reading.decision is not None and reading.decision.hedged
        hedged = guessed and stance not in (None, Stance.UNKNOWN)
        return Interpretation(question_id, stance, hits, confidence, hedged)

    def _signals(
        self,
        reading: Reading,
        features: dict[str, float],
        question: Question | None,
        stance: Stance | None,
    ) -> tuple[SignalHit, ...]:
        head = self.heads.signals
        rule_hits = {hit.signal: hit for hit in reading.interpretation.signals}
        own = question.signal if question else None
        hits: list[SignalHit] = []
        if question is not None and own and stance is not None and stance is question.risk_if:
            rule_own = rule_hits.get(own)
            hits.append(SignalHit(own, rule_own.evidence if rule_own else str(stance), True))
        probabilities = head.probabilities(features)
        learned = set(head.classes)
        for column, signal in enumerate(head.classes):
            if signal == own and hits:
                continue
            if probabilities[column] >= TAKE_SIGNAL:
                hit = rule_hits.get(signal)
                words = hit.evidence if hit else self._evidence(reading, features, column)
                hits.append(SignalHit(signal, words, False))
        taken = {hit.signal for hit in hits}
        for signal, hit in rule_hits.items():
            if signal in taken or signal == own or hit.implied:
                continue
            if signal not in learned:
                hits.append(hit)  # too few examples to learn it: the rule decides
            elif stance is None:
                # Not an answer to the question: the signal head learned only from answers,
                # so a finding the rules read in it is kept (the bot echoes it and asks).
                hits.append(hit)
        return tuple(hits)

    def _evidence(self, reading: Reading, features: dict[str, float], column: int) -> str:
        """The words that carried the model's decision, in the order they were typed."""
        words = [name[2:] for name, _ in self.heads.signals.contributions(features, column, "w:")]
        chosen = set(words[:EVIDENCE_WORDS])
        tokens = reading.tokens
        positions = [p for p, word in enumerate(tokens.words) if word in chosen]
        return tokens.evidence(positions) if positions else ""

    def detect_intent(self, text: str) -> Intent | None:
        features = self.evidence.intent(text)
        if features is None:
            return None
        head = self.heads.intent
        probabilities = head.probabilities(features)
        best = int(probabilities.argmax())
        label = head.classes[best]
        if label == NOT_AN_ANSWER or probabilities[best] < TAKE_INTENT:
            return None
        return Intent(label)

    def lookup(self, text: str) -> TopicMatch | None:
        best: tuple[float, str] | None = None
        for topic, features in self.evidence.topic_pairs(text):
            probability = float(self.heads.topic.probabilities(features)[0])
            if best is None or probability > best[0]:
                best = (probability, topic)
        if best is None or best[0] < TAKE:
            return None
        return TopicMatch(best[1], round(100 * best[0], 1))
