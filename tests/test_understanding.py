"""Answer understanding reads each hard class of phone answers right.

The hand-written cases per class, and the lookup and navigation cases, live in
``knowledge/data/understanding/examples/api-cases.yaml``: the model learns from them, so
these tests describe training fit. The API contract (implied signals, evidence,
confidence, lookup, intents) is tested here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.schema import Stance
from knowledge.understanding import (
    Intent,
    Understanding,
    detect_intent,
    interpret,
    lookup,
)

API_CASES = (
    Path(__file__).parents[1]
    / "knowledge"
    / "data"
    / "understanding"
    / "examples"
    / "api-cases.yaml"
)
NOT_AN_ANSWER = [
    {"question": "union.present", "text": "wat is C87 eigenlijk?", "stance": None},
    {"question": "policy.exists", "text": "asdfgh qwerty", "stance": None},
    {"question": "policy.exists", "text": "", "stance": None},
]


def _api_cases(kind: str) -> list[dict]:
    cases = yaml.safe_load(API_CASES.read_text(encoding="utf-8"))
    return [case for case in cases if case["kind"] == kind]


def _class_cases() -> list:
    cases = [
        pytest.param(case, id=case["id"].removeprefix("api-")) for case in _api_cases("answer")
    ]
    for index, case in enumerate(NOT_AN_ANSWER):
        cases.append(pytest.param(case, id=f"not_an_answer-{index + 1}"))
    return cases


@pytest.mark.parametrize("case", _class_cases())
def test_hard_answer_classes(understanding: Understanding, case: dict) -> None:
    result = understanding.interpret(case["question"], case["text"])
    expected = case["stance"]
    assert (result.stance.value if result.stance else None) == expected, result
    found = set(result.signal_ids)
    wanted = set(case.get("signals") or [])
    if case.get("signals_exact"):
        assert found == wanted, result
    else:
        assert wanted <= found, result


def test_risk_stance_implies_the_question_signal(understanding: Understanding) -> None:
    result = understanding.interpret("union.present", "nee joh, een bond? die is hier niet")
    assert result.stance is Stance.NO
    (hit,) = result.signals
    assert (hit.signal, hit.implied) == ("no_union", True)
    assert hit.evidence


def test_no_implied_signal_when_the_answer_is_fine(understanding: Understanding) -> None:
    assert understanding.interpret("union.present", "ja, een sterke bond").signals == ()
    assert understanding.interpret("union.dismissals", "nee hoor").signals == ()


def test_stated_signal_carries_the_triggering_words(understanding: Understanding) -> None:
    result = understanding.interpret(
        "policy.supplier_code", "ja, maar bij de leverancier werken kinderen van 12"
    )
    hit = next(h for h in result.signals if h.signal == "child_labour")
    assert not hit.implied
    assert "kinderen" in hit.evidence
    assert hit.evidence in "ja, maar bij de leverancier werken kinderen van 12"


def test_negated_abuse_is_not_reported(understanding: Understanding) -> None:
    result = understanding.interpret("union.present", "ja, en er is geen kinderarbeid")
    assert "child_labour" not in result.signal_ids


def test_a_hedged_answer_is_asked_about_however_likely_the_reading(
    understanding: Understanding,
) -> None:
    """The confidence is the probability that the stance is right; "volgens mij wel" is a
    yes by the labelling guide, and a model that learned many hedges may be sure of that.
    The user is not sure, so the bot asks: ``hedged`` makes ``is_sure`` false."""
    plain = understanding.interpret("policy.exists", "nee")
    hedged = understanding.interpret("policy.exists", "volgens mij wel")
    assert plain.is_sure()
    assert plain.confidence >= 0.8
    assert hedged.stance is Stance.YES
    assert hedged.hedged
    assert not hedged.is_sure()
    assert 0 <= hedged.confidence <= 1


def test_every_question_accepts_any_text(understanding: Understanding) -> None:
    for question_id in understanding.knowledge.questions:
        for text in ("ja", "nee", "??", "🤷", "x" * 2000, "niet niet niet niet"):
            result = understanding.interpret(question_id, text)
            assert result.question_id == question_id
            assert 0 <= result.confidence <= 1


def test_unknown_question_id_still_reads_the_stance(understanding: Understanding) -> None:
    assert understanding.interpret("no.such.question", "nee").stance is Stance.NO


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        (case["text"], None if case["topic"] == "none" else case["topic"])
        for case in _api_cases("faq")
    ]
    + [("", None)],
)
def test_lookup(understanding: Understanding, text: str, topic: str | None) -> None:
    match = understanding.lookup(text)
    assert (match.topic_id if match else None) == topic
    if match:
        assert 0 <= match.score <= 100


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (case["text"], None if case["intent"] == "none" else Intent(case["intent"]))
        for case in _api_cases("intent")
    ],
)
def test_detect_intent(understanding: Understanding, text: str, intent: Intent | None) -> None:
    assert understanding.detect_intent(text) == intent


def test_module_level_functions_use_the_shipped_knowledge() -> None:
    assert interpret("policy.exists", "ja").stance is Stance.YES
    assert lookup("wat is IMVO?").topic_id == "imvo"
    assert detect_intent("skip") is Intent.SKIP


def test_a_knowledge_base_without_lexicon_is_refused(understanding: Understanding) -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="lexicon"):
        Understanding(replace(understanding.knowledge, lexicon=None))


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("wat houdt gepaste zorg vuldigheid in", "zorgvuldigheid"),
        ("wie telt als stake holder", "stakeholder"),
        ("our sub-contractors", "subcontractors"),
        ("due dili gence", "diligence"),
    ],
)
def test_a_word_split_by_dictation_is_read_whole(
    understanding: Understanding, text: str, joined: str
) -> None:
    words = understanding.compiled.normaliser.tokens(text).words
    assert joined in words, words


def test_two_real_words_are_not_joined(understanding: Understanding) -> None:
    """ "over werk" (about work) must not become "overwerk" (overtime)."""
    words = understanding.compiled.normaliser.tokens("klachten over werk").words
    assert words == ["klachten", "over", "werk"]
