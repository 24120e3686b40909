"""The lexicon compiled once into phrase indexes (everything ``interpret`` needs, precomputed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from knowledge.schema import Stance
from knowledge.understanding.lexicon import Lexicon, SignalRule, StanceHint, iter_phrases
from knowledge.understanding.normalise import Normaliser, fold_word
from knowledge.understanding.phrases import PhraseIndex, compile_phrase, pattern_words
from knowledge.understanding.speller import Speller


class Kind(IntEnum):
    """What a matched phrase is; the value also breaks ties between equally long phrases."""

    QUESTION = 1
    CUE = 2
    DOUBLE_NEGATIVE = 3
    WIDE_NEGATOR = 4
    NEUTRAL = 5
    HEDGE = 6
    PARTICLE = 7
    CONCLUSION = 8
    SARCASM = 9
    CONTENT = 10
    NEGATOR = 11
    THIRD_PERSON = 12
    FILLER = 13


@dataclass(frozen=True, slots=True)
class Entry:
    """The payload of a phrase in the answer index."""

    kind: Kind
    stance: Stance | None = None
    weight: float = 1.0
    signal: str | None = None
    speaker_only: bool = False
    healthy: bool | None = None  # relative content: True good state, False bad state
    minimiser: bool = False  # an "only"-cue: partly, or no when only a token gesture remains
    hedged: bool = False  # a softened cue: the dialogue should confirm
    practice: bool = False  # "in practice": how it goes, set against the rule said before
    local: bool = False  # a negator that only reaches its own object ("zonder")
    absolute: bool = False  # "niks", "nothing": nothing at all of what follows exists


class Tense(IntEnum):
    """What a time marker says about its clause."""

    PAST = 0  # "vroeger"
    PRESENT = 1  # "sinds januari", "niet meer"
    NOW = 2  # "nu": the present only when a past marker came before


@dataclass(frozen=True, slots=True)
class Concept:
    """The payload of a concept phrase (used by signal combos) or a mention-only phrase."""

    name: str  # concept name; "" for mention-only phrases
    clause_only: bool = False  # a mention that reaches its own clause only (a prohibition)


@dataclass
class Compiled:
    """Phrase indexes and lookup tables built from one lexicon."""

    normaliser: Normaliser
    answers: PhraseIndex = field(default_factory=PhraseIndex)
    questions: dict[str, PhraseIndex] = field(default_factory=dict)
    concepts: PhraseIndex = field(default_factory=PhraseIndex)
    signal_phrases: PhraseIndex = field(default_factory=PhraseIndex)  # payload: rule index
    subsets: PhraseIndex = field(default_factory=PhraseIndex)  # "vestiging", "some sites"
    place_prepositions: frozenset[str] = frozenset()
    domain_words: frozenset[str] = frozenset()  # words of the lexicon and the questions
    rules: list[SignalRule] = field(default_factory=list)  # signal phrases point here
    hints: dict[str, StanceHint] = field(default_factory=dict)
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)  # concept -> questions
    scope_breaks: frozenset[str] = frozenset()
    negator_words: frozenset[str] = frozenset()  # one-word negators ("niet", "not")
    topic_markers: frozenset[str] = frozenset()  # "complaints ABOUT fumes": a topic
    receiving_verbs: frozenset[str] = frozenset()  # a later negator does not reach back past
    genuine: PhraseIndex = field(default_factory=PhraseIndex)  # "echte", "a real"
    times: PhraseIndex = field(default_factory=PhraseIndex)  # payload: Tense


QUESTION_CUE_WEIGHT = 1.5
MIN_DOMAIN_WORD = 4  # shorter words say too little about the topic
ABSENCE_WEIGHT = 1.5  # content that describes absence outweighs a plain "we have"
SIGNAL_WEIGHT = 2.0


def compile_lexicon(
    lexicon: Lexicon, known_texts: Iterable[str] = (), question_texts: Iterable[str] = ()
) -> Compiled:
    """Build the normaliser (with typo vocabulary) and every phrase index.

    ``known_texts`` (the knowledge base's own questions and explanations) add real
    domain words: typos are corrected towards them, and they are never "corrected".
    """
    normaliser = Normaliser(lexicon)
    compiled = Compiled(normaliser=normaliser)
    answers = compiled.answers
    neg = lexicon.negation

    def add(index: PhraseIndex, phrases: Iterable[str], payload: object) -> None:
        for phrase in phrases:
            index.add(compile_phrase(phrase, normaliser), payload)

    absolute = set(neg.absolute_negators)
    add(answers, [p for p in neg.negators if p not in absolute], Entry(Kind.NEGATOR))
    add(answers, neg.absolute_negators, Entry(Kind.NEGATOR, absolute=True))
    add(answers, neg.local_negators, Entry(Kind.NEGATOR, local=True))
    add(answers, neg.wide_negators, Entry(Kind.WIDE_NEGATOR))
    add(answers, neg.double_negatives, Entry(Kind.DOUBLE_NEGATIVE, Stance.YES))
    add(answers, neg.neutral, Entry(Kind.NEUTRAL))
    add(answers, neg.hedges, Entry(Kind.HEDGE))
    add(answers, neg.sarcasm, Entry(Kind.SARCASM))
    add(answers, neg.conclusion_markers, Entry(Kind.CONCLUSION))
    add(answers, neg.fillers, Entry(Kind.FILLER))
    add(compiled.genuine, neg.genuine_markers, None)
    add(compiled.times, neg.past_markers, Tense.PAST)
    add(compiled.times, neg.present_markers, Tense.PRESENT)
    add(compiled.times, neg.present_words, Tense.NOW)
    add(answers, neg.third_person, Entry(Kind.THIRD_PERSON))
    stances = lexicon.stances
    for stance, phrases in stances.particles.items():
        add(answers, phrases, Entry(Kind.PARTICLE, stance))
    for stance, phrases in stances.content.items():
        weight = ABSENCE_WEIGHT if stance is Stance.NO else 1.0
        add(answers, phrases, Entry(Kind.CONTENT, stance, weight))
    add(answers, stances.healthy, Entry(Kind.CONTENT, healthy=True))
    add(answers, stances.troubled, Entry(Kind.CONTENT, healthy=False))
    for cue in stances.cues:
        entry = Entry(
            Kind.CUE,
            cue.stance,
            cue.weight,
            speaker_only=cue.speaker_only,
            minimiser=cue.minimiser,
            hedged=cue.hedged,
            practice=cue.practice,
        )
        add(answers, cue.phrases, entry)
    add(compiled.subsets, stances.subsets, None)
    compiled.place_prepositions = frozenset(fold_word(w) for w in stances.place_prepositions)
    signals = lexicon.signals
    for name, phrases in signals.concepts.items():
        add(compiled.concepts, phrases, Concept(name))
    add(compiled.concepts, signals.mention_only, Concept(""))
    add(compiled.concepts, signals.prohibitions, Concept("", clause_only=True))
    compiled.context = dict(signals.context)
    for index, rule in enumerate(signals.signals):
        add(compiled.signal_phrases, rule.phrases, index)
        compiled.rules.append(rule)
        if rule.stance_hint:
            compiled.hints[rule.signal] = rule.stance_hint
    for question_id, words in lexicon.questions.items():
        index = PhraseIndex()
        add(index, words.yes, Entry(Kind.QUESTION, Stance.YES, QUESTION_CUE_WEIGHT))
        add(index, words.no, Entry(Kind.QUESTION, Stance.NO, QUESTION_CUE_WEIGHT + 0.5))
        compiled.questions[question_id] = index
    compiled.scope_breaks = frozenset(fold_word(word) for word in neg.scope_breaks)
    compiled.negator_words = frozenset(fold_word(w) for w in neg.negators if " " not in w)
    compiled.receiving_verbs = frozenset(fold_word(word) for word in neg.receiving_verbs)
    compiled.topic_markers = frozenset(fold_word(word) for word in neg.topic_markers)
    speller = _speller(lexicon, normaliser, known_texts)
    normaliser.speller = speller
    domain: set[str] = set()
    for _, phrase in iter_phrases(lexicon):
        domain.update(w for kind, w in compile_phrase(phrase, normaliser) if kind == "w")
    for text in question_texts:
        domain.update(normaliser.tokens(text, spell=False).words)
    compiled.domain_words = frozenset(
        w for w in domain if len(w) >= MIN_DOMAIN_WORD and w not in speller.common
    )
    return compiled


def _speller(lexicon: Lexicon, normaliser: Normaliser, known_texts: Iterable[str]) -> Speller:
    """The typo vocabulary: every word any phrase uses, plus the common-word list."""
    words: set[str] = set(normaliser.synonym_words())
    for text in known_texts:
        words.update(normaliser.tokens(text, spell=False).words)
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for _, phrase in iter_phrases(lexicon):
        exact, starts, ends = pattern_words(compile_phrase(phrase, normaliser))
        words |= exact
        prefixes |= starts
        suffixes |= ends
    for entry in lexicon.topics.topics:
        for example in entry.examples:
            words.update(normaliser.tokens(example, spell=False).words)
    common: set[str] = set()
    for phrase in lexicon.normalisation.common_words:
        common.update(normaliser.tokens(phrase, spell=False, synonyms=False).words)
    confusable = [fold_word(pair) for pair in lexicon.normalisation.confusable_letters]
    return Speller(words, prefixes, suffixes, common, confusable)
