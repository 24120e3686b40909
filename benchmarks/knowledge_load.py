"""How long loading and validating the whole knowledge base takes, next to a baseline.

Run: ``.venv/bin/python benchmarks/knowledge_load.py``

The baseline, measured in the same run, is only parsing the same YAML files with PyYAML's
pure-Python safe loader (what a naive loader would do, without any validation). The
target is "well under a second" for the full load, which happens once at start-up.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.loader import DEFAULT_KNOWLEDGE_DIR, load_knowledge

ROUNDS = 15


def parse_only() -> None:
    """Baseline: parse every YAML file with the pure-Python loader, no checks."""
    for path in sorted(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            yaml.load(handle, Loader=yaml.SafeLoader)


def timed(action) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    load_knowledge()  # warm imports
    full = timed(load_knowledge)
    base = timed(parse_only)
    full_median, base_median = statistics.median(full), statistics.median(base)
    files = len(list(DEFAULT_KNOWLEDGE_DIR.rglob("*.yaml")))
    print(f"knowledge base: {files} YAML files, {ROUNDS} rounds each")
    for label, samples in (("full load + validation", full), ("baseline (parse only)", base)):
        median, worst = statistics.median(samples) * 1000, max(samples) * 1000
        print(f"{label:23}: median {median:7.1f} ms, max {worst:7.1f} ms")
    print(f"ratio full / baseline  : {full_median / base_median:.2f}")
    print(f"budget 1 s             : {'met' if max(full) < 1.0 else 'MISSED'}")


if __name__ == "__main__":
    main()
