"""Same words, same understanding: `imvo-coach eval` gives identical results whatever
PYTHONHASHSEED the process gets (no decision rests on the iteration order of a set or
dict of strings). Typo-laden cases, because typo correction once chose among equally
near words in hash order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

SEEDS = ("0", "1", "2", "5")  # under the old speller 0 and 5 found the topic, 1 and 2 not
CASES = [
    {
        "id": "seed-faq-1",
        "kind": "faq",
        "lang": "nl",
        "text": "waarom is stoppe met een leverancier nie de beste oplossing",
        "topic": "improvement_not_exclusion",
    },
    {
        "id": "seed-faq-2",
        "kind": "faq",
        "lang": "nl",
        "text": "wat is gepaste zorgvuldigheit precies",
        "topic": "due_diligence",
    },
    {
        "id": "seed-answer-1",
        "kind": "answer",
        "question": "union.present",
        "lang": "nl",
        "text": "neej er is gen vakbnd hier",
        "stance": "no",
        "signals": [],
    },
    {
        "id": "seed-answer-2",
        "kind": "answer",
        "question": "policy.public",
        "lang": "nl",
        "text": "ja het beleit staat op de websiet",
        "stance": "yes",
        "signals": [],
    },
    {
        "id": "seed-intent-1",
        "kind": "intent",
        "lang": "nl",
        "text": "sla maar ovr",
        "intent": "skip",
    },
]


def evaluation(cases: Path, seed: str) -> dict:
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "eval", str(cases), "--json"],
        capture_output=True,
        check=True,
        env=environment,
        timeout=300,
    )
    report = json.loads(result.stdout)
    report.pop("latency_ms")  # time is the one thing allowed to differ
    return report


def test_evaluation_is_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(yaml.safe_dump(CASES, allow_unicode=True), encoding="utf-8")
    first, *others = (evaluation(cases, seed) for seed in SEEDS)
    assert first["counts"] == {"answer": 2, "faq": 2, "intent": 1}
    for other in others:
        assert other == first
