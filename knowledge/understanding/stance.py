"""Decide the stance of an answer from the phrases found in it.

The text is split into sentences, clauses (punctuation, "maar"/"but") and negation scopes
(clauses, cut again at words like "en"/"who"). Matched phrases then vote:

- answer particles ("ja", "nope") count most at the start, and decide when they close a
  long answer after a conclusion marker ("... dus nee", "so no");
- stance cues ("geen idee", "op papier", "volgens mij wel") vote for their stance;
  "only"-cues ("meer niet", "alleen") mean partly, or no when what remains is a token
  gesture ("alleen een poster");
- content ("er is", "we hebben", question-specific words, the question's own signal)
  gives each clause a polarity that negators in its scope turn around; a double negation
  ("het is niet zo dat we niks hebben") turns it back; a word in quotes ("a 'committee'")
  is a so-called one;
- clauses that report another abuse are left out of the stance (they become signals);
- on-topic clauses that disagree ("X wel, Y niet") mean partly, and so does a rule set
  against practice ("not ratified, but in practice unions work");
- how things are now outweighs how they were ("vroeger wel, nu niet meer" = no);
- negative content under a hedge ("voor zover ik weet niet") means unknown, unless a
  closing "nee"/"no" commits to it;
- a guess taken back ("ik denk het wel, maar ik weet het niet zeker") means unknown;
- sarcasm markers swap yes and no.
"""

from __future__ import annotations

import math

from knowledge.schema import Question, Stance
from knowledge.understanding.clause_rules import CONTRAST_WEIGHT, SUBSET_BONUS, ClauseRules
from knowledge.understanding.compiled import SIGNAL_WEIGHT, Compiled, Entry, Kind
from knowledge.understanding.normalise import Tokens
from knowledge.understanding.phrases import Match
from knowledge.understanding.signals import Trigger
from knowledge.understanding.structure import closes_text, follows, opens_sentence
from knowledge.understanding.votes import Decision, Scope, Vote

LEAD_WEIGHT = 3.0  # a particle opening the answer
SENTENCE_LEAD_WEIGHT = 2.0  # a particle opening a later sentence
CONCLUSION_WEIGHT = 6.0  # "... dus nee" / a closing "No." after a long answer
SCOPED_PARTICLE_WEIGHT = 1.5  # "de staf wel", "workers yes"
OPENING_CUE_BONUS = 1.5  # a stance cue that opens the answer ("Deels, ...")
HEDGE_UNKNOWN_WEIGHT = 3.0  # negative content under a hedge
BARE_NEGATION_WEIGHT = 1.0  # a negator without content ("die is hier niet")
ELLIPSIS_WORDS = 4  # "maar stakingen niet" repeats the verb of the clause before
TOPIC_REACH = 3  # "klachten over de giftige dampen": the marker stands just before the abuse
MIN_ANSWER_SCORE = 0.9  # below this the text is not an answer
STATEMENT_CONFIDENCE = 0.5
HEDGED_CONFIDENCE = 0.75  # "volgens mij wel": probably right, worth a confirmation
UNKNOWN_CONFIDENCE = 0.9
TIE_ORDER = (Stance.PARTLY, Stance.UNKNOWN, Stance.NO, Stance.YES)
_CONTENT = (Kind.CONTENT, Kind.QUESTION, Kind.DOUBLE_NEGATIVE)
_CONTENT_REASONS = ("content", "contrast")


