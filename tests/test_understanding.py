"""Answer understanding reads each hard class of phone answers right.

The examples per class live in ``tests/data/understanding_classes.yaml`` (hand-written);
the API contract (implied signals, evidence, confidence, lookup, intents) is tested here.
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

CLASSES = Path(__file__).parent / "data" / "understanding_classes.yaml"


def _class_cases() -> list:
    data = yaml.safe_load(CLASSES.read_text(encoding="utf-8"))
    cases = []
    for name, examples in data.items():
        for index, case in enumerate(examples):
            cases.append(pytest.param(case, id=f"{name}-{index + 1}"))
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


def test_confidence_is_lower_for_hedged_and_mixed_answers(understanding: Understanding) -> None:
    plain = understanding.interpret("policy.exists", "nee")
    hedged = understanding.interpret("policy.exists", "volgens mij wel")
    assert 0 <= hedged.confidence < plain.confidence <= 1
    assert plain.confidence >= 0.8


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
        ("wat is C87 eigenlijk?", "c87"),
        ("what's a living wage?", "living_wage"),
        ("hoe dien ik een klacht in bij het NCP?", "ncp"),
        ("wie wint het WK?", None),
        ("what time is it in Dhaka", None),
        ("", None),
    ],
)
def test_lookup(understanding: Understanding, text: str, topic: str | None) -> None:
    match = understanding.lookup(text)
    assert (match.topic_id if match else None) == topic
    if match:
        assert 0 <= match.score <= 100


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("sla maar over", Intent.SKIP),
        ("terug", Intent.BACK),
        ("klaar voor vandaag", Intent.STOP),
        ("hoe werkt dit?", Intent.HELP),
        ("laat het overzicht zien", Intent.SUMMARY),
        ("opnieuw beginnen", Intent.RESTART),
        ("nee, stop daar niet mee", None),
        ("we stoppen met die leverancier", None),
        ("ja", None),
        ("de vorige directeur heeft het beleid geschreven en het staat online", None),
        # a statement about people is an answer, even with a navigation phrase in it
        ("ze gaan terug naar huis", None),
        ("the workers went back to the old supplier", None),
        ("terug naar de vorige vraag", Intent.BACK),
        ("hlp", Intent.HELP),
        ("begin maar opnieuw met de lijst", Intent.RESTART),
        ("oei, verkeerd antwoord gegeven, kan ik dat nog aanpassen?", Intent.BACK),
        ("can I change that?", Intent.BACK),
        ("ze beginnen opnieuw met onderhandelen", None),
        ("the wrong answer is given by management", None),
        ("de directie begint opnieuw", None),
        # navigation as people type it
        ("kan ik deze overslaan", Intent.SKIP),
        ("volgende graag", Intent.SKIP),
        ("ga maar door", Intent.SKIP),
        ("I'd rather not answer this", Intent.SKIP),
        ("I don't want to answer that", Intent.SKIP),
        ("geen antwoord", Intent.SKIP),
        ("let me change my previous answer", Intent.BACK),
        ("ik wil mijn antwoord wijzigen", Intent.BACK),
        ("wat heb ik tot nu toe", Intent.SUMMARY),
        ("toon resultaten", Intent.SUMMARY),
        ("can I see the results so far", Intent.SUMMARY),
        ("geef eens een samenvatting", Intent.SUMMARY),
        ("ik wil opnieuw", Intent.RESTART),
        ("reset", Intent.RESTART),
        ("terug naar vraag 1", Intent.RESTART),
        ("can we go back to the start", Intent.RESTART),
        ("ze beginnen weer met de audit", None),
        ("show me what you have", Intent.SUMMARY),
        ("laat maar zien wat je hebt", Intent.SUMMARY),
        ("ik ben weg", Intent.STOP),
        ("i need a break", Intent.STOP),
        ("wat is dit?", Intent.HELP),
        ("ik weet het niet, volgende", Intent.SKIP),
        ("ik weet het niet", None),
        ("the workers need a break", None),
        ("wat is dit voor beleid", None),
        # a lone command word with a slip the speller leaves alone
        ("skpi", Intent.SKIP),
        ("hepl", Intent.HELP),
        ("restrat", Intent.RESTART),
        ("deels", None),
        ("neee", None),
        ("ik stop ermee voor nu", Intent.STOP),
        ("tot later", Intent.STOP),
        ("I'll continue later", Intent.STOP),
        ("ik snap niet wat je bedoelt", Intent.HELP),
        ("wat bedoel je?", Intent.HELP),
        ("what can you do", Intent.HELP),
        ("wat kun je allemaal?", Intent.HELP),
        ("how does this work", Intent.HELP),
        ("I don't get it", Intent.HELP),
        # answers that use navigation words
        ("ze zijn opnieuw begonnen met onderhandelen", None),
        ("management skipped the audit", None),
        ("het overzicht van leveranciers is openbaar", None),
        ("the results of the audit were shared", None),
        ("de resultaten worden niet gedeeld", None),
        ("ik snap niet waarom ze geen beleid hebben", None),
        ("we stoppen ermee volgend jaar", None),
        ("the company stopped the program", None),
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
