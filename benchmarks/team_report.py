"""How much longer a report takes when a whole works council filled the checklist in.

Run from the project folder:  .venv/bin/python benchmarks/team_report.py [--members N]

Builds the 40-question assessment of the export tests once as one person's answers (the
baseline) and once answered by ``--members`` people (default 25, the largest works
council) who disagree on most questions, and exports both in every format, in the same
run. Prints median times and the ratio team / one person per step, and exits 1 when a
team export takes over the budget: 3 s for this worst case (25 people who each typed
every answer, the long ones included), against 1 s for one person's report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.exports import Format, export
from documents.summary import build_summary
from knowledge.schema import Text
from tests.summary_fixture import (
    fixture_answers,
    fixture_assessment,
    fixture_knowledge,
    report_texts,
)

TEAM_YAML = Path(__file__).resolve().parent.parent / "knowledge/data/ui/team_report.yaml"

BUDGET_SECONDS = 3.0
STANCES = ("yes", "no", "partly", "unknown")


def team_answers(answers: list, members: int) -> list:
    """Every member answers every question, stances spread so that most questions differ."""
    return [
        replace(a, member=f"Lid {m + 1}", stance=STANCES[(m + n) % len(STANCES)])
        for m in range(members)
        for n, a in enumerate(answers)
    ]


def timed(knowledge, assessment, answers, runs: int) -> dict[str, float]:
    timings: dict[str, list[float]] = {"summary": []}
    for _ in range(runs):
        start = time.perf_counter()
        summary = build_summary(knowledge, assessment, answers, "nl")
        timings["summary"].append(time.perf_counter() - start)
        for fmt in Format:
            start = time.perf_counter()
            export(summary, fmt)
            timings.setdefault(fmt.value, []).append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    raw = yaml.safe_load(TEAM_YAML.read_text(encoding="utf-8"))
    team_texts = {key: Text.model_validate(value) for key, value in raw.items()}
    knowledge = fixture_knowledge({**report_texts(), **team_texts})
    answers = fixture_answers()
    alone = timed(knowledge, fixture_assessment(), answers, args.runs)
    names = tuple(f"Lid {m + 1}" for m in range(args.members))
    team = timed(
        knowledge,
        replace(fixture_assessment(), members=names),
        team_answers(answers, args.members),
        args.runs,
    )
    print(f"{len(answers)} answers x {args.members} members vs one person, {args.runs} runs")
    print(f"{'step':<9} {'alone':>8} {'team':>8} {'ratio':>7}")
    for name in alone:
        print(f"{name:<9} {alone[name]:8.3f} {team[name]:8.3f} {team[name] / alone[name]:7.1f}")
    over = [name for name, value in team.items() if value > BUDGET_SECONDS]
    if over:
        print(f"Over budget: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