class _Ballot(ClauseRules):
    """Collects the votes of one answer."""

    def __init__(
        self,
        compiled: Compiled,
        question: Question | None,
        tokens: Tokens,
        selected: list[Match],
        scopes: list[int],
        triggers: list[Trigger],
    ) -> None:
        self.compiled = compiled
        self.question = question
        self.risk = question.risk_if if question else None
        self.tokens = tokens
        self.selected = selected
        self.scopes = scopes
        self.triggers = [t for t in triggers if not t.ignored]
        self.bound = {p for t in triggers for p in t.positions}  # words of signal phrases
        self.info: dict[int, Scope] = {}
        for position, scope in enumerate(scopes):
            if scope not in self.info:
                self.info[scope] = Scope(tokens.clause[position], tokens.sentence[position])
        self.votes: list[Vote] = []
        self.excluded: set[int] = set()  # clauses that report another signal
        self.report_scopes: set[int] = set()  # the scopes within them that hold the report
        self.lead: Stance | None = None
        self.sarcasm = False
        self.said_sarcasm = False
        self.hedged: set[int] = set()
        self.hedged_guesses: list[int] = []  # clauses of "ik denk het wel"-like cues
        self.hedged_clauses: set[int] = set()  # clauses softened by any hedge
        self.doubts: list[int] = []  # clauses of "ik weet het niet zeker"-like cues
        self.practice: list[int] = []  # clauses that open with "but in practice"
        self.minimisers: list[tuple[int, Vote]] = []  # (sentence, vote)
        self.absence_sentences: set[int] = set()
        self.abuse_stated = False  # the question asks about an abuse and the text states it
        self.statement = False  # decided by the plain-statement rule only
        self.abuse_sentences: set[int] = set()
        self.abuse_clauses: set[int] = set()
        self.subset_clauses = self._subset_clauses()

    def _subset_clauses(self) -> set[int]:
        """Clauses that speak about part of the whole: a site, a group, "in Turkije"."""
        tokens = self.tokens
        clauses = {tokens.clause[m.start] for m in self.compiled.subsets.find(tokens)}
        prepositions = self.compiled.place_prepositions
        for position, word in enumerate(tokens.words[:-1]):
            if word in prepositions and tokens.clause[position + 1] == tokens.clause[position]:
                start, _ = tokens.spans[position + 1]
                if tokens.text[start : start + 1].isupper():
                    clauses.add(tokens.clause[position])
        return clauses

    def _elliptic(self, info: Scope) -> bool:
        """A short contrast clause that leaves out its verb: "maar stakingen niet"."""
        words = [p for p, scope in enumerate(self.scopes) if self.info[scope] is info]
        first = self.tokens.words[words[0]] if words else ""
        return len(words) <= ELLIPSIS_WORDS and first in self.compiled.normaliser.clause_breaks

    def _topic_only(self, trigger: Trigger) -> bool:
        """'Klachten over de giftige dampen worden genegeerd': the abuse is what the
        clause talks about, the clause still answers the question."""
        start = min(trigger.positions)
        clause = self.tokens.clause[start]
        before = range(max(0, start - TOPIC_REACH), start)
        return any(
            self.tokens.clause[p] == clause and self.tokens.words[p] in self.compiled.topic_markers
            for p in before
        )

    def scope_at(self, position: int) -> Scope:
        return self.info[self.scopes[position]]

    def count_triggers(self) -> None:
        own = self.question.signal if self.question else None
        question_clauses = {
            self.tokens.clause[m.start] for m in self.selected if m.payload.kind is Kind.QUESTION
        }
        own_clauses = {
            self.tokens.clause[t.anchor] for t in self.triggers if t.signal == own
        } | question_clauses
        for trigger in self.triggers:
            info = self.scope_at(trigger.anchor)
            if trigger.signal == own and self.risk in (Stance.YES, Stance.NO):
                # the trigger's own negation is part of it; outer negators flip it later
                if self.risk is Stance.YES:
                    info.pos += SIGNAL_WEIGHT
                else:
                    info.neg += SIGNAL_WEIGHT
                    if not trigger.negated:
                        self.absence_sentences.add(info.sentence)
                info.positions.extend(trigger.positions)
                if self.risk is Stance.YES and not trigger.negated:
                    self.abuse_stated = True
                    self.abuse_sentences.add(info.sentence)
                    self.abuse_clauses.add(info.clause)
            elif info.clause not in own_clauses and not self._topic_only(trigger):
                self.excluded.add(info.clause)
                self.report_scopes.update(self.scopes[p] for p in trigger.positions)
            hint = self.compiled.hints.get(trigger.signal)
            applies = hint is not None and (
                not hint.questions or (self.question and self.question.id in hint.questions)
            )
            if hint and applies and not trigger.negated:
                self.votes.append(Vote(hint.stance, hint.weight, trigger.positions, "signal hint"))

    def count_phrases(self) -> None:
        selected = self.selected
        third_person: dict[int, int] = {}
        conclusion_at: int | None = None
        fillers = {p for m in selected if m.payload.kind is Kind.FILLER for p in m.positions}
        for index, match in enumerate(selected):
            entry: Entry = match.payload
            kind = entry.kind
            info = self.scope_at(match.start)
            inside_signal = set(match.positions) <= self.bound
            if kind is Kind.THIRD_PERSON:
                third_person.setdefault(info.clause, match.start)
            elif kind is Kind.HEDGE:
                self.hedged.add(info.sentence)
                self.hedged_clauses.add(info.clause)
            elif kind is Kind.SARCASM:
                self.sarcasm = True
                # a wink emoji becomes one word; "yeah right" or "en ik ben de paus" are said
                self.said_sarcasm = self.said_sarcasm or len(match.positions) > 1
            elif kind is Kind.CONCLUSION:
                conclusion_at = index
            elif kind is Kind.WIDE_NEGATOR:
                for scope, other in self.info.items():
                    if other.clause == info.clause and scope >= self.scopes[match.start]:
                        other.wide = not other.wide
            elif kind is Kind.NEGATOR:
                if self.bound.isdisjoint(match.positions):
                    info.negators += 1
                    info.absolute = info.absolute or entry.absolute
                    info.positions.extend(match.positions)
            elif kind is Kind.CUE:
                if info.clause in self.excluded:
                    continue  # "ja, maar er werken kinderen van misschien 12": not a hedge
                if entry.speaker_only and third_person.get(info.clause, match.start) < match.start:
                    continue
                weight = entry.weight
                if conclusion_at is not None and follows(selected, conclusion_at, index):
                    weight += CONCLUSION_WEIGHT
                elif info.sentence == 0 and opens_sentence(self.tokens, match, fillers):
                    weight += OPENING_CUE_BONUS
                assert entry.stance is not None
                vote = Vote(entry.stance, weight, match.positions, "cue")
                if entry.hedged:
                    self.hedged.add(info.sentence)
                    self.hedged_clauses.add(info.clause)
                    if entry.stance in (Stance.YES, Stance.NO):
                        self.hedged_guesses.append(info.clause)
                if entry.stance is Stance.UNKNOWN:
                    self.doubts.append(info.clause)
                if entry.practice and self._after_contrast_word(match.start):
                    self.practice.append(info.clause)
                if entry.minimiser:
                    self.minimisers.append((info.sentence, vote))
                else:
                    self.votes.append(vote)
            elif kind is Kind.PARTICLE:
                self._particle(match, entry, info, index, conclusion_at, fillers)
            elif kind in _CONTENT and not inside_signal:
                self._content(match, entry, info)

    def _particle(
        self,
        match: Match,
        entry: Entry,
        info: Scope,
        index: int,
        conclusion_at: int | None,
        fillers: set[int],
    ) -> None:
        assert entry.stance is not None
        tokens = self.tokens
        opening = opens_sentence(tokens, match, fillers)
        if conclusion_at is not None and follows(self.selected, conclusion_at, index):
            self.votes.append(Vote(entry.stance, CONCLUSION_WEIGHT, match.positions, "conclusion"))
        elif opening:
            weight = LEAD_WEIGHT if self.lead is None else SENTENCE_LEAD_WEIGHT
            if closes_text(tokens, match, fillers) and info.sentence > 0:
                weight = CONCLUSION_WEIGHT
            if self.lead is None:
                self.lead = entry.stance
            self.votes.append(Vote(entry.stance, weight, match.positions, "particle"))
        elif info.sentence in self.hedged and closes_text(tokens, match, fillers):
            # "I don't think they did anything like that, no": the closing word commits
            self.votes.append(Vote(entry.stance, CONCLUSION_WEIGHT, match.positions, "conclusion"))
        elif entry.stance is Stance.YES:
            info.direct_pos += SCOPED_PARTICLE_WEIGHT  # "De OR wel", "management yes"
            info.positions.extend(match.positions)
        else:
            info.negators += 1  # "no union", "die is er echt niet": negates its clause
            info.positions.extend(match.positions)

    def _content(self, match: Match, entry: Entry, info: Scope) -> None:
        stance = entry.stance
        if entry.healthy is not None:
            bad = self.risk if self.risk in (Stance.YES, Stance.NO) else Stance.NO
            good = Stance.NO if bad is Stance.YES else Stance.YES
            stance = good if entry.healthy else bad
        if stance is Stance.YES and all(p in self.tokens.quoted for p in match.positions):
            stance = Stance.NO  # a so-called thing: they have 'targets'
        if stance is Stance.YES:
            info.pos += entry.weight
        else:
            info.neg += entry.weight
            if entry.kind in (Kind.CONTENT, Kind.QUESTION) and not info.negators:
                self.absence_sentences.add(info.sentence)
        if entry.kind is Kind.QUESTION:
            info.specific = True
        info.positions.extend(match.positions)

    def count_clauses(self) -> None:
        echo = self.tokens.question_sentences
        clause_net: dict[int, float] = {}
        clause_positions: dict[int, list[int]] = {}
        previous: tuple[int, int, float] | None = None  # (clause, sentence, net) with content
        specific: set[int] = set()  # clauses that deny a question's own word outright
        hedged_negative: list[tuple[Scope, float]] = []
        genuine = {self.tokens.clause[m.start] for m in self.compiled.genuine.find(self.tokens)}
        for scope, info in self.info.items():
            if info.sentence in echo:
                continue
            if info.clause in self.excluded and scope in self.report_scopes:
                continue  # "beleid is er niet EN ze houden loon in": the policy part counts
            pos, neg = info.pos, info.neg
            bare = bool(info.negators) and pos == neg == info.direct_pos == 0 and not info.wide
            if info.negators:
                pos, neg = neg, pos
                if pos == neg == 0:
                    neg = BARE_NEGATION_WEIGHT
            if info.wide:
                pos, neg = neg, pos
            pos += info.direct_pos
            if pos == neg == 0:
                continue
            if (
                bare
                and previous is not None
                and previous[0] != info.clause
                and previous[1] == info.sentence
                and previous[2] < 0
                and self._elliptic(info)
            ):
                # "vakbonden zijn toegestaan, stakingen niet": the "niet" repeats and
                # negates the previous clause's predicate
                pos, neg = neg, pos
            elif not bare:
                previous = (info.clause, info.sentence, pos - neg)
            if info.sentence in self.hedged and neg > pos:
                hedged_negative.append((info, neg - pos))
                continue
            clause_net[info.clause] = clause_net.get(info.clause, 0.0) + pos - neg
            if (info.specific and info.absolute) or (info.clause in genuine and neg > pos):
                specific.add(info.clause)  # "niks meetbaars", "een echt beleid niet"
            clause_positions.setdefault(info.clause, []).extend(info.positions)
        self._current_state_wins(clause_net)
        self._practice_contrast(clause_net)
        affirmed = any(net > 0 for net in clause_net.values())
        for info, net in hedged_negative:
            if affirmed and info.clause in self.subset_clauses:
                # "at the main plant yes, at the others not as far as I know": a part
                clause_net[info.clause] = clause_net.get(info.clause, 0.0) - net
                clause_positions.setdefault(info.clause, []).extend(info.positions)
            else:
                self.votes.append(
                    Vote(Stance.UNKNOWN, HEDGE_UNKNOWN_WEIGHT, tuple(info.positions), "hedge")
                )
        positive = [(c, net) for c, net in clause_net.items() if net > 0]
        negative = [(c, -net) for c, net in clause_net.items() if net < 0]
        if positive and self.subset_clauses:
            self._unknown_part_is_partly({c for c, _ in positive})
        total_pos = sum(net for _, net in positive)
        total_neg = sum(net for _, net in negative)
        contrasting = {c for c, _ in positive + negative}
        partial = bool(contrasting & self.subset_clauses)
        if positive and negative and self.abuse_stated and not partial:
            # "not fired, but transferred": the abuse happened, whatever else did not
            negative = []
            total_neg = 0.0
        if (
            positive
            and negative
            and not partial
            and not specific.isdisjoint(c for c, _ in negative)
            and not any(v.stance is Stance.PARTLY for v in self.votes)  # "nog niks getekend"
        ):
            # "goals, but nothing measurable": something lesser exists, what was asked not
            contrast = tuple(p for c, _ in positive + negative for p in clause_positions[c])
            self.votes.append(Vote(Stance.NO, CONTRAST_WEIGHT + total_neg, contrast, "content"))
            return
        if positive and negative and self.lead is not Stance.NO:
            shared = min(total_pos, total_neg)
            contrast = tuple(p for c, _ in positive + negative for p in clause_positions[c])
            weight = CONTRAST_WEIGHT + shared + (SUBSET_BONUS if partial else 0.0)
            self.votes.append(Vote(Stance.PARTLY, weight, contrast, "contrast"))
            if total_pos > shared:
                self.votes.append(Vote(Stance.YES, total_pos - shared, contrast, "content"))
            if total_neg > shared:
                self.votes.append(Vote(Stance.NO, total_neg - shared, contrast, "content"))
            return
        for clause, net in positive:
            self.votes.append(Vote(Stance.YES, net, tuple(clause_positions[clause]), "content"))
        for clause, net in negative:
            self.votes.append(Vote(Stance.NO, net, tuple(clause_positions[clause]), "content"))

    def decide(self) -> Decision:
        votes = self.votes
        if self.sarcasm and any(v.reason in _CONTENT_REASONS for v in votes):
            # the ironic statement is the content ("totally independent 🙃"); the polite
            # "sure"/"nooo" around it and "only" are part of the irony
            votes = [
                Vote(_swap(v.stance), v.weight, v.positions, v.reason)
                for v in votes
                if v.reason in _CONTENT_REASONS or v.stance in (Stance.UNKNOWN, Stance.PARTLY)
            ]
        elif self.said_sarcasm:
            # no content, only the mock agreement itself: "ja hoor, en ik ben de paus";
            # a wink after a bare "yes 😉" is friendly, not ironic
            votes = [Vote(_swap(v.stance), v.weight, v.positions, v.reason) for v in votes]
        scores = dict.fromkeys(Stance, 0.0)
        for vote in votes:
            scores[vote.stance] += vote.weight
        ranked = sorted(TIE_ORDER, key=lambda s: -scores[s])
        best = ranked[0]
        top, second = scores[best], scores[ranked[1]]
        if top < MIN_ANSWER_SCORE and not self.statement:
            return Decision(None, 0.0, (), votes)
        confidence = (1 - 0.5 * math.exp(-top / 2)) * (top - second) / top
        if best is Stance.UNKNOWN:
            confidence = min(confidence, UNKNOWN_CONFIDENCE)
        elif self.hedged:
            confidence = min(confidence, HEDGED_CONFIDENCE)
        if self.statement:
            confidence = STATEMENT_CONFIDENCE
        strongest = max((v for v in votes if v.stance is best), key=lambda v: v.weight)
        confidence = round(max(0.05, min(confidence, 0.99)), 3)
        hedged = best is not Stance.UNKNOWN and self._hedged_vote(strongest)
        return Decision(best, confidence, strongest.positions, votes, hedged)

    def _hedged_vote(self, vote: Vote) -> bool:
        """Whether the deciding words stand in a clause softened by a hedge."""
        return (
            bool(vote.positions) and self.scope_at(vote.positions[0]).clause in self.hedged_clauses
        )


def decide_stance(
    compiled: Compiled,
    question: Question | None,
    tokens: Tokens,
    selected: list[Match],
    scopes: list[int],
    triggers: list[Trigger],
) -> Decision:
    """Weigh every phrase found in the answer and decide its stance."""
    ballot = _Ballot(compiled, question, tokens, selected, scopes, triggers)
    ballot.count_triggers()
    ballot.count_phrases()
    ballot.count_clauses()
    ballot.count_minimisers()
    ballot.count_retraction()
    ballot.count_statement()
    return ballot.decide()


def _swap(stance: Stance) -> Stance:
    if stance is Stance.YES:
        return Stance.NO
    if stance is Stance.NO:
        return Stance.YES
    return stance
