"""Rules that weigh whole clauses and sentences of an answer against each other.

They run after the phrases have voted (see stance.py): rule against practice, how
things are now against how they were, a named part left unknown, "only" as a token
gesture, a guess taken back, and a plain statement without stance words.
"""

from __future__ import annotations

from knowledge.schema import Question, Stance
from knowledge.understanding.compiled import Compiled, Tense
from knowledge.understanding.normalise import Tokens
from knowledge.understanding.votes import Scope, Vote

CONTRAST_WEIGHT = 2.0  # on-topic clauses that disagree
SUBSET_BONUS = 1.5  # ... about named parts: "in de hoofdfabriek wel, in de nieuwe niet"
RETRACTION_MARGIN = 1.0  # doubt after a guess outweighs the guess and what it leaned on
STATEMENT_WEIGHT = 1.0  # a plain statement on the topic, without negation, affirms it
STATEMENT_DOMAIN_WORDS = 2  # ... when it uses at least this many words of the domain


class ClauseRules:
    """Clause-level rules of a ballot (mixed into stance._Ballot, which sets the state)."""

    compiled: Compiled
    question: Question | None
    tokens: Tokens
    info: dict[int, Scope]
    votes: list[Vote]
    excluded: set[int]
    lead: Stance | None
    sarcasm: bool
    hedged_guesses: list[int]
    doubts: list[int]
    practice: list[int]
    minimisers: list[tuple[int, Vote]]
    absence_sentences: set[int]
    abuse_stated: bool
    statement: bool
    abuse_sentences: set[int]
    abuse_clauses: set[int]
    subset_clauses: set[int]

    def _after_contrast_word(self, position: int) -> bool:
        """The phrase stands right after "maar"/"but" (a filler or two may come between)."""
        words, clause = self.tokens.words, self.tokens.clause
        breaks = self.compiled.normaliser.clause_breaks
        start = position
        while start > 0 and clause[start - 1] == clause[position]:
            start -= 1
        return clause[position] > 0 and words[start] in breaks and position - start <= 2

    def _practice_contrast(self, clause_net: dict[int, float]) -> None:
        """'Not ratified, but in practice unions work': the rule says one thing, practice
        another; set against each other that is partly, whatever each part leans to."""
        if not self.practice:
            return
        first = min(self.practice)
        if any(clause >= first for clause in self.abuse_clauses):
            return  # "officially not, but in practice members are fired": the abuse happens
        before = sum(abs(net) for clause, net in clause_net.items() if clause < first)
        if before:
            self.votes.append(Vote(Stance.PARTLY, CONTRAST_WEIGHT + before, (), "contrast"))

    def _current_state_wins(self, clause_net: dict[int, float]) -> None:
        """'Vroeger wel, nu niet meer', 'lang geen cao, maar sinds januari wel': the answer
        is how things are now. A clause marked as the present overrules the clauses before
        it; a clause marked as the past drops out when another clause says how it is."""
        if len(clause_net) < 2 or self.abuse_stated:
            return  # an abuse that happened then is a finding now
        now: set[int] = set()
        past: set[int] = set()
        plain_now: set[int] = set()
        for match in self.compiled.times.find(self.tokens):
            clause = self.tokens.clause[match.start]
            {Tense.PAST: past, Tense.PRESENT: now, Tense.NOW: plain_now}[match.payload].add(clause)
        if past:
            now |= {c for c in plain_now if c > min(past)}
        now &= clause_net.keys()
        if now:
            latest = max(now)
            for clause in [c for c in clause_net if c < latest and c not in now]:
                del clause_net[clause]
        elif past & clause_net.keys() and clause_net.keys() - past:
            for clause in past:
                clause_net.pop(clause, None)

    def _unknown_part_is_partly(self, affirmed: set[int]) -> None:
        """'At the main plant yes, at the others not that I know of': one part is
        affirmed, another named part unknown; taken together that is partly."""
        clause = self.tokens.clause
        for index, vote in enumerate(self.votes):
            if vote.stance is not Stance.UNKNOWN or not vote.positions:
                continue
            where = clause[vote.positions[0]]
            if where in self.subset_clauses and where not in affirmed:
                self.votes[index] = Vote(
                    Stance.PARTLY, vote.weight + SUBSET_BONUS, vote.positions, "contrast"
                )

    def count_minimisers(self) -> None:
        for sentence, vote in self.minimisers:
            if self.sarcasm or sentence in self.abuse_sentences:
                continue  # "only the state union is allowed" is the abuse, not a part
            if sentence in self.absence_sentences or self.lead is Stance.NO:
                # "alleen een poster", "nee, alleen in de pauze": the "only" explains a no
                vote = Vote(Stance.NO, vote.weight, vote.positions, "only a token gesture")
            self.votes.append(vote)

    def count_retraction(self) -> None:
        """'Ik geloof het wel, maar ik weet het niet zeker': a guess taken back by doubt
        said after it is no answer either way; the doubt said last wins."""
        if not self.hedged_guesses or not self.doubts:
            return
        if max(self.doubts) <= max(self.hedged_guesses):
            return  # "weet niet, volgens mij wel": the guess is the answer
        decided = sum(v.weight for v in self.votes if v.stance in (Stance.YES, Stance.NO))
        self.votes.append(Vote(Stance.UNKNOWN, decided + RETRACTION_MARGIN, (), "retraction"))

    def count_statement(self) -> None:
        """No stance words at all: a plain on-topic statement ("Suppliers get it with every
        order") describes what exists, so it leans yes; a negation would have said no."""
        if self.votes:
            return
        tokens = self.tokens
        domain = self.compiled.domain_words
        words = [
            word
            for position, word in enumerate(tokens.words)
            if tokens.sentence[position] not in tokens.question_sentences
            and tokens.clause[position] not in self.excluded
        ]
        if any(info.negators for info in self.info.values()):
            return
        if sum(1 for word in words if word in domain) >= STATEMENT_DOMAIN_WORDS:
            self.votes.append(Vote(Stance.YES, STATEMENT_WEIGHT, (), "statement"))
            self.statement = True
