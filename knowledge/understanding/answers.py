"""Interpret one free-text answer to one checklist question.

The text is split into sentences, clauses (punctuation, "maar"/"but") and negation scopes
(clauses, cut again at words like "die"/"who"). Matched phrases then vote:

- answer particles ("ja", "nope") count most at the start, and decide when they close a
  long answer after a conclusion marker ("... dus nee", "so no");
- stance cues ("geen idee", "op papier", "volgens mij wel") vote for their stance;
- content ("er is", "we hebben", question-specific words, the question's own signal)
  gives each clause a polarity that negators in its scope turn around; a double negation
  ("het is niet zo dat we niks hebben") turns it back;
- clauses that report another abuse are left out of the stance (they become signals);
- on-topic clauses that disagree ("X wel, Y niet") mean partly;
- negative content under a hedge ("voor zover ik weet niet") means unknown;
- sarcasm markers swap yes and no.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from knowledge.schema import Question, Stance
from knowledge.understanding.compiled import SIGNAL_WEIGHT, Compiled, Concept, Entry, Kind
from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match, select_longest
from knowledge.understanding.types import Interpretation, SignalHit

LEAD_WEIGHT = 3.0  # a particle opening the answer
SENTENCE_LEAD_WEIGHT = 2.0  # a particle opening a later sentence
CONCLUSION_WEIGHT = 6.0  # "... dus nee" / a closing "No." after a long answer
SCOPED_PARTICLE_WEIGHT = 1.5  # "De OR wel", "workers no"
HEDGE_UNKNOWN_WEIGHT = 3.0  # negative content under a hedge
CONTRAST_WEIGHT = 2.0  # on-topic clauses that disagree
BARE_NEGATION_WEIGHT = 1.0  # a negator without content ("die is hier niet")
MIN_ANSWER_SCORE = 0.9  # below this the text is not an answer
TIE_ORDER = (Stance.PARTLY, Stance.UNKNOWN, Stance.NO, Stance.YES)


@dataclass
class Trigger:
    """A signal found in the text."""

    signal: str
    positions: tuple[int, ...]
    anchor: int
    negated: bool = False
    ignored: bool = False  # in an echoed question or a mere mention of a risk category


@dataclass
class _Scope:
    clause: int
    sentence: int
    pos: float = 0.0
    neg: float = 0.0
    direct_pos: float = 0.0
    direct_neg: float = 0.0
    negators: int = 0
    wide: bool = False
    positions: list[int] = field(default_factory=list)


@dataclass
class _Vote:
    stance: Stance
    weight: float
    positions: tuple[int, ...]


def scopes_of(tokens: Tokens, scope_breaks: frozenset[str]) -> list[int]:
    """Scope index per word: a new scope at each clause and at each scope-break word."""
    scopes: list[int] = []
    current = -1
    previous_clause = -1
    for position, word in enumerate(tokens.words):
        clause = tokens.clause[position]
        if clause != previous_clause or (word in scope_breaks and scopes):
            current += 1
            previous_clause = clause
        scopes.append(current)
    return scopes


def find_triggers(
    compiled: Compiled,
    tokens: Tokens,
    selected: list[Match],
    scopes: list[int],
    question_id: str = "",
) -> list[Trigger]:
    """Signals stated in the text: whole phrases, and concept combos within a sentence."""
    triggers = [
        Trigger(m.payload.signal, m.positions, m.start)
        for m in selected
        if m.payload.kind is Kind.SIGNAL
    ]
    concept_matches = compiled.concepts.find(tokens)
    by_sentence: dict[tuple[str, int], list[Match]] = {}
    mention_clauses: set[int] = set()
    for match in concept_matches:
        concept: Concept = match.payload
        if not concept.name:
            mention_clauses.add(tokens.clause[match.start])
            continue
        by_sentence.setdefault((concept.name, tokens.sentence[match.start]), []).append(match)
    if by_sentence:
        for signal, combos in compiled.combos.items():
            for combo in combos:
                for sentence in range(tokens.sentence_count):
                    parts = [by_sentence.get((name, sentence)) for name in combo]
                    if all(parts):
                        chosen = [part[0] for part in parts if part]
                        positions = tuple(sorted({p for m in chosen for p in m.positions}))
                        triggers.append(Trigger(signal, positions, chosen[0].start))
    if compiled.signal_questions:
        triggers = [t for t in triggers if _applies(compiled, t.signal, question_id)]
    if not triggers:
        return triggers
    negators = [m for m in selected if m.payload.kind is Kind.NEGATOR]
    wide = [m for m in selected if m.payload.kind is Kind.WIDE_NEGATOR]
    for trigger in triggers:
        own = set(trigger.positions)
        scope = scopes[trigger.anchor]
        negated = any(scopes[m.start] == scope and own.isdisjoint(m.positions) for m in negators)
        clause = tokens.clause[trigger.anchor]
        if any(tokens.clause[m.start] == clause and m.start < trigger.anchor for m in wide):
            negated = not negated
        trigger.negated = negated
        trigger.ignored = (
            tokens.sentence[trigger.anchor] in tokens.question_sentences
            or clause in mention_clauses
        )
    return triggers


def _applies(compiled: Compiled, signal: str, question_id: str) -> bool:
    allowed = compiled.signal_questions.get(signal)
    if not allowed:
        return True
    return any(question_id == item or question_id.startswith(item + ".") for item in allowed)


class AnswerReader:
    """Turns (question, text) into an ``Interpretation`` using the compiled lexicon."""

    def __init__(self, compiled: Compiled, questions: Mapping[str, Question]) -> None:
        self.compiled = compiled
        self.questions = questions

    def interpret(self, question_id: str, text: str) -> Interpretation:
        question = self.questions.get(question_id)
        tokens = self.compiled.normaliser.tokens(text or "")
        if not tokens.words:
            return Interpretation(question_id, None, (), 0.0)
        found = self.compiled.answers.find(tokens)
        question_index = self.compiled.questions.get(question_id)
        if question_index:
            found.extend(question_index.find(tokens))
        selected = select_longest(found, rank=lambda entry: entry.kind)
        scopes = scopes_of(tokens, self.compiled.scope_breaks)
        triggers = find_triggers(self.compiled, tokens, selected, scopes, question_id)
        stance, confidence, evidence = self._stance(question, tokens, selected, scopes, triggers)
        hits = self._signals(question, stance, tokens, triggers, evidence)
        return Interpretation(question_id, stance, hits, confidence)

    def _stance(
        self,
        question: Question | None,
        tokens: Tokens,
        selected: list[Match],
        scopes: list[int],
        triggers: list[Trigger],
    ) -> tuple[Stance | None, float, tuple[int, ...]]:
        echo = tokens.question_sentences
        scope_info: dict[int, _Scope] = {}
        for position, scope in enumerate(scopes):
            if scope not in scope_info:
                scope_info[scope] = _Scope(tokens.clause[position], tokens.sentence[position])
        votes: list[_Vote] = []
        own_signal = question.signal if question else None
        risk = question.risk_if if question else None
        trigger_positions = {p for t in triggers for p in t.positions}
        excluded_clauses: set[int] = set()
        question_clauses = {
            tokens.clause[m.start] for m in selected if m.payload.kind is Kind.QUESTION
        }
        for trigger in triggers:
            if trigger.ignored:
                continue
            info = scope_info[scopes[trigger.anchor]]
            if trigger.signal == own_signal and risk in (Stance.YES, Stance.NO):
                # the trigger's own negation is part of it; outer negators flip it below
                if risk is Stance.YES:
                    info.pos += SIGNAL_WEIGHT
                else:
                    info.neg += SIGNAL_WEIGHT
                info.positions.extend(trigger.positions)
            elif info.clause not in question_clauses:
                excluded_clauses.add(info.clause)
            hint = self.compiled.hints.get(trigger.signal)
            if (
                hint
                and not trigger.negated
                and (not hint.questions or (question and question.id in hint.questions))
            ):
                votes.append(_Vote(hint.stance, hint.weight, trigger.positions))

        lead_done = False
        sarcasm = False
        hedged_sentences: set[int] = set()
        third_person_clauses: dict[int, int] = {}
        conclusion_at: int | None = None
        filler_positions = {
            p for m in selected if m.payload.kind is Kind.FILLER for p in m.positions
        }
        for index, match in enumerate(selected):
            entry: Entry = match.payload
            kind = entry.kind
            info = scope_info[scopes[match.start]]
            if kind is Kind.THIRD_PERSON:
                third_person_clauses.setdefault(info.clause, match.start)
            elif kind is Kind.HEDGE:
                hedged_sentences.add(info.sentence)
            elif kind is Kind.SARCASM:
                sarcasm = True
            elif kind is Kind.CONCLUSION:
                conclusion_at = index
            elif kind is Kind.WIDE_NEGATOR:
                for scope, other in scope_info.items():
                    if other.clause == info.clause and scope >= scopes[match.start]:
                        other.wide = not other.wide
            elif kind is Kind.NEGATOR:
                if trigger_positions.isdisjoint(match.positions):
                    info.negators += 1
                    info.positions.extend(match.positions)
            elif kind is Kind.CUE:
                speaker_clash = (
                    entry.speaker_only
                    and third_person_clauses.get(info.clause, match.start) < match.start
                )
                if not speaker_clash:
                    stance = entry.stance
                    weight = entry.weight
                    if conclusion_at is not None and _follows(selected, conclusion_at, index):
                        weight += CONCLUSION_WEIGHT
                    votes.append(_Vote(stance, weight, match.positions))
            elif kind is Kind.PARTICLE:
                assert entry.stance is not None
                opening = _opens_sentence(tokens, match, filler_positions)
                if conclusion_at is not None and _follows(selected, conclusion_at, index):
                    votes.append(_Vote(entry.stance, CONCLUSION_WEIGHT, match.positions))
                elif opening and not lead_done:
                    weight = LEAD_WEIGHT
                    if _closes_text(tokens, match, filler_positions) and info.sentence > 0:
                        weight = CONCLUSION_WEIGHT
                    votes.append(_Vote(entry.stance, weight, match.positions))
                    lead_done = True
                elif opening:
                    weight = SENTENCE_LEAD_WEIGHT
                    if _closes_text(tokens, match, filler_positions):
                        weight = CONCLUSION_WEIGHT
                    votes.append(_Vote(entry.stance, weight, match.positions))
                elif entry.stance is Stance.YES:
                    info.direct_pos += SCOPED_PARTICLE_WEIGHT
                    info.positions.extend(match.positions)
                elif _followed_in_clause(tokens, match):
                    info.negators += 1  # "no union", "nooit gezien": a negator, not an answer
                    info.positions.extend(match.positions)
                else:
                    info.direct_neg += SCOPED_PARTICLE_WEIGHT
                    info.positions.extend(match.positions)
            elif kind in (Kind.CONTENT, Kind.QUESTION, Kind.DOUBLE_NEGATIVE):
                stance = entry.stance
                if entry.healthy is not None:
                    bad = risk if risk in (Stance.YES, Stance.NO) else Stance.NO
                    good = Stance.NO if bad is Stance.YES else Stance.YES
                    stance = good if entry.healthy else bad
                if stance is Stance.YES:
                    info.pos += entry.weight
                else:
                    info.neg += entry.weight
                info.positions.extend(match.positions)

        lead = votes[0].stance if votes and lead_done else None
        clause_net: dict[int, float] = {}
        clause_positions: dict[int, list[int]] = {}
        for info in scope_info.values():
            if info.sentence in echo or info.clause in excluded_clauses:
                continue
            pos, neg = info.pos, info.neg
            if info.negators:
                pos, neg = neg, pos
                if pos == neg == 0:
                    neg = BARE_NEGATION_WEIGHT
            if info.wide:
                pos, neg = neg, pos
            pos += info.direct_pos
            neg += info.direct_neg
            if pos == neg == 0:
                continue
            if info.sentence in hedged_sentences and neg > pos:
                votes.append(_Vote(Stance.UNKNOWN, HEDGE_UNKNOWN_WEIGHT, tuple(info.positions)))
                continue
            clause_net[info.clause] = clause_net.get(info.clause, 0.0) + pos - neg
            clause_positions.setdefault(info.clause, []).extend(info.positions)
        positive = [(c, net) for c, net in clause_net.items() if net > 0]
        negative = [(c, -net) for c, net in clause_net.items() if net < 0]
        total_pos = sum(net for _, net in positive)
        total_neg = sum(net for _, net in negative)
        if positive and negative and lead is not Stance.NO:
            shared = min(total_pos, total_neg)
            contrast = tuple(p for c, _ in positive + negative for p in clause_positions[c])
            votes.append(_Vote(Stance.PARTLY, CONTRAST_WEIGHT + shared, contrast))
            if total_pos > shared:
                votes.append(_Vote(Stance.YES, total_pos - shared, contrast))
            if total_neg > shared:
                votes.append(_Vote(Stance.NO, total_neg - shared, contrast))
        else:
            for clause, net in positive:
                votes.append(_Vote(Stance.YES, net, tuple(clause_positions[clause])))
            for clause, net in negative:
                votes.append(_Vote(Stance.NO, net, tuple(clause_positions[clause])))

        scores = dict.fromkeys(Stance, 0.0)
        for vote in votes:
            stance = vote.stance
            if sarcasm and stance in (Stance.YES, Stance.NO):
                stance = Stance.NO if stance is Stance.YES else Stance.YES
            scores[stance] += vote.weight
        ranked = sorted(TIE_ORDER, key=lambda s: -scores[s])
        best = ranked[0]
        top, second = scores[best], scores[ranked[1]]
        if top < MIN_ANSWER_SCORE:
            return None, 0.0, ()
        confidence = (1 - 0.5 * math.exp(-top / 2)) * (top - second) / top
        if best is Stance.UNKNOWN or hedged_sentences:
            confidence = min(confidence, 0.9)
        strongest = max(
            (v for v in votes if _swap(v.stance, sarcasm) is best), key=lambda v: v.weight
        )
        return best, round(max(0.05, min(confidence, 0.99)), 3), strongest.positions

    def _signals(
        self,
        question: Question | None,
        stance: Stance | None,
        tokens: Tokens,
        triggers: list[Trigger],
        evidence: tuple[int, ...],
    ) -> tuple[SignalHit, ...]:
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


def _swap(stance: Stance, sarcasm: bool) -> Stance:
    if sarcasm and stance in (Stance.YES, Stance.NO):
        return Stance.NO if stance is Stance.YES else Stance.YES
    return stance


def _follows(selected: list[Match], marker: int, index: int) -> bool:
    """True when match ``index`` comes right after the conclusion marker (same clause)."""
    if index <= marker:
        return False
    first, later = selected[marker], selected[index]
    return later.start - first.end <= 2 and later.start >= first.end


def _followed_in_clause(tokens: Tokens, match: Match) -> bool:
    return match.end < len(tokens.words) and tokens.clause[match.end] == tokens.clause[match.start]


def _opens_sentence(tokens: Tokens, match: Match, fillers: set[int]) -> bool:
    sentence = tokens.sentence[match.start]
    position = match.start - 1
    while position >= 0 and tokens.sentence[position] == sentence:
        if position not in fillers:
            return False
        position -= 1
    return True


def _closes_text(tokens: Tokens, match: Match, fillers: set[int]) -> bool:
    """True when only fillers follow the particle up to the end of the text."""
    return all(p in fillers for p in range(match.end, len(tokens.words)))
