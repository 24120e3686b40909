"""The matcher's vocabulary: typed models of ``knowledge/data/understanding/*.yaml``.

Each file holds one kind of vocabulary so a curator knows where a phrase belongs:

    normalisation.yaml   rewrites (chat spelling, contractions), emoji, common words
    abbreviations.yaml   terms and the abbreviations/synonyms folded into them
    negation.yaml        negators, double negation, clause breaks, hedges, sarcasm, fillers
    stances.yaml         answer particles, stance cue phrases, generic yes/no content
    signals.yaml         concepts and per-signal trigger phrases
    questions.yaml       per-question phrases that mean yes or no for that question
    topics.yaml          per-topic key phrases and example questions
    intents.yaml         navigation phrases

``load_lexicon`` validates the files into a frozen ``Lexicon``; ``checks.check_lexicon``
checks it against the taxonomy and compiles every phrase, so ``imvo-coach kb validate``
reports a phrase the matcher could never use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from knowledge.errors import Problem
from knowledge.schema import Stance

Phrase = Annotated[str, Field(min_length=1)]
Weight = Annotated[float, Field(gt=0, le=10)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _no_bool_keys(value: Any) -> Any:
    """YAML 1.1 reads unquoted yes/no keys as booleans; name the mistake."""
    if isinstance(value, dict) and any(isinstance(key, bool) for key in value):
        raise ValueError('a key was read as a boolean; quote it: "yes" or "no"')
    return value


class Normalisation(_Model):
    """How raw text is cleaned before any phrase is matched."""

    rewrites: dict[str, str] = {}  # one word -> replacement words ("kweet" -> "ik weet")
    suffix_rewrites: dict[str, str] = {}  # word ending -> replacement ("n't" -> " not")
    emoji: dict[str, str] = {}  # emoji -> words
    common_words: tuple[Phrase, ...] = ()  # never treated as typos of vocabulary words
    confusable_letters: tuple[Phrase, ...] = ()  # sound-alike letter pairs: "dt", "iy"


class Abbreviation(_Model):
    """A term and the forms (abbreviations, synonyms) folded into it before matching."""

    term: Phrase
    forms: tuple[Phrase, ...] = ()
    exact_case: tuple[Phrase, ...] = ()  # forms that count only in exactly this spelling


class Negation(_Model):
    """Words that turn meaning around or structure an answer."""

    negators: tuple[Phrase, ...]  # negate the positive content of their clause
    local_negators: tuple[Phrase, ...] = ()  # negate only the next words ("zonder contract")
    absolute_negators: tuple[Phrase, ...] = ()  # "niks": "goals, but nothing measurable" = no
    wide_negators: tuple[Phrase, ...] = ()  # "niet zo dat": flip the whole clause
    double_negatives: tuple[Phrase, ...] = ()  # "niet niks": together mean yes
    neutral: tuple[Phrase, ...] = ()  # judgements that say nothing about yes/no
    clause_breaks: tuple[Phrase, ...] = ()  # single words that start a new clause
    scope_breaks: tuple[Phrase, ...] = ()  # single words that end a negation's reach ("die")
    genuine_markers: tuple[Phrase, ...] = ()  # "een echt beleid ... niet": the real thing denied
    receiving_verbs: tuple[Phrase, ...] = ()  # "kregen niks": the negator denies the object
    topic_markers: tuple[Phrase, ...] = ()  # "klachten over": an abuse as a topic
    hedges: tuple[Phrase, ...] = ()  # soften: negative content under a hedge is unknown
    sarcasm: tuple[Phrase, ...] = ()  # the literal meaning is the opposite
    conclusion_markers: tuple[Phrase, ...] = ()  # "dus", "so": a conclusion follows
    past_markers: tuple[Phrase, ...] = ()  # "vroeger": the clause tells history
    present_markers: tuple[Phrase, ...] = ()  # "sinds januari": the current state
    present_words: tuple[Phrase, ...] = ()  # "nu": the current state after a past marker
    fillers: tuple[Phrase, ...] = ()  # interjections that may precede a leading particle
    third_person: tuple[Phrase, ...] = ()  # subjects after which "no idea" is not the speaker's


class StanceCue(_Model):
    """Phrases that say the stance directly, wherever they stand."""

    stance: Stance
    weight: Weight
    phrases: tuple[Phrase, ...]
    speaker_only: bool = False  # only the speaker's own ("no idea", not "they have no idea")
    minimiser: bool = False  # "only"/"meer niet": partly, but no when only a poster remains
    hedged: bool = False  # a softened answer ("volgens mij wel"): lower confidence
    practice: bool = False  # "in de praktijk": after "maar", contrasts with the rule before


class StanceWords(_Model):
    """Answer particles, direct cues and generic content that leans yes or no."""

    particles: dict[Stance, tuple[Phrase, ...]]
    cues: tuple[StanceCue, ...]
    content: dict[Stance, tuple[Phrase, ...]] = {}
    healthy: tuple[Phrase, ...] = ()  # the good state: yes for most questions, no for abuses
    troubled: tuple[Phrase, ...] = ()  # the bad state: the question's risk stance
    subsets: tuple[Phrase, ...] = ()  # a part of the whole: sites, groups ("vestiging")
    place_prepositions: tuple[Phrase, ...] = ()  # "in"/"at" + a Name is a part too

    _keys = field_validator("particles", "content", mode="before")(_no_bool_keys)

    @field_validator("particles", "content")
    @classmethod
    def _only_yes_no(cls, value: dict[Stance, Any]) -> dict[Stance, Any]:
        extra = set(value) - {Stance.YES, Stance.NO}
        if extra:
            raise ValueError(f"only 'yes' and 'no' are allowed here, not {sorted(extra)}")
        return value


class StanceHint(_Model):
    """A signal that, when stated, tells the stance (box-ticking means 'partly')."""

    stance: Stance
    weight: Weight = 3.0
    questions: tuple[str, ...] = ()  # empty: any question


class SignalRule(_Model):
    """How a signal is recognised in an answer."""

    signal: Phrase
    questions: tuple[str, ...] = ()  # only in answers to these questions/checklists; empty: all
    skip_questions: tuple[str, ...] = ()  # never in answers to these questions/checklists
    unless: tuple[str, ...] = ()  # concepts that, in the same sentence, cancel this signal
    phrases: tuple[Phrase, ...] = ()  # any one of these states the signal
    combos: tuple[tuple[str, ...], ...] = ()  # concept names that must all occur in a sentence
    stance_hint: StanceHint | None = None


class SignalWords(_Model):
    """Concepts (named word groups) and the per-signal rules that use them."""

    concepts: dict[str, tuple[Phrase, ...]] = {}
    context: dict[str, tuple[str, ...]] = {}  # concept -> questions whose subject it is
    mention_only: tuple[Phrase, ...] = ()  # clause is about a risk category, not an event
    prohibitions: tuple[Phrase, ...] = ()  # a rule forbids what its clause names ("bans")
    signals: tuple[SignalRule, ...]


class QuestionWords(_Model):
    """Phrases that mean yes or no for one particular question."""

    yes: tuple[Phrase, ...] = ()
    no: tuple[Phrase, ...] = ()

    _keys = model_validator(mode="before")(_no_bool_keys)

    @field_validator("yes", "no", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return () if value is None else value


class TopicWords(_Model):
    """How a knowledge question is recognised as asking about one topic."""

    topic: Phrase
    strong: tuple[Phrase, ...]  # each names the topic on its own
    related: tuple[Phrase, ...] = ()  # hint at the topic; several together count as one strong
    examples: tuple[Phrase, ...] = ()  # typical questions, compared as a whole


class TopicSettings(_Model):
    """Thresholds for answering a knowledge question (0..100 scale)."""

    min_score: Annotated[float, Field(ge=0, le=100)] = 50.0
    example_min_similarity: Annotated[float, Field(ge=0, le=100)] = 80.0


class TopicsFile(_Model):
    settings: TopicSettings = TopicSettings()
    not_a_topic: tuple[Phrase, ...] = ()  # requests the bot never answers from topics
    topics: tuple[TopicWords, ...]


class IntentWords(_Model):
    """Phrases for one navigation intent."""

    intent: Phrase
    anywhere: tuple[Phrase, ...] = ()  # count even inside a longer message
    alone: tuple[Phrase, ...] = ()  # count only when the message is (nearly) just this


class IntentsFile(_Model):
    max_words: Annotated[int, Field(ge=1, le=60)] = 16
    max_other_words: Annotated[int, Field(ge=0, le=20)] = 2
    fillers: tuple[Phrase, ...] = ()  # politeness and chat words ignored around an intent
    # words that make a message a statement about people, so an 'alone' phrase is no
    # navigation: "ze gaan terug naar huis" is an answer, "terug" is not
    statement_subjects: tuple[Phrase, ...] = ()
    intents: tuple[IntentWords, ...]


@dataclass(frozen=True)
class Lexicon:
    """All understanding vocabulary of one knowledge base, validated."""

    normalisation: Normalisation
    abbreviations: tuple[Abbreviation, ...]
    negation: Negation
    stances: StanceWords
    signals: SignalWords
    questions: Mapping[str, QuestionWords]
    topics: TopicsFile
    intents: Mapping[str, IntentWords]  # intent ID -> phrases
    intent_settings: IntentsFile


class _YamlReader(Protocol):
    problems: list[Problem]

    def read(self, path: Path) -> Any: ...

    def rel(self, path: Path) -> str: ...


FOLDER = "understanding"
FILES: dict[str, Any] = {
    "normalisation.yaml": Normalisation,
    "abbreviations.yaml": list[Abbreviation],
    "negation.yaml": Negation,
    "stances.yaml": StanceWords,
    "signals.yaml": SignalWords,
    "questions.yaml": dict[str, QuestionWords],
    "topics.yaml": TopicsFile,
    "intents.yaml": IntentsFile,
}


def _describe(error: Mapping[str, Any]) -> str:
    location = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown field"
    return f"{location}: {message}" if location else message


def _validate_file(model: Any, data: Any, file: str, problems: list[Problem]) -> Any:
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as error:
        for item in error.errors():
            problems.append(Problem(file, _describe(item)))
        return None


def load_lexicon(root: Path, reader: _YamlReader) -> Lexicon | None:
    """Read and validate every understanding file; record problems; None when any failed."""
    folder = root / FOLDER
    if not folder.is_dir():
        reader.problems.append(Problem(FOLDER, "folder is missing"))
        return None
    parts: dict[str, Any] = {}
    failed = False
    for name, model in FILES.items():
        path = folder / name
        file = reader.rel(path)
        if not path.exists():
            reader.problems.append(Problem(file, "file is missing"))
            failed = True
            continue
        _check_comment_marks(path, file, reader.problems)
        data = reader.read(path)
        if data is None:
            if not path.read_bytes().strip():
                reader.problems.append(Problem(file, "file is empty"))
            failed = True
            continue
        value = _validate_file(model, data, file, reader.problems)
        failed = failed or value is None
        parts[name] = value
    if failed:
        return None
    return Lexicon(
        normalisation=parts["normalisation.yaml"],
        abbreviations=tuple(parts["abbreviations.yaml"]),
        negation=parts["negation.yaml"],
        stances=parts["stances.yaml"],
        signals=parts["signals.yaml"],
        questions=dict(parts["questions.yaml"]),
        topics=parts["topics.yaml"],
        intents={entry.intent: entry for entry in parts["intents.yaml"].intents},
        intent_settings=parts["intents.yaml"],
    )


_HIDDEN_COMMENT = re.compile(r"^\s*-\s+[^\s\"'#][^#\n]*\s#(\d|$)", re.MULTILINE)


def _check_comment_marks(path: Path, file: str, problems: list[Problem]) -> None:
    """An unquoted "#5-15" in a phrase starts a YAML comment and silently cuts the phrase."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # reading it again reports the problem
    for match in _HIDDEN_COMMENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        message = "a ' #' in a phrase starts a YAML comment; put the phrase in quotes"
        problems.append(Problem(file, message, line))


