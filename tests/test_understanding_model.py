"""The learned understanding model: shipped and matching its examples, calibrated, with a
clear message when it is missing or stale, and working for topics without examples."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from knowledge.loader import check_knowledge, load_knowledge
from knowledge.schema import Stance
from knowledge.understanding import Understanding
from knowledge.understanding.evaluation import Case, evaluate, load_cases
from knowledge.understanding.features import doubtful
from knowledge.understanding.model_file import (
    encode_weights,
    examples_dir,
    model_path,
    same_model,
)
from knowledge.understanding.types import Interpretation
from tests.kb_helpers import edit_yaml, problems_of

MAX_MODEL_BYTES = 10 * 1024 * 1024
MODEL_PROBLEM = "understanding/model/model.json.gz"


def test_shipped_model_is_used_and_small(understanding: Understanding) -> None:
    assert understanding.model_problem is None
    assert understanding.learned is not None
    assert model_path(understanding.knowledge.directory).stat().st_size <= MAX_MODEL_BYTES


def test_shipped_model_is_what_its_examples_give(capsys: pytest.CaptureFixture[str]) -> None:
    """CI refits the heads from the examples and compares the bytes of the model file."""
    pytest.importorskip("sklearn")
    assert main(["model", "check"]) == 0, capsys.readouterr().out


def test_a_model_one_float16_step_away_is_the_same_and_two_steps_are_not() -> None:
    """Another machine's BLAS may round a few weights to the neighbouring float16 value
    (seen: 5 of 507,630 stance weights); a real change moves weights further."""
    weights = np.array([0.0714, -7.65e-05, 1.5, 0.0], dtype="<f2")
    one_step = np.nextafter(weights, np.float16(np.inf))
    two_steps = np.nextafter(one_step, np.float16(np.inf))

    def model(w: np.ndarray, bias: float = 0.1234) -> dict:
        return {"heads": {"stance": {"weights": encode_weights(w), "bias": [bias]}}}

    assert same_model(model(one_step), model(weights))
    assert same_model(model(weights, 0.1235), model(weights))
    assert not same_model(model(two_steps), model(weights))
    assert not same_model(model(weights, 0.1240), model(weights))
    assert not same_model(model(weights[:3]), model(weights))


def test_changed_examples_make_the_model_stale(kb_copy: Path) -> None:
    extra = examples_dir(kb_copy) / "my-cases.yaml"
    extra.write_text(
        '- {id: m1, kind: answer, question: union.present, lang: nl, text: "nee hoor",'
        ' stance: "no", signals: [no_union]}\n',
        encoding="utf-8",
    )
    assert f"{MODEL_PROBLEM}: built from other examples; run 'imvo-coach model build'" in (
        problems_of(kb_copy)
    )


def test_missing_model_is_reported_and_the_rules_take_over(kb_copy: Path) -> None:
    model_path(kb_copy).unlink()
    assert f"{MODEL_PROBLEM}: missing; run 'imvo-coach model build'" in problems_of(kb_copy)
    knowledge, _ = check_knowledge(kb_copy, model=False)
    assert knowledge is not None
    understanding = Understanding(knowledge)
    assert understanding.learned is None
    assert "no model" in (understanding.model_problem or "")
    assert understanding.interpret("union.present", "nee").stance == "no"


def test_a_damaged_model_leaves_the_rules_in_charge(kb_copy: Path) -> None:
    import gzip

    model_path(kb_copy).write_bytes(gzip.compress(b'{"format": 1, "heads": {}}', mtime=0))
    knowledge, _ = check_knowledge(kb_copy, model=False)
    understanding = Understanding(knowledge)
    assert understanding.learned is None
    assert "damaged model" in (understanding.model_problem or "")
    assert understanding.interpret("union.present", "nee").stance == "no"


def test_rules_alone_on_request(understanding: Understanding) -> None:
    rules = Understanding(understanding.knowledge, learned=False)
    assert rules.learned is None
    assert rules.interpret("union.present", "ja") == rules.answers.interpret("union.present", "ja")


def test_doubtful_answers_get_lower_confidence(understanding: Understanding) -> None:
    """Sarcasm, hedges and mixed clauses: on the examples, lower confidence on average."""
    plain: list[float] = []
    doubt: list[float] = []
    for case in load_cases(examples_dir(understanding.knowledge.directory) / "dev-cases.yaml"):
        if case.kind != "answer":
            continue
        reading = understanding.answers.read(case.question, case.text)
        confidence = understanding.interpret(case.question, case.text).confidence
        (doubt if doubtful(reading) else plain).append(confidence)
    assert len(doubt) >= 20
    assert sum(doubt) / len(doubt) < sum(plain) / len(plain)
    heads = understanding.learned.heads
    assert heads.stance.temperature["doubt"] >= heads.stance.temperature["plain"]


def test_every_signal_comes_with_words_from_the_answer(understanding: Understanding) -> None:
    text = (
        "ja er is een bond, maar de voorzitter is vorige maand ontslagen "
        "en de nooduitgangen zitten op slot"
    )
    result = understanding.interpret("union.present", text)
    assert result.signals
    for hit in result.signals:
        assert hit.evidence
        if not hit.implied:
            assert hit.evidence.lower() in text.lower() or all(
                word in text.lower() for word in hit.evidence.lower().split()
            )


def test_confidence_is_a_probability(understanding: Understanding) -> None:
    for text in ("ja", "nee", "geen idee", "volgens mij wel", "ja hoor, super meetbaar 🙄"):
        confidence = understanding.interpret("policy.kpis", text).confidence
        assert 0.0 < confidence < 1.0


def test_a_topic_without_examples_is_found(kb_copy: Path) -> None:
    """Another engineer adds topics with routing phrases only: the topic head ranks the
    rules' candidates by generic features, so such a topic is found at once."""
    source = next(t for t in load_knowledge().topics.values() if t.id == "c87")

    def add_topic(data: list) -> None:
        entry = next(e for e in data if e["id"] == source.id)
        clone = {**entry, "id": "zzz_grievance_ladder"}
        data.append(clone)

    topic_file = next(
        p for p in sorted((kb_copy / "topics").glob("*.yaml")) if "id: c87" in p.read_text()
    )
    edit_yaml(topic_file, add_topic)

    def route(data: dict) -> None:
        data["topics"].append(
            {"topic": "zzz_grievance_ladder", "strong": ["klachtenladder", "grievance ladder"]}
        )

    edit_yaml(kb_copy / "understanding" / "topics.yaml", route)
    knowledge, problems = check_knowledge(kb_copy, model=False)
    assert knowledge is not None, problems
    found = Understanding(knowledge).lookup("wat is een klachtenladder?")
    assert found is not None
    assert found.topic_id == "zzz_grievance_ladder"


