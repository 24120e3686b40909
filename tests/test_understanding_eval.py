"""``imvo-coach eval``: scoring rules, exact output keys, clear errors, and our own scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from knowledge.understanding import Understanding
from knowledge.understanding.evaluation import Case, evaluate, load_cases

DATA = Path(__file__).parent / "data"
OWN_CASES = DATA / "understanding_cases.yaml"
JSON_KEYS = {
    "stance_accuracy",
    "signal_precision",
    "signal_recall",
    "signal_f1",
    "faq_top1",
    "intent_accuracy",
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


# Every hand-written set. "unseen" and "fresh" were never used for tuning; the others
# were used to find failure classes, so they guard against regressions.
CASE_SETS = sorted(DATA.glob("understanding_cases*.yaml"))


@pytest.mark.parametrize("path", CASE_SETS, ids=[p.stem for p in CASE_SETS])
def test_hand_written_cases_meet_the_targets(understanding: Understanding, path: Path) -> None:
    report = evaluate(understanding, load_cases(path))
    # A small margin below the product targets: each set has only 50 to 80 answers.
    assert report.stance_accuracy >= 0.88, report.failures
    assert report.signal_f1 >= 0.85, report.failures
    if report.faq_top1 is not None:
        assert report.faq_top1 >= 0.85, report.failures
    if report.intent_accuracy is not None:
        assert report.intent_accuracy >= 0.85, report.failures


# Two sets written blind by someone who never saw the knowledge base: "tune" was used to find
# failure classes, "holdout" never was (nobody here reads its texts; only its metrics are
# looked at, so a failing holdout shows numbers, not cases). Floors sit a little below
# what was achieved, so a regression fails.
BLIND_FLOORS = {
    "understanding_blind_tune.yaml": {
        "stance_accuracy": 0.92,
        "signal_f1": 0.93,
        "faq_top1": 0.96,
        "intent_accuracy": 0.95,
    },
    "understanding_blind_holdout.yaml": {
        "stance_accuracy": 0.92,
        "signal_f1": 0.93,
        "faq_top1": 0.96,
        "intent_accuracy": 0.85,
    },
    # a second blind set in hurried phone / dictation style, scored first at stance 0.77,
    # signal F1 0.83, FAQ 1.0, intent 0.87; its failures were then read to find classes
    # (now 0.92 / 0.96 / 1.0 / 0.97), so like "tune" it no longer measures generalisation
    "understanding_blind2.yaml": {
        "stance_accuracy": 0.90,
        "signal_f1": 0.94,
        "faq_top1": 0.96,
        "intent_accuracy": 0.95,
    },
    # a third blind set in full, careful sentences, scored first at stance 0.86, signal F1
    # 0.94, FAQ 1.0, intent 0.96; its failures were then read to find classes (now 0.97 /
    # 0.98 / 1.0 / 1.0), so it too no longer measures generalisation
    "understanding_blind3.yaml": {
        "stance_accuracy": 0.94,
        "signal_f1": 0.96,
        "faq_top1": 0.95,
        "intent_accuracy": 0.95,
    },
}


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_blind_sets_stay_above_their_floors(understanding: Understanding, name: str) -> None:
    report = evaluate(understanding, load_cases(DATA / name))
    readable = "tune" in name or "blind2" in name or "blind3" in name
    shown = report.failures if readable else f"{len(report.failures)} failures"
    for metric, floor in BLIND_FLOORS[name].items():
        value = getattr(report, metric)
        assert value is not None, (metric, shown)
        assert value >= floor, (metric, value, shown)
