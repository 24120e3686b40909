"""Signals stated in an answer: trigger phrases and concept combos, with negation.

A trigger is a whole phrase ("kinderarbeid", "zwarte lijst") or a combination of concepts
in one sentence ("ontslagen" + "bondsleden"). It does not count when the clause negates
it ("geen kinderarbeid"), when the sentence only names a risk category ("salient issues:
forced labour, ..."), when its clause names it as forbidden ("the code bans forced
labour"), when it sits in an echoed question ("Kinderarbeid? ..."), or when a
blocking concept is in the same sentence (a restriction for temp workers only is not a
restriction for everyone).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.schema import Question, Stance
from knowledge.understanding.compiled import Compiled, Concept, Kind
from knowledge.understanding.lexicon import SignalRule
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


NEGATION_REACH = 3  # a negator further after it negates something else ("na het ongeluk ... niks")
LOCAL_REACH = 2  # "zonder contract voor een hongerloon": "zonder" negates "contract" only


def find_triggers(
    compiled: Compiled,
    tokens: Tokens,
    found: list[Match],
    scopes: list[int],
    question_id: str = "",
) -> list[Trigger]:
    """Signals stated in the text: whole phrases, and concept combos within a sentence.

    ``found`` holds every answer phrase match (before overlaps were resolved), so a
    negation inside a longer phrase ("geen idee of er kinderen werken") still counts.
    """
    rules = compiled.rules
    phrase_matches = [
        m for m in compiled.signal_phrases.find(tokens) if _applies(rules[m.payload], question_id)
    ]
    triggers = [Trigger(rules[m.payload].signal, m.positions, m.start) for m in phrase_matches]
    claimed = {p for m in phrase_matches for p in m.positions}
    by_sentence: dict[tuple[str, int], list[Match]] = {}
    present: set[tuple[str, int]] = set()  # every concept seen, also inside a phrase
    mentions: list[Match] = []
    concept_matches = compiled.concepts.find(tokens)
    for match in concept_matches:
        concept: Concept = match.payload
        if not concept.name:
            mentions.append(match)
            continue
        present.add((concept.name, tokens.sentence[match.start]))
        if claimed.isdisjoint(match.positions):  # "bedreigd met ontslag" is a threat only
            by_sentence.setdefault((concept.name, tokens.sentence[match.start]), []).append(match)
    implied = {
        name
        for name, questions in compiled.context.items()
        if any(_belongs(question_id, item) for item in questions)
    }
    blockers: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        if rule.unless:
            blockers[rule.signal] = (*blockers.get(rule.signal, ()), *rule.unless)
        if not rule.combos or not by_sentence or not _applies(rule, question_id):
            continue
        for combo in rule.combos:
            for sentence in range(tokens.sentence_count):
                parts = [
                    by_sentence.get((name, sentence))
                    for name in combo
                    if name not in implied or (name, sentence) in by_sentence
                ]
                if not parts or not all(parts):
                    continue
                others = [part[0] for part in parts[1:] if part]
                for anchor in parts[0] or ():  # each occurrence: one may be negated
                    chosen = [anchor, *others]
                    positions = tuple(sorted({p for m in chosen for p in m.positions}))
                    triggers.append(Trigger(rule.signal, positions, anchor.start))
    if not triggers:
        return triggers
    # a mention word inside a finding ("zwarte lijst", "bonden zijn verboden") is part of
    # that finding; other concepts do not hide it ("er staat in": "staat" is no state here)
    named = {p for t in triggers for p in t.positions}
    unnamed = [m for m in mentions if named.isdisjoint(m.positions)]
    mention_sentences = {tokens.sentence[m.start] for m in unnamed if not m.payload.clause_only}
    prohibited_clauses = {tokens.clause[m.start] for m in unnamed if m.payload.clause_only}
    # a negator inside a recognised phrase ("niemand durft") belongs to that phrase
    bound = {p for m in concept_matches for p in m.positions} | claimed
    negators = [
        m
        for m in found
        if (
            m.payload.kind is Kind.NEGATOR
            or (m.payload.kind is Kind.PARTICLE and m.payload.stance is Stance.NO)
        )
        and bound.isdisjoint(m.positions)
    ]
    wide = [m for m in found if m.payload.kind is Kind.WIDE_NEGATOR]
    for trigger in triggers:
        scope = scopes[trigger.anchor]
        negated = any(
            scopes[m.start] == scope
            and (_negates(m, trigger.positions) or _negates_anchor(m, trigger))
            and not _received(compiled, tokens, trigger.positions, m)
            for m in negators
        )
        clause = tokens.clause[trigger.anchor]
        if any(tokens.clause[m.start] == clause and m.start < trigger.anchor for m in wide):
            negated = not negated
        sentence = tokens.sentence[trigger.anchor]
        trigger.negated = negated
        trigger.ignored = (
            sentence in tokens.question_sentences
            or sentence in mention_sentences
            or clause in prohibited_clauses
            or any((name, sentence) in present for name in blockers.get(trigger.signal, ()))
        )
    return triggers


def _negates_anchor(negator: Match, trigger: Trigger) -> bool:
    """Inside a combo a negator right before one of its words negates it: "de paspoorten
    worden niet ingenomen"."""
    first = min(trigger.positions)
    return first < negator.start and any(
        0 <= p - negator.end < LOCAL_REACH for p in trigger.positions
    )


def _negates(negator: Match, positions: tuple[int, ...]) -> bool:
    """A negator reaches forward over its scope ("er is nooit iemand ... ontslagen") but
    only a few words back ("kinderen werken er niet"); "zonder" reaches just its object."""
    first, last = min(positions), max(positions)
    if negator.end <= first:
        return not negator.payload.local or first - negator.end < LOCAL_REACH
    if negator.start > last:  # "zonder"/"without" never reaches back ("shifts without a break")
        return not negator.payload.local and negator.start - last <= NEGATION_REACH
    return False


def _received(
    compiled: Compiled, tokens: Tokens, positions: tuple[int, ...], negator: Match
) -> bool:
    """'De gewonden kregen niks': a negator after a verb of receiving denies what was
    received (compensation), not the finding before the verb (the injuries)."""
    between = tokens.words[max(positions) + 1 : negator.start]
    return any(word in compiled.receiving_verbs for word in between)


def _applies(rule: SignalRule, question_id: str) -> bool:
    if rule.questions and not any(_belongs(question_id, item) for item in rule.questions):
        return False
    return not any(_belongs(question_id, item) for item in rule.skip_questions)


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
