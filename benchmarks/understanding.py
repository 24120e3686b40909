"""Benchmark answer understanding against a naive fuzzy-matching baseline, in one run.

    .venv/bin/python benchmarks/understanding.py [CASES.yaml] [--repeat N]

CASES defaults to ../shared/eval/dev-cases.yaml when present, else the hand-written cases
in tests/data/. Both matchers use the full shipped knowledge base and the same phrase
lists; the baseline scores the whole answer with plain ``rapidfuzz.fuzz.WRatio`` against
every phrase list (no negation, clauses, hedges or typo handling) and takes the best list.
It reports accuracy and latency (p50/p99 per call) for both, and the ratios
understanding / baseline. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.loader import load_knowledge  # noqa: E402
from knowledge.schema import Stance  # noqa: E402
from knowledge.understanding import Understanding  # noqa: E402
from knowledge.understanding.evaluation import Case, Report, evaluate, load_cases  # noqa: E402
from knowledge.understanding.types import (  # noqa: E402
    Intent,
    Interpretation,
    SignalHit,
    TopicMatch,
)

DEV_CASES = ROOT.parent / "shared" / "eval" / "dev-cases.yaml"
OWN_CASES = ROOT / "tests" / "data" / "understanding_cases.yaml"
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", help="case file (default: dev cases or own cases)")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the answers")
    args = parser.parse_args(argv)
    path = Path(args.cases) if args.cases else DEV_CASES if DEV_CASES.exists() else OWN_CASES
    cases = load_cases(path)
    knowledge = load_knowledge()
    start = time.perf_counter()
    understanding = Understanding(knowledge)
    build_ms = (time.perf_counter() - start) * 1000
    baseline = Baseline(understanding)
    ours: Report = evaluate(understanding, cases)
    theirs: Report = evaluate(baseline, cases)  # type: ignore[arg-type]
    our_speed = _interpret_latency(cases, understanding, args.repeat)
    their_speed = _interpret_latency(cases, baseline, args.repeat)

    counts = ours.counts
    print(
        f"Cases: {path} ({counts['answer']} answer, {counts['faq']} faq, "
        f"{counts['intent']} intent); understanding built in {build_ms:.0f} ms"
    )
    print(f"{'metric':<18} {'understanding':>13} {'baseline':>9} {'ratio':>6}")
    for name in (
        "stance_accuracy",
        "signal_precision",
        "signal_recall",
        "signal_f1",
        "faq_top1",
        "intent_accuracy",
    ):
        mine, base = getattr(ours, name), getattr(theirs, name)
        print(f"{name:<18} {_fmt(mine):>13} {_fmt(base):>9} {_ratio(mine, base):>6}")
    for key in ("p50", "p99"):
        mine, base = our_speed[key], their_speed[key]
        label = f"interpret {key} ms"
        print(f"{label:<18} {mine:>13.3f} {base:>9.3f} {_ratio(mine, base):>6}")
    print(
        "(ratio = understanding / baseline; for latency lower is better; latency is per "
        f"interpret call over {args.repeat} passes of the answer cases, full knowledge base)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
