"""``imvo-coach eval CASES.yaml [--json]``: measure answer understanding on labelled cases.

Always exits 0 after a run (it is a measurement, not a gate); exits 2 when the case file
cannot be read, with one line saying why.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from knowledge.loader import DEFAULT_KNOWLEDGE_DIR, check_knowledge
from knowledge.understanding import Understanding
from knowledge.understanding.evaluation import CaseFileError, Report, evaluate, load_cases
from knowledge.understanding.types import CONFIRM_THRESHOLD

# Targets of the product on the development cases (shown beside the metrics).
TARGETS = {
    "stance_accuracy": 0.92,
    "signal_f1": 0.85,
    "faq_top1": 0.85,
    "intent_accuracy": 0.95,
}
LATENCY_TARGET_P99_MS = 2.0


def register(subparsers: Any) -> None:
    """Add the ``eval`` command."""
    parser = subparsers.add_parser(
        "eval", help="score answer understanding on labelled cases (YAML)"
    )
    parser.add_argument("cases", help="case file, e.g. ../shared/eval/dev-cases.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--knowledge",
        default=str(DEFAULT_KNOWLEDGE_DIR),
        help="knowledge directory (default: the shipped knowledge base)",
    )
    parser.set_defaults(handler=run_eval)


def run_eval(args: argparse.Namespace) -> int:
    """Load the cases and the knowledge base, run, and print the report."""
    try:
        cases = load_cases(args.cases)
    except CaseFileError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    knowledge, problems = check_knowledge(args.knowledge)
    if knowledge is None:
        print(
            f"Error: the knowledge base has {len(problems)} problem(s); "
            "run 'imvo-coach kb validate' to list them",
            file=sys.stderr,
        )
        return 2
    report = evaluate(Understanding(knowledge), cases)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(render(report))
    return 0


def _metric(name: str, value: float | None) -> str:
    if value is None:
        return f"  {name:<18} -  (no cases)"
    target = TARGETS.get(name)
    verdict = ""
    if target is not None:
        verdict = f"  target {target:.2f} {'met' if value >= target else 'MISSED'}"
    return f"  {name:<18} {value:.3f}{verdict}"


def render(report: Report) -> str:
    """The human-readable report: metrics, then every failed case."""
    counts = report.counts
    lines = [
        f"Cases: {counts['answer']} answer, {counts['faq']} faq, {counts['intent']} intent",
        _metric("stance_accuracy", report.stance_accuracy),
        _metric("signal_precision", report.signal_precision),
        _metric("signal_recall", report.signal_recall),
        _metric("signal_f1", report.signal_f1),
        _metric("faq_top1", report.faq_top1),
        _metric("intent_accuracy", report.intent_accuracy),
        _metric("confirm_rate", report.confirm_rate),
        _metric("silent_error_rate", report.silent_error_rate),
        f"  (answers below / wrong at or above the confirm threshold {CONFIRM_THRESHOLD})",
        f"  latency p50 {report.latency_ms['p50']:.3f} ms, p99 {report.latency_ms['p99']:.3f} ms"
        f"  (p99 target {LATENCY_TARGET_P99_MS:.1f} ms)",
        f"Failed cases: {len(report.failures)}",
    ]
    for failure in report.failures:
        lines.append(f"- {failure['id']} [{failure['kind']}] {failure['text']}")
        if failure["kind"] == "answer":
            expected, got = failure["expected"], failure["got"]
            lines.append(f"    question: {failure['question']}")
            lines.append(
                f"    expected: {expected['stance']} {', '.join(expected['signals']) or '-'}"
            )
            lines.append(
                f"    got:      {got['stance']} {', '.join(got['signals']) or '-'}"
                f"  (confidence {got['confidence']:.2f})"
            )
        else:
            lines.append(f"    expected: {failure['expected']}")
            lines.append(f"    got:      {failure['got']}")
    return "\n".join(lines)
