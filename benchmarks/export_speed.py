"""How long a report of a 40-question assessment takes, per format (budget: 1 s each).

Run from the project folder:  .venv/bin/python benchmarks/export_speed.py [--runs N]

Builds the summary of the hand-made 40-question assessment used by the export tests
(with a CJK company name, so the PDF loads its fallback font too) and exports it in
every format, in Dutch and English. Prints the median and worst time per format and
exits 1 when any worst time is over the budget. The first run of each format is timed
as well: that is what a user waits for after the bot starts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.exports import Format, export
from documents.summary import build_summary
from tests.summary_fixture import (
    fixture_answers,
    fixture_assessment,
    fixture_knowledge,
)

BUDGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per format and language")
    runs = parser.parse_args().runs
    knowledge, assessment, answers = fixture_knowledge(), fixture_assessment(), fixture_answers()
    timings: dict[str, list[float]] = {"summary": []}
    for _ in range(runs):
        for language in ("nl", "en"):
            start = time.perf_counter()
            summary = build_summary(knowledge, assessment, answers, language)
            timings["summary"].append(time.perf_counter() - start)
            for fmt in Format:
                start = time.perf_counter()
                export(summary, fmt)
                timings.setdefault(fmt.value, []).append(time.perf_counter() - start)
    print(
        f"{len(answers)} answers to {len(knowledge.checklists[0].questions)} questions, "
        f"{runs} runs x 2 languages; budget {BUDGET_SECONDS:.1f} s per export"
    )
    print(f"{'step':<9} {'first':>8} {'median':>8} {'worst':>8}")
    over = []
    for name, values in timings.items():
        print(f"{name:<9} {values[0]:8.3f} {statistics.median(values):8.3f} {max(values):8.3f}")
        if max(values) > BUDGET_SECONDS:
            over.append(name)
    if over:
        print(f"Over budget: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