def iter_phrases(lexicon: Lexicon) -> Iterable[tuple[str, str]]:
    """Yield (file, phrase) for every matchable phrase in the lexicon."""
    neg = lexicon.negation
    for group in (
        neg.negators,
        neg.local_negators,
        neg.absolute_negators,
        neg.wide_negators,
        neg.double_negatives,
        neg.neutral,
        neg.hedges,
        neg.sarcasm,
        neg.conclusion_markers,
        neg.receiving_verbs,
        neg.topic_markers,
        neg.genuine_markers,
        neg.past_markers,
        neg.present_markers,
        neg.present_words,
        neg.fillers,
        neg.third_person,
    ):
        for phrase in group:
            yield "negation.yaml", phrase
    stances = lexicon.stances
    for phrases in (
        *stances.particles.values(),
        *stances.content.values(),
        stances.healthy,
        stances.troubled,
        stances.subsets,
    ):
        for phrase in phrases:
            yield "stances.yaml", phrase
    for cue in stances.cues:
        for phrase in cue.phrases:
            yield "stances.yaml", phrase
    for phrases in lexicon.signals.concepts.values():
        for phrase in phrases:
            yield "signals.yaml", phrase
    for phrase in (*lexicon.signals.mention_only, *lexicon.signals.prohibitions):
        yield "signals.yaml", phrase
    for rule in lexicon.signals.signals:
        for phrase in rule.phrases:
            yield "signals.yaml", phrase
    for words in lexicon.questions.values():
        for phrase in (*words.yes, *words.no):
            yield "questions.yaml", phrase
    for entry in lexicon.topics.topics:
        for phrase in (*entry.strong, *entry.related):
            yield "topics.yaml", phrase
    for phrase in lexicon.topics.not_a_topic:
        yield "topics.yaml", phrase
    for entry in lexicon.intents.values():
        for phrase in (*entry.anywhere, *entry.alone):
            yield "intents.yaml", phrase
    for phrase in lexicon.intent_settings.fillers:
        yield "intents.yaml", phrase
