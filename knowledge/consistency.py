"""Checks across the files of a knowledge base: references, phone-sized texts, dated facts,
and coverage of the taxonomy. Each adds ``Problem``s; ``loader.check_knowledge`` runs them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from knowledge.errors import Problem
from knowledge.schema import (
    LANGUAGES,
    MAX_TIP_CHARS,
    MAX_TOPIC_ANSWER_CHARS,
    Checklist,
    Signal,
    Topic,
)

# "sinds 2020", "since June 2022", "vanaf 1 januari 2024": a fact that is true from a date
# on, so the answer must say when it was checked (as_of).
_DATED_FACT = re.compile(
    r"\b(?:sinds|since|vanaf|from|per)\s+(?:\d{1,2}\s+)?(?:[a-z]+\s+)?(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


def check_references(
    checklists: list[tuple[str, Checklist]],
    signals: dict[str, Signal],
    topics: dict[str, Topic],
    signal_files: dict[str, str],
    topic_files: dict[str, str],
    problems: list[Problem],
) -> None:
    """Every ID a checklist, signal or topic names exists; tips and answers fit a phone;
    a date-bound fact carries the date it was checked (as_of)."""
    question_ids = {q.id for _, c in checklists for q in c.questions}
    for file, checklist in checklists:
        for question in checklist.questions:
            if not question.id.startswith(f"{checklist.id}."):
                problems.append(
                    Problem(file, f"{question.id}: ID must start with {checklist.id!r}.")
                )
            if question.signal not in signals:
                problems.append(
                    Problem(file, f"{question.id}: unknown signal {question.signal!r}")
                )
            for topic_id in question.topics:
                if topic_id not in topics:
                    problems.append(Problem(file, f"{question.id}: unknown topic {topic_id!r}"))
            for follow_up in question.follow_up:
                for condition in follow_up.skip_if:
                    if condition.partition("=")[0] not in question_ids:
                        problems.append(
                            Problem(file, f"{question.id}: skip_if names unknown {condition!r}")
                        )
            if question.risk_if not in question.answers:
                problems.append(
                    Problem(file, f"{question.id}: risk_if {question.risk_if!s} is not an answer")
                )
    for signal in signals.values():
        for topic_id in signal.topics:
            if topic_id not in topics:
                problems.append(
                    Problem(signal_files[signal.id], f"{signal.id}: unknown topic {topic_id!r}")
                )
        if any(len(signal.tip.get(lang)) > MAX_TIP_CHARS for lang in LANGUAGES):
            problems.append(
                Problem(signal_files[signal.id], f"{signal.id}: tip longer than {MAX_TIP_CHARS}")
            )
    for topic in topics.values():
        file = topic_files[topic.id]
        for related in topic.related_topics:
            if related not in topics:
                problems.append(Problem(file, f"{topic.id}: unknown related topic {related!r}"))
        for related in topic.related_questions:
            if related not in question_ids:
                problems.append(Problem(file, f"{topic.id}: unknown related question {related!r}"))
        dated = [lang for lang in LANGUAGES if _DATED_FACT.search(topic.answer.get(lang))]
        if dated and not topic.as_of:
            problems.append(
                Problem(
                    file,
                    f"{topic.id}: answer ({', '.join(dated)}) states a date-bound fact "
                    "('sinds/since/vanaf/from <year>'); add as_of",
                )
            )
        for lang in LANGUAGES:
            length = len(topic.answer.get(lang))
            if length > MAX_TOPIC_ANSWER_CHARS:
                problems.append(
                    Problem(
                        file,
                        f"{topic.id}: answer ({lang}) is {length} characters, "
                        f"at most {MAX_TOPIC_ANSWER_CHARS} fit one phone screen",
                    )
                )


def check_taxonomy(
    taxonomy: Mapping[str, Any],
    checklists: list[tuple[str, Checklist]],
    signals: dict[str, Signal],
    topics: dict[str, Topic],
    problems: list[Problem],
) -> None:
    """The knowledge base covers every ID of the taxonomy (the contract) unchanged."""
    by_id = {q.id: q for _, c in checklists for q in c.questions}
    loaded_checklists = {c.id for _, c in checklists}
    for checklist_id, spec in (taxonomy.get("checklists") or {}).items():
        if checklist_id not in loaded_checklists:
            problems.append(Problem("taxonomy.yaml", f"checklist {checklist_id!r} not covered"))
        for question_id, rule in (spec.get("questions") or {}).items():
            question = by_id.get(question_id)
            if question is None:
                problems.append(Problem("taxonomy.yaml", f"question {question_id!r} not covered"))
                continue
            if question.risk_if != rule["risk_if"] or question.signal != rule["signal"]:
                problems.append(
                    Problem(
                        "taxonomy.yaml",
                        f"question {question_id!r}: knowledge base says risk_if "
                        f"{question.risk_if!s} -> {question.signal}, taxonomy says "
                        f"{rule['risk_if']} -> {rule['signal']}",
                    )
                )
    for signal_id in taxonomy.get("signals") or {}:
        if signal_id not in signals:
            problems.append(Problem("taxonomy.yaml", f"signal {signal_id!r} not covered"))
    for topic_id in taxonomy.get("topics") or {}:
        if topic_id not in topics:
            problems.append(Problem("taxonomy.yaml", f"topic {topic_id!r} not covered"))
