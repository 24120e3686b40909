"""Benchmark answer understanding: rules alone, the learned model and a naive baseline.

    .venv/bin/python benchmarks/understanding.py [--cases FILE ...] [--repeat N]
    .venv/bin/python benchmarks/understanding.py --cases NEW_BLIND.yaml --record blind4

For each case file (default: the held-apart sets in tests/data/) it scores, in one run,
the rule engine alone, the learned model (rules' evidence + learned heads) and a naive
baseline: plain ``rapidfuzz.fuzz.WRatio`` of the whole answer against every phrase list
(no negation, clauses, hedges or typo handling). It prints stance accuracy, signal
precision/recall/F1, FAQ top-1, intent accuracy, confirm rate and silent-error rate (at
the engine's confirm threshold) and ``interpret`` latency p50/p99, with the ratios
learned / rules and learned / baseline. ``--record NAME`` appends the figures of a set's
FIRST scoring to benchmarks/history/understanding.jsonl (set, date, commit, figures per
engine); a set already recorded is not recorded again. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.loader import load_knowledge  # noqa: E402
from knowledge.schema import Stance  # noqa: E402
from knowledge.understanding import Understanding  # noqa: E402
from knowledge.understanding.evaluation import (  # noqa: E402
    METRICS,
    Case,
    Report,
    evaluate,
    load_cases,
)
from knowledge.understanding.types import (  # noqa: E402
    CONFIRM_THRESHOLD,
    Intent,
    Interpretation,
    SignalHit,
    TopicMatch,
)

STANCE_FLOOR = 60.0  # below this best WRatio the baseline says "not an answer"
SIGNAL_FLOOR = 90.0  # a signal phrase must match this well
TOPIC_FLOOR = 80.0
INTENT_FLOOR = 90.0


class Baseline:
    """Plain WRatio of the whole text against each phrase list; the best list wins."""

    def __init__(self, understanding: Understanding) -> None:
        lexicon = understanding.knowledge.lexicon
        self.knowledge = understanding.knowledge
        stances = lexicon.stances
        self.stance_phrases: dict[Stance, list[str]] = {stance: [] for stance in Stance}
        for stance, phrases in stances.particles.items():
            self.stance_phrases[stance].extend(phrases)
        for cue in stances.cues:
            self.stance_phrases[cue.stance].extend(cue.phrases)
        self.signal_phrases: dict[str, list[str]] = {}
        for rule in lexicon.signals.signals:
            phrases = list(rule.phrases)
            for combo in rule.combos:
                for name in combo:
                    phrases.extend(lexicon.signals.concepts[name])
            self.signal_phrases[rule.signal] = [p.replace("...", " ") for p in phrases]
        self.topic_phrases = {
            entry.topic: [*entry.strong, *entry.related, *entry.examples]
            for entry in lexicon.topics.topics
        }
        self.intent_phrases = {
            Intent(intent): [*words.anywhere, *words.alone]
            for intent, words in lexicon.intents.items()
        }

    def interpret(self, question_id: str, text: str) -> Interpretation:
        lowered = text.lower()
        best, best_score = None, STANCE_FLOOR
        for stance, phrases in self.stance_phrases.items():
            found = process.extractOne(lowered, phrases, scorer=fuzz.WRatio)
            if found and found[1] > best_score:
                best, best_score = stance, found[1]
        hits = []
        question = self.knowledge.questions.get(question_id)
        if question is not None and best is question.risk_if:
            hits.append(SignalHit(question.signal, str(best), True))
        for signal, phrases in self.signal_phrases.items():
            found = process.extractOne(lowered, phrases, scorer=fuzz.WRatio)
            if found and found[1] >= SIGNAL_FLOOR and all(h.signal != signal for h in hits):
                hits.append(SignalHit(signal, found[0]))
        return Interpretation(question_id, best, tuple(hits), best_score / 100)

    def lookup(self, text: str) -> TopicMatch | None:
        return _best(text, self.topic_phrases, TOPIC_FLOOR, TopicMatch)

    def detect_intent(self, text: str) -> Intent | None:
        found = _best(text, self.intent_phrases, INTENT_FLOOR, lambda key, _: key)
        return found


def _best(text: str, lists: dict, floor: float, make: Callable) -> object | None:
    lowered = text.lower()
    best, best_score = None, floor
    for key, phrases in lists.items():
        found = process.extractOne(lowered, phrases, scorer=fuzz.WRatio)
        if found and found[1] > best_score:
            best, best_score = key, found[1]
    return make(best, best_score) if best is not None else None


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None:
        return "-"
    if theirs == 0:
        return "inf" if ours else "1.00"
    return f"{ours / theirs:.2f}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _interpret_latency(cases: Sequence[Case], matcher: object, repeat: int) -> dict[str, float]:
    """p50/p99 in ms of ``interpret`` alone over every answer case, ``repeat`` times."""
    samples: list[float] = []
    answers = [case for case in cases if case.kind == "answer"]
    for _ in range(repeat):
        for case in answers:
            start = time.perf_counter()
            matcher.interpret(case.question, case.text)  # type: ignore[attr-defined]
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    if not samples:
        return {"p50": 0.0, "p99": 0.0}
    return {
        "p50": samples[len(samples) // 2],
        "p99": samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))],
    }


ENGINES = ("rules", "learned", "baseline")
HELD_APART = (
    ROOT / "tests" / "data" / "understanding_cases_fresh.yaml",
    ROOT / "tests" / "data" / "understanding_cases_unseen.yaml",
)
HISTORY = ROOT / "benchmarks" / "history" / "understanding.jsonl"


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return found.stdout.strip() or "unknown"


def score_file(path: Path, matchers: dict[str, object], repeat: int) -> dict[str, dict]:
    """Every engine's figures on one case file."""
    cases = load_cases(path)
    figures: dict[str, dict] = {}
    for name, matcher in matchers.items():
        report: Report = evaluate(matcher, cases)  # type: ignore[arg-type]
        row = {metric: getattr(report, metric) for metric in METRICS}
        row["latency_ms"] = {
            k: round(v, 4) for k, v in _interpret_latency(cases, matcher, repeat).items()
        }
        row["counts"] = report.counts
        figures[name] = row
    return figures


