"""The entry point of answer understanding: one object per knowledge base, built once."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from knowledge.understanding.answers import AnswerReader
from knowledge.understanding.compiled import Compiled, compile_lexicon
from knowledge.understanding.intents import IntentFinder
from knowledge.understanding.learned import Evidence, Heads, LearnedReader
from knowledge.understanding.model_file import ModelFileError, model_path, read_model
from knowledge.understanding.topics import TopicFinder
from knowledge.understanding.types import Intent, Interpretation, TopicMatch

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase


def _domain_texts(knowledge: KnowledgeBase) -> list[str]:
    """Every user-facing text of the knowledge base: the domain's own vocabulary."""
    texts: list[str] = []
    for checklist in knowledge.checklists:
        for text in (checklist.title, checklist.intro):
            texts += [text.nl, text.en]
        for question in checklist.questions:
            for text in (question.text, question.why, *question.follow_up):
                texts += [text.nl, text.en]
    for signal in knowledge.signals.values():
        for text in (signal.title, signal.explanation, signal.tip, *signal.advice):
            texts += [text.nl, text.en]
    for topic in knowledge.topics.values():
        texts += [topic.title.nl, topic.title.en, topic.answer.nl, topic.answer.en]
    return texts


MAX_BUILT = 4  # knowledge bases whose compiled lexicon is kept (tests build several)
_BUILT: dict[int, tuple[Any, ...]] = {}


def _load_heads(knowledge: KnowledgeBase) -> tuple[Heads | None, str | None]:
    """The learned heads of this knowledge base, or None with the reason."""
    path = model_path(knowledge.directory)
    try:
        return Heads.from_json(read_model(path)), None
    except ModelFileError as error:
        return None, str(error)
    except (KeyError, TypeError, ValueError) as error:
        return None, f"{path}: damaged model ({error.__class__.__name__}); rebuild it"


def _build(
    knowledge: KnowledgeBase,
) -> tuple[Compiled, AnswerReader, TopicFinder, IntentFinder, Heads | None, str | None]:
    """Compile the lexicon once per knowledge base: every later call only looks up."""
    lexicon = knowledge.lexicon
    question_texts = [
        text.get(lang)
        for question in knowledge.questions.values()
        for text in (question.text, *question.follow_up)
        for lang in ("nl", "en")
    ]
    compiled = compile_lexicon(lexicon, _domain_texts(knowledge), question_texts)
    return (
        compiled,
        AnswerReader(compiled, knowledge.questions),
        TopicFinder(compiled.normaliser, lexicon.topics, knowledge.topics),
        IntentFinder(compiled, lexicon.intent_settings),
        *_load_heads(knowledge),
    )


class Understanding:
    """Interprets answers, finds knowledge topics and navigation intents.

    All phrases are compiled when the first object for a knowledge base is made (and
    reused by later ones), so each call only normalises the text and looks words up in
    prepared indexes. With the learned model of the knowledge base (``imvo-coach model
    build``), its heads decide, taking the rules' reading as evidence; ``learned=False``
    (or no model file: ``model_problem`` says why) uses the rules alone.
    """

    def __init__(self, knowledge: KnowledgeBase, *, learned: bool = True) -> None:
        lexicon = knowledge.lexicon
        if lexicon is None:
            raise ValueError("the knowledge base has no understanding lexicon")
        self.knowledge = knowledge
        built = _BUILT.get(id(knowledge))
        if built is None or built[0] is not knowledge:
            built = (knowledge, *_build(knowledge))
            _BUILT[id(knowledge)] = built
            while len(_BUILT) > MAX_BUILT:
                _BUILT.pop(next(iter(_BUILT)))
            # The knowledge base and the compiled lexicon live as long as the process.
            # Moving them out of the garbage collector's generations keeps its full
            # collections short (otherwise one call in a hundred pays milliseconds).
            gc.collect()
            gc.freeze()
        _, self.compiled, self.answers, self.topics, self.intents, heads, problem = built
        self.model_problem = problem
        self.evidence = Evidence(self.answers, self.topics, self.intents, knowledge.questions)
        self.learned: LearnedReader | None = None
        if learned and heads is not None:
            self.learned = LearnedReader(heads, self.evidence)

    def interpret(self, question_id: str, text: str) -> Interpretation:
        """What ``text`` says in answer to question ``question_id``."""
        if self.learned is not None:
            return self.learned.interpret(question_id, text)
        return self.answers.interpret(question_id, text)

    def lookup(self, text: str) -> TopicMatch | None:
        """The knowledge topic ``text`` asks about, or None when no topic fits."""
        if self.learned is not None:
            return self.learned.lookup(text)
        return self.topics.lookup(text)

    def detect_intent(self, text: str) -> Intent | None:
        """The navigation ``text`` asks for, or None when it is not navigation."""
        if self.learned is not None:
            return self.learned.detect_intent(text)
        return self.intents.detect(text)
