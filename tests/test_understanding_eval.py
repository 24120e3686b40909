"""``imvo-coach eval``: scoring rules, exact output keys, clear errors, and our own scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.understanding import Understanding
from knowledge.understanding.evaluation import Case, evaluate, load_cases

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parents[1] / "knowledge" / "data" / "understanding" / "examples"
OWN_CASES = EXAMPLES / "cases.yaml"
JSON_KEYS = {
    "stance_accuracy",
    "signal_precision",
    "signal_recall",
    "signal_f1",
    "faq_top1",
    "intent_accuracy",
    "confirm_rate",
    "silent_error_rate",
    "counts",
    "latency_ms",
    "failures",
}

SMALL = """
- {id: a1, kind: answer, question: union.present, lang: nl, text: "nee", stance: "no",
   signals: [no_union]}
- {id: a2, kind: answer, question: union.present, lang: nl, text: "ja", stance: "no",
   signals: [no_union]}
- {id: f1, kind: faq, lang: nl, text: "wat is C87?", topic: c87}
- {id: f2, kind: faq, lang: en, text: "who wins the cup final", topic: none}
- {id: i1, kind: intent, lang: nl, text: "sla over", intent: skip}
"""


@pytest.fixture
def small_cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_json_output_has_exactly_the_agreed_keys(
    small_cases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(small_cases), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == JSON_KEYS
    assert report["counts"] == {"answer": 2, "faq": 2, "intent": 1}
    assert set(report["latency_ms"]) == {"p50", "p99"}
    assert report["stance_accuracy"] == 0.5
    assert report["faq_top1"] == 1.0
    assert report["intent_accuracy"] == 1.0
    assert report["signal_precision"] == 1.0
    assert report["signal_recall"] == 0.5
    assert report["signal_f1"] == pytest.approx(0.6667, abs=1e-3)
    (failure,) = report["failures"]
    assert failure["id"] == "a2"
    assert failure["expected"] == {"stance": "no", "signals": ["no_union"]}
    assert failure["got"]["stance"] == "yes"


def test_human_output_shows_metrics_and_failed_cases(
    small_cases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(small_cases)]) == 0
    out = capsys.readouterr().out
    assert "Cases: 2 answer, 2 faq, 1 intent" in out
    assert "stance_accuracy    0.500  target 0.92 MISSED" in out
    assert "faq_top1           1.000  target 0.85 met" in out
    assert "Failed cases: 1" in out
    assert "- a2 [answer] ja" in out
    assert "expected: no no_union" in out
    assert "got:      yes -" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("- [unclosed\n", "invalid YAML"),
        ("just: a mapping\n", "expected a list of cases"),
        ("- {id: x, kind: answer, text: hi, stance: 'no'}\n", "'question' is missing"),
        ("- {id: x, kind: answer, question: q, text: hi, stance: no}\n", 'quote "yes"/"no"'),
        ("- {id: x, kind: guess, text: hi}\n", "kind must be one of"),
        ("- {id: x, kind: faq, topic: c87}\n", "'text' must be a string"),
    ],
)
def test_unreadable_case_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "cases.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["eval", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]


def test_own_signal_is_not_scored_for_partly_and_unknown(understanding: Understanding) -> None:
    cases = [
        Case(id="p", kind="answer", text="deels", question="union.present", stance="partly"),
        Case(
            id="u",
            kind="answer",
            text="geen idee",
            question="union.present",
            stance="unknown",
            signals=("no_union",),
        ),
    ]
    report = evaluate(understanding, cases)
    assert report.stance_accuracy == 1.0
    assert report.failures == []
    assert report.signal_precision is None  # nothing scored at all


def test_first_held_out_set_is_large_enough() -> None:
    counts = {kind: 0 for kind in ("answer", "faq", "intent")}
    for case in load_cases(OWN_CASES):
        counts[case.kind] += 1
    assert counts["answer"] >= 60
    assert counts["faq"] >= 20
    assert counts["intent"] >= 20


# Held apart: "unseen" and "fresh" were never used to tune the rules nor to train the model.
HELD_APART = [DATA / "understanding_cases_fresh.yaml", DATA / "understanding_cases_unseen.yaml"]


@pytest.mark.parametrize("path", HELD_APART, ids=[p.stem for p in HELD_APART])
def test_held_apart_cases_meet_the_targets(understanding: Understanding, path: Path) -> None:
    report = evaluate(understanding, load_cases(path))
    # A small margin below the product targets: each set has only 50 to 80 answers.
    assert report.stance_accuracy >= 0.88, report.failures
    assert report.signal_f1 >= 0.85, report.failures
    if report.faq_top1 is not None:
        assert report.faq_top1 >= 0.85, report.failures
    if report.intent_accuracy is not None:
        assert report.intent_accuracy >= 0.85, report.failures


# Every example file the model learns from (the earlier tuning and blind sets, the
# development cases, the corpus). These floors describe TRAINING FIT: they guard against
# a broken build, they say nothing about how well understanding generalises.
TRAINING_SETS = sorted(EXAMPLES.glob("*.yaml"))
TRAINING_FLOORS = {
    "stance_accuracy": 0.9,
    "signal_f1": 0.75,  # api-cases lists only the signals its test needed
    "faq_top1": 0.85,
    "intent_accuracy": 0.9,
}


@pytest.mark.parametrize("path", TRAINING_SETS, ids=[p.stem for p in TRAINING_SETS])
def test_training_examples_are_fitted(understanding: Understanding, path: Path) -> None:
    report = evaluate(understanding, load_cases(path))
    for metric, floor in TRAINING_FLOORS.items():
        value = getattr(report, metric)
        if value is not None:
            assert value >= floor, (metric, value, report.failures)


# Written blind by someone who never saw the knowledge base, never read by anyone here
# (only its metrics are looked at, so a failing test shows numbers, not cases) and never
# trained on. The floors sit a little below what the shipped understanding achieves, so a
# regression fails; the rules alone reached signal F1 0.93 here (after tuning on other
# sets), the learned model 0.92.
HOLDOUT = DATA / "understanding_blind_holdout.yaml"
HOLDOUT_FLOORS = {
    "stance_accuracy": 0.92,
    "signal_f1": 0.91,
    "faq_top1": 0.96,
    "intent_accuracy": 0.85,
}


def test_blind_holdout_stays_above_its_floors(understanding: Understanding) -> None:
    report = evaluate(understanding, load_cases(HOLDOUT))
    shown = f"{len(report.failures)} failures"
    for metric, floor in HOLDOUT_FLOORS.items():
        value = getattr(report, metric)
        assert value is not None, (metric, shown)
        assert value >= floor, (metric, value, shown)
