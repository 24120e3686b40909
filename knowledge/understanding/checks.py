"""Checks of the understanding lexicon against the taxonomy and the knowledge base.

``imvo-coach kb validate`` reports what these find: references to unknown signals,
questions, topics or concepts, taxonomy intents and topics without phrases, and phrases
that leave no word after normalisation (so the matcher could never use them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from knowledge.errors import Problem
from knowledge.understanding.lexicon import FOLDER, Lexicon, iter_phrases
from knowledge.understanding.normalise import Normaliser
from knowledge.understanding.phrases import PhraseError, compile_phrase
from knowledge.understanding.types import Intent


def check_lexicon(
    lexicon: Lexicon,
    taxonomy: Mapping[str, Any],
    question_ids: Iterable[str],
    signal_ids: Iterable[str],
    topic_ids: Iterable[str],
    problems: list[Problem],
) -> None:
    """Check references against the taxonomy and knowledge base, and compile every phrase."""
    questions = set(question_ids) | {
        q
        for spec in (taxonomy.get("checklists") or {}).values()
        for q in spec.get("questions", {})
    }
    checklists = {q.split(".", 1)[0] for q in questions}
    signals = set(signal_ids) | set(taxonomy.get("signals") or {})
    topics = set(topic_ids) | set(taxonomy.get("topics") or {})
    file = f"{FOLDER}/"
    for rule in lexicon.signals.signals:
        if rule.signal not in signals:
            problems.append(Problem(file + "signals.yaml", f"unknown signal {rule.signal!r}"))
        for combo in (*rule.combos, rule.unless):
            for name in combo:
                if name not in lexicon.signals.concepts:
                    problems.append(
                        Problem(file + "signals.yaml", f"{rule.signal}: unknown concept {name!r}")
                    )
        for question_id in (*rule.questions, *rule.skip_questions):
            if question_id not in questions and question_id not in checklists:
                problems.append(
                    Problem(
                        file + "signals.yaml", f"{rule.signal}: unknown question {question_id!r}"
                    )
                )
        if rule.stance_hint:
            for question_id in rule.stance_hint.questions:
                if question_id not in questions:
                    problems.append(
                        Problem(
                            file + "signals.yaml",
                            f"{rule.signal}: unknown question {question_id!r}",
                        )
                    )
        if not rule.phrases and not rule.combos:
            problems.append(Problem(file + "signals.yaml", f"{rule.signal}: no phrases or combos"))
    for name, context_questions in lexicon.signals.context.items():
        if name not in lexicon.signals.concepts:
            problems.append(Problem(file + "signals.yaml", f"context: unknown concept {name!r}"))
        for question_id in context_questions:
            if question_id not in questions and question_id not in checklists:
                problems.append(
                    Problem(file + "signals.yaml", f"context: unknown question {question_id!r}")
                )
    for question_id in lexicon.questions:
        if question_id not in questions:
            problems.append(Problem(file + "questions.yaml", f"unknown question {question_id!r}"))
    seen_topics: set[str] = set()
    for entry in lexicon.topics.topics:
        if entry.topic not in topics:
            problems.append(Problem(file + "topics.yaml", f"unknown topic {entry.topic!r}"))
        if entry.topic in seen_topics:
            problems.append(Problem(file + "topics.yaml", f"duplicate topic {entry.topic!r}"))
        seen_topics.add(entry.topic)
    for topic_id in sorted(set(taxonomy.get("topics") or {}) - seen_topics):
        problems.append(Problem(file + "topics.yaml", f"topic {topic_id!r} has no phrases"))
    valid_intents = {intent.value for intent in Intent}
    for intent in lexicon.intents:
        if intent not in valid_intents:
            problems.append(Problem(file + "intents.yaml", f"unknown intent {intent!r}"))
    for intent in sorted(set(taxonomy.get("intents") or {}) - set(lexicon.intents)):
        problems.append(Problem(file + "intents.yaml", f"intent {intent!r} is not covered"))
    for name in (*lexicon.negation.clause_breaks, *lexicon.negation.scope_breaks):
        if len(name.split()) != 1:
            problems.append(Problem(file + "negation.yaml", f"break {name!r} must be one word"))
    _check_phrases_compile(lexicon, problems)


def _check_phrases_compile(lexicon: Lexicon, problems: list[Problem]) -> None:
    """Every phrase must leave at least one word after normalisation."""
    normaliser = Normaliser(lexicon)
    for file, phrase in iter_phrases(lexicon):
        try:
            compile_phrase(phrase, normaliser)
        except PhraseError as error:
            problems.append(Problem(f"{FOLDER}/{file}", f"phrase {phrase!r}: {error}"))
