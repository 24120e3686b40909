"""Build the learned model from the labelled examples (scikit-learn; training only).

    imvo-coach model build            # writes knowledge/data/understanding/model/

Every head is a logistic regression over the features of ``features.py``. Its
probabilities are calibrated by temperature scaling fitted on cross-validated
predictions, where the folds are grouped by example file (one writer's style never sits
on both sides of a fold). The same folds give the figures stored in the model's report.
Rows, features and classes are sorted, the solver is deterministic and the weights are
rounded, so the same examples give a byte-identical model file.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.understanding.evaluation import NO_TOPIC, Case, load_cases
from knowledge.understanding.features import Features, doubtful
from knowledge.understanding.learned import NOT_AN_ANSWER, Heads
from knowledge.understanding.model_file import (
    DECIMALS,
    FORMAT,
    Head,
    encode_weights,
    examples_digest,
    examples_dir,
)
from knowledge.understanding.types import Intent

if TYPE_CHECKING:
    from knowledge.loader import KnowledgeBase
    from knowledge.understanding.understanding import Understanding

STANCES = ("yes", "no", "partly", "unknown", NOT_AN_ANSWER)
INTENTS = (NOT_AN_ANSWER, *(intent.value for intent in Intent))
MIN_COUNT = 2  # a feature seen in fewer examples is dropped (noise, and a smaller file)
MIN_POSITIVE = 8  # a signal with fewer stated examples is left to the rules
FOLDS = 5
C = {"stance": 0.5, "signals": 20.0, "intent": 1.0, "topic": 1.0}
# navigation is rare among all texts: balanced classes read a new writer's navigation
# better (grouped cross-validation: 0.78 against 0.73 on the held-out intent writer)
CLASS_WEIGHT: dict[str, str | None] = {"stance": None, "intent": "balanced"}
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(6.0), 60))


@dataclass(frozen=True)
class Example:
    case: Case
    group: str  # the file (or writer) it came from: folds never split a group


@dataclass
class Rows:
    """One head's training rows."""

    features: list[Features]
    labels: list[Any]  # a class name, or a set of class names for signals
    doubt: list[bool]
    owner: list[int]  # index of the example each row came from


def load_examples(knowledge_dir: Path) -> list[Example]:
    """Every example file, in name order; a corpus chunk "W3-02" belongs to writer "W3"."""
    examples = []
    for path in sorted(examples_dir(knowledge_dir).glob("*.yaml")):
        group = re.sub(r"-\d+$", "", path.stem)
        examples += [Example(case, group) for case in load_cases(path)]
    return examples


def _stated_signals(understanding: Understanding, case: Case) -> set[str]:
    """Labelled signals except the own signal implied by a risk stance."""
    question = understanding.knowledge.questions.get(case.question)
    signals = set(case.signals)
    if question is not None and question.risk_if and case.stance == question.risk_if.value:
        signals.discard(question.signal)
    return signals


SIGNAL_PREFIXES = ("sig:", "t:", "r:", "q:", "w:", "doubt")


def signal_features(features: Features) -> Features:
    """The signal head sees the rules' hits and single words (n-grams would overfit)."""
    return {k: v for k, v in features.items() if k.startswith(SIGNAL_PREFIXES)}


def build_rows(understanding: Understanding, examples: Sequence[Example]) -> dict[str, Rows]:
    """The rows of every head, from the rules' reading of each example."""
    evidence = understanding.evidence
    question_ids = sorted(understanding.knowledge.questions)
    rows = {name: Rows([], [], [], []) for name in ("stance", "signals", "intent", "topic")}

    def add(head: str, features: Features, label: Any, doubt: bool, owner: int) -> None:
        target = rows[head]
        target.features.append(features)
        target.labels.append(label)
        target.doubt.append(doubt)
        target.owner.append(owner)

    for owner, example in enumerate(examples):
        case = example.case
        if case.kind == "answer":
            reading, features = evidence.answer(case.question, case.text)
            add("stance", features, case.stance, doubtful(reading), owner)
            add(
                "signals",
                signal_features(features),
                _stated_signals(understanding, case),
                False,
                owner,
            )
        elif (case.kind == "faq" and case.topic != NO_TOPIC) or (
            case.kind == "intent" and case.intent != NO_TOPIC
        ):
            # a knowledge question or navigation typed during a question is not an answer
            question = question_ids[zlib.crc32(case.id.encode()) % len(question_ids)]
            reading, features = evidence.answer(question, case.text)
            add("stance", features, NOT_AN_ANSWER, doubtful(reading), owner)
        intent_features = evidence.intent(case.text)
        if intent_features is not None:
            label = case.intent if case.kind == "intent" else NOT_AN_ANSWER
            add("intent", intent_features, label, False, owner)
        if case.kind == "faq":
            for topic, pair in evidence.topic_pairs(case.text):
                add("topic", pair, "match" if topic == case.topic else "other", False, owner)
    return rows


