"""Signals stated in an answer: trigger phrases and concept combos, with negation.

A trigger is a whole phrase ("kinderarbeid", "zwarte lijst") or a combination of concepts
in one sentence ("ontslagen" + "bondsleden"). It does not count when the clause negates
it ("geen kinderarbeid"), when the sentence only names a risk category ("salient issues:
forced labour, ..."), when it sits in an echoed question ("Kinderarbeid? ..."), or when a
blocking concept is in the same sentence (a restriction for temp workers only is not a
restriction for everyone).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.schema import Question, Stance
from knowledge.understanding.compiled import Compiled, Concept, Kind
from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match
from knowledge.understanding.types import SignalHit


@dataclass
class Trigger:
    """A signal found in the text."""

    signal: str
    positions: tuple[int, ...]
    anchor: int
    negated: bool = False
    ignored: bool = False  # in an echoed question or a mere mention of a risk category


def find_triggers(
    compiled: Compiled,
    tokens: Tokens,
    selected: list[Match],
    scopes: list[int],
    question_id: str = "",
) -> list[Trigger]:
    """Signals stated in the text: whole phrases, and concept combos within a sentence."""
    phrase_matches = [
        m
        for m in compiled.signal_phrases.find(tokens)
        if _applies(compiled, m.payload, question_id)
    ]
    triggers = [Trigger(m.payload, m.positions, m.start) for m in phrase_matches]
    claimed = {p for m in phrase_matches for p in m.positions}
    by_sentence: dict[tuple[str, int], list[Match]] = {}
    mention_sentences: set[int] = set()
    concept_matches = compiled.concepts.find(tokens)
    for match in concept_matches:
        concept: Concept = match.payload
        if not concept.name:
            mention_sentences.add(tokens.sentence[match.start])
        elif claimed.isdisjoint(match.positions):  # "bedreigd met ontslag" is a threat only
            by_sentence.setdefault((concept.name, tokens.sentence[match.start]), []).append(match)
    implied = {
        name
        for name, questions in compiled.context.items()
        if any(_belongs(question_id, item) for item in questions)
    }
    if by_sentence:
        for signal, combos in compiled.combos.items():
            if not _applies(compiled, signal, question_id):
                continue
            for combo in combos:
                for sentence in range(tokens.sentence_count):
                    parts = [
                        by_sentence.get((name, sentence))
                        for name in combo
                        if name not in implied or (name, sentence) in by_sentence
                    ]
                    if parts and all(parts):
                        chosen = [part[0] for part in parts if part]
                        positions = tuple(sorted({p for m in chosen for p in m.positions}))
                        triggers.append(Trigger(signal, positions, chosen[0].start))
    if not triggers:
        return triggers
    # a negator inside a recognised phrase ("niemand durft") belongs to that phrase
    bound = {p for m in concept_matches for p in m.positions} | claimed
    negators = [
        m
        for m in selected
        if (
            m.payload.kind is Kind.NEGATOR
            or (m.payload.kind is Kind.PARTICLE and m.payload.stance is Stance.NO)
        )
        and bound.isdisjoint(m.positions)
    ]
    wide = [m for m in selected if m.payload.kind is Kind.WIDE_NEGATOR]
    for trigger in triggers:
        scope = scopes[trigger.anchor]
        negated = any(scopes[m.start] == scope for m in negators)
        clause = tokens.clause[trigger.anchor]
        if any(tokens.clause[m.start] == clause and m.start < trigger.anchor for m in wide):
            negated = not negated
        sentence = tokens.sentence[trigger.anchor]
        blockers = compiled.blockers.get(trigger.signal, ())
        trigger.negated = negated
        trigger.ignored = (
            sentence in tokens.question_sentences
            or sentence in mention_sentences
            or any(by_sentence.get((name, sentence)) for name in blockers)
        )
    return triggers


def _applies(compiled: Compiled, signal: str, question_id: str) -> bool:
    allowed = compiled.signal_questions.get(signal)
    if allowed and not any(_belongs(question_id, item) for item in allowed):
        return False
    skipped = compiled.signal_skips.get(signal, ())
    return not any(_belongs(question_id, item) for item in skipped)


def _belongs(question_id: str, item: str) -> bool:
    return question_id == item or question_id.startswith(item + ".")


def signal_hits(
    question: Question | None,
    stance: Stance | None,
    tokens: Tokens,
    triggers: list[Trigger],
    evidence: tuple[int, ...],
) -> tuple[SignalHit, ...]:
    """The signals to report: the implied own signal first, then those stated."""
    hits: dict[str, SignalHit] = {}
    own = question.signal if question else None
    at_risk = question is not None and stance is not None and stance is question.risk_if
    if at_risk and own:
        words = tokens.evidence(evidence) if evidence else ""
        hits[own] = SignalHit(own, words or str(stance), True)
    own_stated = False
    for trigger in sorted(triggers, key=lambda t: t.anchor):
        if trigger.negated or trigger.ignored:
            continue
        words = tokens.evidence(trigger.positions)
        if trigger.signal == own:
            if at_risk and not own_stated:
                hits[own] = SignalHit(own, words, True)
                own_stated = True
            elif stance is Stance.PARTLY and own not in hits:
                hits[own] = SignalHit(own, words, False)
            continue
        if trigger.signal not in hits:
            hits[trigger.signal] = SignalHit(trigger.signal, words, False)
    return tuple(hits.values())