class _Fixed:
    """An understanding that answers every case with a fixed stance and confidence."""

    def __init__(self, knowledge, answers: dict[str, tuple[str, float]]) -> None:
        self.knowledge = knowledge
        self.answers = answers

    def interpret(self, question_id: str, text: str) -> Interpretation:
        stance, confidence = self.answers[text]
        return Interpretation(question_id, Stance(stance), (), confidence)


def test_confirm_and_silent_error_rates(understanding: Understanding) -> None:
    cases = [
        Case(id=str(i), kind="answer", text=text, question="union.present", stance="no")
        for i, text in enumerate(("a", "b", "c", "d"))
    ]
    fixed = _Fixed(
        understanding.knowledge,
        {"a": ("no", 0.95), "b": ("yes", 0.95), "c": ("yes", 0.4), "d": ("no", 0.5)},
    )
    report = evaluate(fixed, cases, threshold=0.7)  # type: ignore[arg-type]
    assert report.confirm_rate == 0.5  # c and d are asked
    assert report.silent_error_rate == 0.25  # b is stored wrong without asking


def test_model_build_without_examples_says_so(kb_copy: Path) -> None:
    pytest.importorskip("sklearn")
    shutil.rmtree(examples_dir(kb_copy))
    (examples_dir(kb_copy)).mkdir()
    assert main(["model", "build", "--knowledge", str(kb_copy)]) == 2