def _vocabulary(features: Sequence[Features]) -> list[str]:
    counts: dict[str, int] = {}
    for row in features:
        for name in row:
            counts[name] = counts.get(name, 0) + 1
    return sorted(name for name, count in counts.items() if count >= MIN_COUNT)


def _matrix(features: Sequence[Features], index: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix

    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for row in features:
        for name in sorted(row):
            column = index.get(name)
            if column is not None:
                columns.append(column)
                data.append(row[name])
        pointers.append(len(columns))
    return csr_matrix((data, columns, pointers), shape=(len(features), len(index)))


def _classes(head: str, rows: Rows) -> tuple[str, ...]:
    if head == "stance":
        return STANCES
    if head == "intent":
        return INTENTS
    if head == "topic":
        return ("match",)
    counts: dict[str, int] = {}
    for labels in rows.labels:
        for signal in labels:
            counts[signal] = counts.get(signal, 0) + 1
    return tuple(sorted(s for s, n in counts.items() if n >= MIN_POSITIVE))


def _targets(head: str, rows: Rows, classes: Sequence[str], picked: Sequence[int]) -> np.ndarray:
    """Class index per row (softmax heads) or a 0/1 matrix (one column per class)."""
    if head in ("stance", "intent"):
        return np.array([classes.index(rows.labels[i]) for i in picked])
    if head == "topic":
        return np.array([[rows.labels[i] == "match"] for i in picked], dtype=int)
    return np.array([[c in rows.labels[i] for c in classes] for i in picked], dtype=int)


def fit_head(head: str, rows: Rows, picked: Sequence[int], classes: Sequence[str]) -> Head:
    """One head fitted on the rows ``picked`` (temperature 1 until calibrated)."""
    from sklearn.linear_model import LogisticRegression

    features = [rows.features[i] for i in picked]
    vocabulary = _vocabulary(features)
    index = {name: column for column, name in enumerate(vocabulary)}
    matrix = _matrix(features, index)
    targets = _targets(head, rows, classes, picked)
    softmax = head in ("stance", "intent")
    weights = np.zeros((len(vocabulary), len(classes)))
    bias = np.zeros(len(classes))
    if softmax:
        present = sorted(set(targets.tolist()))
        model = LogisticRegression(C=C[head], max_iter=3000, class_weight=CLASS_WEIGHT[head])
        model.fit(matrix, targets)
        if len(present) > 2:
            for row, label in enumerate(present):
                weights[:, label] = model.coef_[row]
                bias[label] = model.intercept_[row]
        else:  # two classes: one logit, the first class at zero
            weights[:, present[1]] = model.coef_[0]
            bias[present[1]] = model.intercept_[0]
        for label in range(len(classes)):
            if label not in present:
                bias[label] = -30.0  # never seen in training: never predicted
    else:
        for column in range(len(classes)):
            target = targets[:, column]
            if target.min() == target.max():
                bias[column] = 30.0 if target[0] else -30.0
                continue
            model = LogisticRegression(C=C[head], max_iter=3000)
            model.fit(matrix, target)
            weights[:, column] = model.coef_[0]
            bias[column] = model.intercept_[0]
    weights = weights.astype(np.float16).astype(np.float32)
    bias = np.round(bias, DECIMALS).astype(np.float32)
    return Head(tuple(classes), index, weights, bias, {"plain": 1.0, "doubt": 1.0}, softmax)


def _folds(examples: Sequence[Example]) -> list[int]:
    """Fold of each example: whole groups, largest first onto the smallest fold."""
    sizes: dict[str, int] = {}
    for example in examples:
        sizes[example.group] = sizes.get(example.group, 0) + 1
    load = [0] * FOLDS
    fold_of: dict[str, int] = {}
    for group in sorted(sizes, key=lambda g: (-sizes[g], g)):
        fold = load.index(min(load))
        fold_of[group] = fold
        load[fold] += sizes[group]
    return [fold_of[example.group] for example in examples]


def _nll(head: Head, logits: np.ndarray, targets: np.ndarray, temperature: float) -> float:
    scaled = logits / temperature
    if head.softmax:
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float((log_norm - scaled[np.arange(len(targets)), targets]).sum())
    probability = np.clip(1 / (1 + np.exp(-scaled)), 1e-9, 1 - 1e-9)
    return float(-(targets * np.log(probability) + (1 - targets) * np.log(1 - probability)).sum())


def calibrate(
    head_name: str, rows: Rows, classes: Sequence[str], folds: list[int], heads: list[Head]
) -> dict[str, float]:
    """Temperatures (plain rows, doubtful rows) minimising the cross-validated NLL."""
    logits: list[np.ndarray] = []
    order: list[int] = []
    for fold, head in enumerate(heads):
        for i, owner in enumerate(rows.owner):
            if folds[owner] == fold:
                logits.append(head.logits(rows.features[i]))
                order.append(i)
    all_logits = np.array(logits)
    targets = _targets(head_name, rows, classes, order)
    template = heads[0]
    temperature: dict[str, float] = {}
    for key, wanted in (("plain", False), ("doubt", True)):
        mask = np.array([rows.doubt[i] == wanted for i in order])
        if head_name != "stance" or mask.sum() < 10:
            mask = np.ones(len(order), dtype=bool)
        best = min(TEMPERATURES, key=lambda t: _nll(template, all_logits[mask], targets[mask], t))
        temperature[key] = round(float(best), 3)
    return temperature


def train(
    understanding: Understanding, examples: Sequence[Example]
) -> tuple[dict[str, Head], list[Heads]]:
    """The final heads and one set of heads per fold (both calibrated)."""
    rows = build_rows(understanding, examples)
    folds = _folds(examples)
    final: dict[str, Head] = {}
    per_fold: list[dict[str, Head]] = [{} for _ in range(FOLDS)]
    for name, head_rows in rows.items():
        classes = _classes(name, head_rows)
        fold_heads = []
        for fold in range(FOLDS):
            picked = [i for i, o in enumerate(head_rows.owner) if folds[o] != fold]
            fold_heads.append(fit_head(name, head_rows, picked, classes))
        temperature = calibrate(name, head_rows, classes, folds, fold_heads)
        for fold, head in enumerate(fold_heads):
            per_fold[fold][name] = _with_temperature(head, temperature)
        everything = list(range(len(head_rows.owner)))
        final[name] = _with_temperature(
            fit_head(name, head_rows, everything, classes), temperature
        )
    return final, [Heads(**heads) for heads in per_fold]


def train_final(
    understanding: Understanding,
    examples: Sequence[Example],
    temperatures: dict[str, dict[str, float]],
) -> dict[str, Head]:
    """The final heads alone, with temperatures already known (to check a model)."""
    rows = build_rows(understanding, examples)
    final = {}
    for name, head_rows in rows.items():
        classes = _classes(name, head_rows)
        everything = list(range(len(head_rows.owner)))
        head = fit_head(name, head_rows, everything, classes)
        final[name] = _with_temperature(head, temperatures[name])
    return final


def _with_temperature(head: Head, temperature: dict[str, float]) -> Head:
    return Head(head.classes, head.index, head.weights, head.bias, temperature, head.softmax)


def head_json(head: Head) -> dict[str, Any]:
    features = sorted(head.index, key=head.index.__getitem__)
    return {
        "classes": list(head.classes),
        "features": features,
        "weights": encode_weights(head.weights),
        "bias": [round(float(b), DECIMALS) for b in head.bias],
        "temperature": head.temperature,
        "softmax": head.softmax,
    }


def model_json(
    knowledge: KnowledgeBase, heads: dict[str, Head], report: dict[str, Any]
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "examples_digest": examples_digest(knowledge.directory),
        "heads": {name: head_json(head) for name, head in sorted(heads.items())},
        "report": report,
    }
