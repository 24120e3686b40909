"""``imvo-coach model build``: train, measure by grouped cross-validation, write the model.

The report stored in the model (and printed) holds the cross-validated figures of the
learned model and of the rules alone on the same examples, and the confirm/silent-error
trade-off per threshold, from which ``types.CONFIRM_THRESHOLD`` is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge.understanding.evaluation import METRICS, Case, Report, evaluate
from knowledge.understanding.learned import LearnedReader
from knowledge.understanding.model_file import (
    ModelFileError,
    examples_dir,
    model_path,
    read_model,
    same_model,
    write_model,
)
from knowledge.understanding.training import (
    FOLDS,
    Example,
    _folds,
    load_examples,
    model_json,
    train,
    train_final,
)
from knowledge.understanding.types import CONFIRM_THRESHOLD
from knowledge.understanding.understanding import Understanding

SILENT_TARGET = 0.03
# corpus writers ("W1-03.yaml" is writer W1): never seen by the rules' authors, so the
# rules' figures on them are first scores, and the model's are held-out-writer scores
WRITER = re.compile(r"^W\d+[A-Z]*$")
THRESHOLDS = [round(0.5 + 0.01 * step, 2) for step in range(50)]


def _figures(report: Report) -> dict[str, Any]:
    figures = {name: getattr(report, name) for name in METRICS}
    figures["counts"] = report.counts
    return figures


def _confidences(understanding: Understanding, cases: Sequence[Case]) -> list[tuple[float, bool]]:
    """(confidence, stance right) of every answer case."""
    found = []
    for case in cases:
        if case.kind == "answer":
            result = understanding.interpret(case.question, case.text)
            stance = result.stance.value if result.stance else None
            # a hedged lean, or a text read as no answer, is always asked about
            confidence = result.confidence if result.is_sure(0.0) else -1.0
            found.append((confidence, stance == case.stance))
    return found


def tradeoff(confidences: Sequence[tuple[float, bool]]) -> list[dict[str, float]]:
    """Confirm rate and silent-error rate at each candidate threshold."""
    total = len(confidences) or 1
    rows = []
    for threshold in THRESHOLDS:
        confirm = sum(1 for c, _ in confidences if c < threshold) / total
        silent = sum(1 for c, ok in confidences if c >= threshold and not ok) / total
        rows.append(
            {"threshold": threshold, "confirm": round(confirm, 4), "silent": round(silent, 4)}
        )
    return rows


def suggested_threshold(rows: Sequence[dict[str, float]]) -> float:
    """The lowest threshold whose silent errors meet the target (fewest confirmations)."""
    for row in rows:
        if row["silent"] <= SILENT_TARGET:
            return row["threshold"]
    return rows[-1]["threshold"]


def cross_validate(
    understanding: Understanding, examples: Sequence[Example], fold_heads: list
) -> dict[str, Any]:
    """Scores of each fold's model on the examples it never saw, pooled."""
    folds = _folds(examples)
    learned_cases: list[Case] = []
    confidences: list[tuple[float, bool]] = []
    reports: list[tuple[str, Report]] = []
    by_writer: dict[str, dict[str, Any]] = {}
    writers = sorted({e.group for e in examples if WRITER.match(e.group)})
    for fold in range(FOLDS):
        cases = [e.case for e, f in zip(examples, folds, strict=True) if f == fold]
        understanding.learned = LearnedReader(fold_heads[fold], understanding.evidence)
        learned_cases += cases
        confidences += _confidences(understanding, cases)
        reports.append(("learned", evaluate(understanding, cases)))
        for writer in writers:
            own = [e.case for e, f in zip(examples, folds, strict=True) if e.group == writer]
            if own and folds[next(i for i, e in enumerate(examples) if e.group == writer)] == fold:
                by_writer[writer] = {"learned": _figures(evaluate(understanding, own))}
    understanding.learned = None
    for writer in writers:
        own = [e.case for e in examples if e.group == writer]
        by_writer[writer]["rules"] = _figures(evaluate(understanding, own))
    pooled = _pool([r for _, r in reports])
    rules = evaluate(understanding, learned_cases)
    rows = tradeoff(confidences)
    groups = sorted({e.group for e in examples})
    return {
        "folds": FOLDS,
        "groups": groups,
        "learned": pooled,
        "rules": _figures(rules),
        "writers": by_writer,
        "confirm_threshold": CONFIRM_THRESHOLD,
        "suggested_threshold": suggested_threshold(rows),
        "tradeoff": rows,
    }


def _pool(reports: Sequence[Report]) -> dict[str, Any]:
    """Micro-average of the fold reports, weighted by their case counts."""
    pooled: dict[str, Any] = {}
    weights = {
        "stance_accuracy": "answer",
        "confirm_rate": "answer",
        "silent_error_rate": "answer",
        "faq_top1": "faq",
        "intent_accuracy": "intent",
    }
    for name, kind in weights.items():
        parts = [
            (getattr(r, name), r.counts[kind]) for r in reports if getattr(r, name) is not None
        ]
        total = sum(n for _, n in parts)
        pooled[name] = round(sum(v * n for v, n in parts) / total, 4) if total else None
    # signals: average of the fold figures weighted by answers (an approximation of micro)
    for name in ("signal_precision", "signal_recall", "signal_f1"):
        parts = [(getattr(r, name), r.counts["answer"]) for r in reports if getattr(r, name)]
        total = sum(n for _, n in parts)
        pooled[name] = round(sum(v * n for v, n in parts) / total, 4) if total else None
    pooled["counts"] = {
        kind: sum(r.counts[kind] for r in reports) for kind in ("answer", "faq", "intent")
    }
    return pooled


def _rules_only(knowledge_dir: Path) -> Understanding:
    from knowledge.errors import KnowledgeBaseError
    from knowledge.loader import check_knowledge

    knowledge, problems = check_knowledge(knowledge_dir, model=False)
    if knowledge is None:
        raise KnowledgeBaseError(problems)
    return Understanding(knowledge, learned=False)


def check_shipped(knowledge_dir: Path, output: Path) -> bool:
    """Refit the shipped model's heads from the examples (its calibration and report are
    taken as they are, skipping the slow cross-validation), write the result to
    ``output`` and say whether it is the shipped model (byte-identical on the machine
    that built it; elsewhere a few weights may land one float16 step away)."""
    understanding = _rules_only(knowledge_dir)
    knowledge = understanding.knowledge
    shipped_path = model_path(knowledge.directory)
    shipped = read_model(shipped_path)
    temperatures = {name: head["temperature"] for name, head in shipped["heads"].items()}
    heads = train_final(understanding, load_examples(knowledge.directory), temperatures)
    write_model(output, model_json(knowledge, heads, shipped["report"]))
    return output.read_bytes() == shipped_path.read_bytes() or same_model(
        read_model(output), shipped
    )


def build_model(knowledge_dir: Path, output: Path | None = None) -> dict[str, Any]:
    """Train on the examples of ``knowledge_dir`` and write the model; returns its report."""
    understanding = _rules_only(knowledge_dir)
    knowledge = understanding.knowledge
    examples = load_examples(knowledge.directory)
    kinds = {example.case.kind for example in examples}
    if kinds != {"answer", "faq", "intent"}:
        folder = examples_dir(knowledge.directory)
        raise ModelFileError(f"{folder}: needs answer, faq and intent examples to learn from")
    heads, fold_heads = train(understanding, examples)
    report = cross_validate(understanding, examples, fold_heads)
    report["examples"] = len(examples)
    write_model(output or model_path(knowledge.directory), model_json(knowledge, heads, report))
    return report
