"""The learned model on disk: one gzipped JSON file, byte-identical for the same examples.

Weights are float16 (base64), biases and temperatures rounded, keys sorted and the gzip
header carries no time stamp, so rebuilding from the same examples and knowledge base
gives the same bytes on the same machine. Another machine (other CPU, other BLAS kernels)
may round a few weights to the neighbouring float16 value: ``same_model`` allows that
one step and nothing more. Reading needs only numpy; scikit-learn is used to build it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.understanding.features import Features

FORMAT = 1
MODEL_DIR = Path("understanding") / "model"  # inside the knowledge directory
MODEL_NAME = "model.json.gz"
DIGEST_NAME = "examples.sha256"  # beside the model: which examples it was built from
EXAMPLES_DIR = Path("understanding") / "examples"
DECIMALS = 4


class ModelFileError(Exception):
    """The model file is missing, unreadable or does not match its examples."""


def model_path(knowledge_dir: Path) -> Path:
    return knowledge_dir / MODEL_DIR / MODEL_NAME


def examples_dir(knowledge_dir: Path) -> Path:
    return knowledge_dir / EXAMPLES_DIR


def examples_digest(knowledge_dir: Path) -> str:
    """SHA-256 over the example files (names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(examples_dir(knowledge_dir).glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def check_model(knowledge_dir: Path) -> list[tuple[str, str]]:
    """(file, problem) when the examples exist but the model is missing or stale."""
    if not examples_dir(knowledge_dir).is_dir():
        return []
    where = (MODEL_DIR / MODEL_NAME).as_posix()
    if not model_path(knowledge_dir).is_file():
        return [(where, "missing; run 'imvo-coach model build'")]
    digest_file = knowledge_dir / MODEL_DIR / DIGEST_NAME
    recorded = digest_file.read_text().strip() if digest_file.is_file() else ""
    if recorded != examples_digest(knowledge_dir):
        return [(where, "built from other examples; run 'imvo-coach model build'")]
    return []


def encode_weights(weights: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(weights, dtype="<f2").tobytes()).decode()


def write_model(path: Path, model: dict[str, Any]) -> None:
    """Write ``model`` deterministically (sorted keys, no gzip time stamp)."""
    payload = json.dumps(model, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload.encode(), compresslevel=9, mtime=0))
    (path.parent / DIGEST_NAME).write_text(f"{model['examples_digest']}\n")


def same_model(built: Any, shipped: Any) -> bool:
    """True when two models are equal but for floating-point noise: each weight within one
    float16 step, each bias or temperature within one unit of its last decimal."""
    if isinstance(built, dict) and isinstance(shipped, dict):
        if built.keys() != shipped.keys():
            return False
        return all(
            _same_weights(built[key], shipped[key])
            if key == "weights"
            else same_model(built[key], shipped[key])
            for key in built
        )
    if isinstance(built, list) and isinstance(shipped, list):
        return len(built) == len(shipped) and all(map(same_model, built, shipped))
    if isinstance(built, float) and isinstance(shipped, float | int):
        return abs(built - shipped) <= 1.5 * 10**-DECIMALS * max(1.0, abs(shipped))
    return type(built) is type(shipped) and built == shipped


def _same_weights(built: Any, shipped: Any) -> bool:
    if not isinstance(built, str) or not isinstance(shipped, str):
        return False
    a = np.frombuffer(base64.b64decode(built), dtype="<f2")
    b = np.frombuffer(base64.b64decode(shipped), dtype="<f2")
    if a.shape != b.shape:
        return False
    step = np.spacing(np.maximum(np.abs(a), np.abs(b)))  # one float16 step at that size
    return bool(np.all(np.abs(a.astype(np.float32) - b.astype(np.float32)) <= step))


def read_model(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError as error:
        raise ModelFileError(f"{path}: no model; run 'imvo-coach model build'") from error
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{path}: unreadable model ({error.__class__.__name__})") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelFileError(f"{path}: model format is not {FORMAT}; rebuild it")
    return data


class SharedIndex(Mapping[str, int]):
    """Feature name -> weight row of one head, over one vocabulary shared by all heads.

    Why: the stance and intent heads share almost all of their ~64,000 n-gram features;
    one dict of names for all heads instead of one per head saves about 3 MB of the
    running bot's memory (measured).
    """

    def __init__(self, vocabulary: dict[str, int], rows: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.rows = rows  # vocabulary id -> row, -1 where this head has no such feature

    def __getitem__(self, name: str) -> int:
        row = int(self.rows[self.vocabulary[name]])
        if row < 0:
            raise KeyError(name)
        return row

    def __iter__(self) -> Iterator[str]:
        return (name for name, at in self.vocabulary.items() if self.rows[at] >= 0)

    def __len__(self) -> int:
        return int((self.rows >= 0).sum())

    def rows_of(self, names: Iterable[str]) -> np.ndarray:
        get = self.vocabulary.get
        ids = np.array([get(name, -1) for name in names], dtype=np.int64)
        found = ids >= 0
        rows = np.full(len(ids), -1, dtype=np.int64)
        rows[found] = self.rows[ids[found]]
        return rows


def shared_vocabulary(feature_lists: Iterable[list[str]]) -> dict[str, int]:
    """One id per feature name over all heads (first seen first)."""
    vocabulary: dict[str, int] = {}
    for features in feature_lists:
        for name in features:
            vocabulary.setdefault(name, len(vocabulary))
    return vocabulary


@dataclass(frozen=True)
class Head:
    """One linear head: weights per feature and class, a bias, and its temperatures."""

    classes: tuple[str, ...]
    index: Mapping[str, int]  # feature name -> row of ``weights``
    weights: np.ndarray  # (features, classes) float32
    bias: np.ndarray
    temperature: dict[str, float]  # "plain" and "doubt"
    softmax: bool  # one class of many; else each class on its own (sigmoid)

    @classmethod
    def from_json(cls, spec: dict[str, Any], vocabulary: dict[str, int] | None = None) -> Head:
        """A head from its JSON; with ``vocabulary`` (holding every feature of ``spec``) its
        index shares the feature names with the other heads."""
        features = spec["features"]
        raw = base64.b64decode(spec["weights"])
        weights = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        weights = weights.reshape(len(features), len(spec["classes"]))
        index: Mapping[str, int]
        if vocabulary is None:
            index = {name: row for row, name in enumerate(features)}
        else:
            rows = np.full(len(vocabulary), -1, dtype=np.int32)
            rows[[vocabulary[name] for name in features]] = np.arange(len(features))
            index = SharedIndex(vocabulary, rows)
        return cls(
            classes=tuple(spec["classes"]),
            index=index,
            weights=weights,
            bias=np.asarray(spec["bias"], dtype=np.float32),
            temperature=dict(spec["temperature"]),
            softmax=bool(spec["softmax"]),
        )

    def logits(self, features: Features) -> np.ndarray:
        index = self.index
        if isinstance(index, SharedIndex):
            rows = index.rows_of(features)
        else:
            rows = np.fromiter((index.get(name, -1) for name in features), dtype=np.int64)
        found = rows >= 0
        if not found.any():
            return self.bias.copy()
        values = np.fromiter(features.values(), dtype=np.float32, count=len(features))
        return values[found] @ self.weights[rows[found]] + self.bias

    def probabilities(self, features: Features, doubt: bool = False) -> np.ndarray:
        """Calibrated probabilities (temperature-scaled) per class."""
        key = "doubt" if doubt and "doubt" in self.temperature else "plain"
        scaled = self.logits(features) / self.temperature[key]
        if self.softmax:
            scaled = np.exp(scaled - scaled.max())
            return scaled / scaled.sum()
        return 1.0 / (1.0 + np.exp(-scaled))

    def contributions(
        self, features: Features, column: int, prefix: str
    ) -> list[tuple[str, float]]:
        """The features with ``prefix`` that pushed class ``column`` up, strongest first."""
        found = [
            (name, float(self.weights[self.index[name], column]) * value)
            for name, value in features.items()
            if name.startswith(prefix) and name in self.index
        ]
        return sorted((item for item in found if item[1] > 0), key=lambda item: -item[1])