def show(path: Path, figures: dict[str, dict]) -> None:
    counts = figures["rules"]["counts"]
    print(f"\n{path} ({counts['answer']} answer, {counts['faq']} faq, {counts['intent']} intent)")
    print(
        f"{'metric':<20} {'rules':>8} {'learned':>8} {'baseline':>8} {'l/rules':>8} {'l/base':>8}"
    )
    for metric in METRICS:
        rules, learned, base = (figures[e][metric] for e in ENGINES)
        print(
            f"{metric:<20} {_fmt(rules):>8} {_fmt(learned):>8} {_fmt(base):>8} "
            f"{_ratio(learned, rules):>8} {_ratio(learned, base):>8}"
        )
    for key in ("p50", "p99"):
        rules, learned, base = (figures[e]["latency_ms"][key] for e in ENGINES)
        label = f"interpret {key} ms"
        print(
            f"{label:<20} {rules:>8.3f} {learned:>8.3f} {base:>8.3f} "
            f"{_ratio(learned, rules):>8} {_ratio(learned, base):>8}"
        )


def record(name: str, path: Path, figures: dict[str, dict]) -> bool:
    """Append the first scores of set ``name``; False when it was recorded before."""
    if HISTORY.exists():
        for line in HISTORY.read_text(encoding="utf-8").splitlines():
            if line.strip() and json.loads(line)["set"] == name:
                return False
    entry = {
        "set": name,
        "file": path.name,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": _commit(),
        "engines": figures,
    }
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    with HISTORY.open("a", encoding="utf-8") as history:
        history.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="case files (same as --cases)")
    parser.add_argument("--cases", nargs="+", default=[], help="case files to score")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the answers")
    parser.add_argument(
        "--record", metavar="NAME", help="record these first scores under NAME in the history"
    )
    args = parser.parse_args(argv)
    paths = [Path(p) for p in [*args.paths, *args.cases]] or list(HELD_APART)
    if args.record and len(paths) != 1:
        parser.error("--record takes exactly one case file")
    knowledge = load_knowledge()
    start = time.perf_counter()
    learned = Understanding(knowledge)
    build_ms = (time.perf_counter() - start) * 1000
    if learned.learned is None:
        print(f"No learned model: {learned.model_problem}", file=sys.stderr)
        return 2
    rules = Understanding(knowledge, learned=False)
    matchers = {"rules": rules, "learned": learned, "baseline": Baseline(rules)}
    print(f"Understanding built in {build_ms:.0f} ms; confirm threshold {CONFIRM_THRESHOLD}")
    for path in paths:
        figures = score_file(path, matchers, args.repeat)
        show(path, figures)
        if args.record:
            recorded = record(args.record, path, figures)
            print(
                f"recorded as {args.record!r} in {HISTORY}"
                if recorded
                else f"{args.record!r} is already in {HISTORY}: first scores are kept"
            )
    print(
        "\n(l/rules, l/base = learned / rules, learned / baseline; for latency lower is "
        f"better; latency is per interpret call over {args.repeat} passes, full knowledge base)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
