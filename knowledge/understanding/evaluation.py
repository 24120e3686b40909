"""Score answer understanding on labelled cases (the format of shared/eval/README.md).

Scoring rules:
- stance accuracy: share of answer cases whose stance is right;
- signals: micro precision/recall/F1 over answer cases; when the expected stance is
  partly or unknown, the question's own signal is neither required nor counted wrong;
- FAQ top-1: the best topic equals the label; for ``topic: none`` no topic is right;
- intent accuracy: the detected intent equals the label.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.schema import Stance
from knowledge.understanding.types import CONFIRM_THRESHOLD
from knowledge.understanding.understanding import Understanding

KINDS = ("answer", "faq", "intent")
NO_TOPIC = "none"


class CaseFileError(Exception):
    """Raised when a case file cannot be read or a case is malformed (one-line message)."""


# The figures of an evaluation, in the order reports show them.
METRICS = (
    "stance_accuracy",
    "signal_precision",
    "signal_recall",
    "signal_f1",
    "faq_top1",
    "intent_accuracy",
    "confirm_rate",
    "silent_error_rate",
)


@dataclass(frozen=True)
class Case:
    """One labelled example."""

    id: str
    kind: str
    text: str
    lang: str = ""
    question: str = ""
    stance: str = ""
    signals: tuple[str, ...] = ()
    topic: str = ""
    intent: str = ""


@dataclass
class Report:
    """The metrics of one evaluation run."""

    stance_accuracy: float | None
    signal_precision: float | None
    signal_recall: float | None
    signal_f1: float | None
    faq_top1: float | None
    intent_accuracy: float | None
    confirm_rate: float | None  # answers below the confirm threshold (the bot asks)
    silent_error_rate: float | None  # answers with a wrong stance at or above it (stored)
    counts: dict[str, int]
    latency_ms: dict[str, float]
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "stance_accuracy": self.stance_accuracy,
            "signal_precision": self.signal_precision,
            "signal_recall": self.signal_recall,
            "signal_f1": self.signal_f1,
            "faq_top1": self.faq_top1,
            "intent_accuracy": self.intent_accuracy,
            "confirm_rate": self.confirm_rate,
            "silent_error_rate": self.silent_error_rate,
            "counts": self.counts,
            "latency_ms": self.latency_ms,
            "failures": self.failures,
        }


def load_cases(path: Path | str) -> list[Case]:
    """Read and check a case file; raise ``CaseFileError`` with a one-line reason."""
    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CaseFileError(f"{source}: file not found") from error
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(f"{source}: cannot read ({error.__class__.__name__})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise CaseFileError(f"{source}:{where} invalid YAML") from error
    if not isinstance(data, list):
        raise CaseFileError(f"{source}: expected a list of cases")
    return [_case(source, index, raw) for index, raw in enumerate(data)]


def _case(source: Path, index: int, raw: Any) -> Case:
    where = f"{source}: case {index + 1}"
    if not isinstance(raw, Mapping):
        raise CaseFileError(f"{where}: expected a mapping")
    where = f"{where} ({raw.get('id', '?')})"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CaseFileError(f"{where}: kind must be one of {', '.join(KINDS)}")
    text = raw.get("text")
    if not isinstance(text, str):
        raise CaseFileError(f"{where}: 'text' must be a string")
    required = {"answer": ("question", "stance"), "faq": ("topic",), "intent": ("intent",)}[kind]
    values: dict[str, Any] = {}
    for key in required:
        value = raw.get(key)
        if isinstance(value, bool) or value is None:
            raise CaseFileError(f'{where}: \'{key}\' is missing (quote "yes"/"no")')
        values[key] = str(value)
    if kind == "answer" and values["stance"] not in {s.value for s in Stance}:
        raise CaseFileError(f"{where}: unknown stance {values['stance']!r}")
    signals = raw.get("signals") or []
    if not isinstance(signals, list):
        raise CaseFileError(f"{where}: 'signals' must be a list")
    return Case(
        id=str(raw.get("id", index + 1)),
        kind=kind,
        text=text,
        lang=str(raw.get("lang", "")),
        signals=tuple(str(s) for s in signals),
        **values,
    )


def _ratio(good: int, total: int) -> float | None:
    return round(good / total, 4) if total else None


def _percentile(samples: Sequence[float], share: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return round(ordered[index], 4)


def scored_signals(
    understanding: Understanding, case: Case, found: Sequence[str]
) -> tuple[set[str], set[str]]:
    """(expected, got) signal sets after the partly/unknown rule for the own signal."""
    expected, got = set(case.signals), set(found)
    if case.stance in (Stance.PARTLY, Stance.UNKNOWN):
        question = understanding.knowledge.questions.get(case.question)
        if question is not None:
            expected.discard(question.signal)
            got.discard(question.signal)
    return expected, got


def evaluate(
    understanding: Understanding,
    cases: Sequence[Case],
    clock: Callable[[], float] = time.perf_counter,
    threshold: float = CONFIRM_THRESHOLD,
) -> Report:
    """Run every case once and score it; ``threshold`` is the engine's confirm threshold."""
    counts = dict.fromkeys(KINDS, 0)
    stance_ok = faq_ok = intent_ok = confirmed = silent = 0
    true_pos = false_pos = false_neg = 0
    latencies: list[float] = []
    failures: list[dict[str, Any]] = []
    for case in cases:
        counts[case.kind] += 1
        start = clock()
        if case.kind == "answer":
            result = understanding.interpret(case.question, case.text)
            latencies.append((clock() - start) * 1000)
            stance = result.stance.value if result.stance else None
            expected, got = scored_signals(understanding, case, result.signal_ids)
            true_pos += len(expected & got)
            false_pos += len(got - expected)
            false_neg += len(expected - got)
            stance_ok += stance == case.stance
            sure = result.is_sure(threshold)
            confirmed += not sure
            silent += sure and stance != case.stance
            if stance != case.stance or expected != got:
                failures.append(
                    {
                        "id": case.id,
                        "kind": case.kind,
                        "question": case.question,
                        "text": case.text,
                        "expected": {"stance": case.stance, "signals": sorted(case.signals)},
                        "got": {
                            "stance": stance,
                            "signals": sorted(result.signal_ids),
                            "confidence": result.confidence,
                        },
                    }
                )
        elif case.kind == "faq":
            match = understanding.lookup(case.text)
            latencies.append((clock() - start) * 1000)
            topic = match.topic_id if match else NO_TOPIC
            faq_ok += topic == case.topic
            if topic != case.topic:
                failures.append(
                    {
                        "id": case.id,
                        "kind": case.kind,
                        "text": case.text,
                        "expected": case.topic,
                        "got": topic if not match else f"{topic} ({match.score:.0f})",
                    }
                )
        else:
            intent = understanding.detect_intent(case.text)
            latencies.append((clock() - start) * 1000)
            got_intent = intent.value if intent else NO_TOPIC
            intent_ok += got_intent == case.intent
            if got_intent != case.intent:
                failures.append(
                    {
                        "id": case.id,
                        "kind": case.kind,
                        "text": case.text,
                        "expected": case.intent,
                        "got": got_intent,
                    }
                )
    precision = _ratio(true_pos, true_pos + false_pos)
    recall = _ratio(true_pos, true_pos + false_neg)
    f1 = (
        round(2 * precision * recall / (precision + recall), 4)
        if precision and recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return Report(
        stance_accuracy=_ratio(stance_ok, counts["answer"]),
        signal_precision=precision,
        signal_recall=recall,
        signal_f1=f1,
        faq_top1=_ratio(faq_ok, counts["faq"]),
        intent_accuracy=_ratio(intent_ok, counts["intent"]),
        confirm_rate=_ratio(confirmed, counts["answer"]),
        silent_error_rate=_ratio(silent, counts["answer"]),
        counts=counts,
        latency_ms={"p50": _percentile(latencies, 0.5), "p99": _percentile(latencies, 0.99)},
        failures=failures,
    )
