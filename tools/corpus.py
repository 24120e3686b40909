"""Label a new corpus chunk twice and settle it: the workflow behind the W* example files.

    python tools/corpus.py strip   WORK   # unlabelled copies for the second annotator
    python tools/corpus.py compare WORK   # agreement figures and the disagreements
    python tools/corpus.py settle  WORK   # the labelled chunks, ready for examples/

WORK is a folder outside the repository where writers put chunks (``W9-01.yaml`` and an
empty ``W9-01.done`` when finished). The steps, with the briefs in ``tools/briefs/``:

1. A writer who has seen neither the knowledge base nor earlier sets writes chunks
   (``writer.md``). ``strip`` copies each finished chunk to ``WORK/a2/input/`` without
   labels. Strip only after the writer has stopped: a chunk changed later must be
   stripped and labelled again.
2. A second annotator labels those copies blind into ``WORK/a2/`` (``annotator.md``;
   answers, knowledge questions and navigation alike). A blind set, once scored, can go
   the same way: its writer is the first annotator.
3. ``compare`` writes ``WORK/agreement.json`` and ``WORK/disagreements/<chunk>``.
4. An adjudicator decides each disagreement by the labelling guide into
   ``WORK/adjudicated/<chunk>`` (id, labels, the deciding ``rule``; ``adjudicator.md``).
5. ``settle`` writes ``WORK/settled/<chunk>``: the writer's labels where both agreed,
   the adjudicated ones elsewhere (with ``settled: <rule>``), ``annotators: 2``. Copy
   them to ``knowledge/data/understanding/examples/`` and run ``imvo-coach model build``.

A fresh blind set (``blind.md``) is scored once with ``benchmarks/understanding.py
--record`` before anyone reads it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

LABELS = ("stance", "signals", "topic", "intent")
UNLABELLED = ("id", "kind", "question", "lang", "text")


def _read(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _write(path: Path, cases: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(cases, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(text, encoding="utf-8")


def label(case: dict[str, Any]) -> tuple[Any, ...]:
    """The labels two annotators must agree on; the first is the primary one."""
    if case["kind"] == "answer":
        return (case.get("stance"), tuple(sorted(case.get("signals") or [])))
    if case["kind"] == "faq":
        return (case.get("topic"),)
    return (case.get("intent"),)


def strip(work: Path) -> None:
    for done in sorted(work.glob("*.done")):
        source = work / f"{done.stem}.yaml"
        target = work / "a2" / "input" / source.name
        if source.exists() and not target.exists():
            cases = [{k: c[k] for k in UNLABELLED if k in c} for c in _read(source)]
            _write(target, cases)
            print("stripped", source.name, len(cases))


def compare(work: Path) -> None:
    stats: dict[str, dict[str, Any]] = {}
    for second_file in sorted((work / "a2").glob("*.yaml")):
        first = {c["id"]: c for c in _read(work / second_file.name)}
        second = {c["id"]: c for c in _read(second_file)}
        disagreements = []
        primary = full = count = 0
        for case_id, case in first.items():
            other = second.get(case_id)
            if other is None:
                continue
            if other.get("text", case["text"]) != case["text"]:
                raise SystemExit(f"{case_id}: text changed after stripping; strip again")
            count += 1
            mine, theirs = label(case), label({**other, "kind": case["kind"]})
            primary += mine[0] == theirs[0]
            full += mine == theirs
            if mine != theirs:
                disagreements.append(
                    {
                        "id": case_id,
                        "kind": case["kind"],
                        "question": case.get("question"),
                        "text": case["text"],
                        "a1": [list(x) if isinstance(x, tuple) else x for x in mine],
                        "a2": [list(x) if isinstance(x, tuple) else x for x in theirs],
                    }
                )
        stats[second_file.name] = {
            "cases": count,
            "primary_agreement": round(primary / max(count, 1), 3),
            "full_agreement": round(full / max(count, 1), 3),
            "disagreements": len(disagreements),
        }
        _write(work / "disagreements" / second_file.name, disagreements)
    (work / "agreement.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    print(json.dumps(stats, indent=1))


def settle(work: Path) -> None:
    for second_file in sorted((work / "a2").glob("*.yaml")):
        name = second_file.name
        disagreements = _read(work / "disagreements" / name)
        adjudicated_file = work / "adjudicated" / name
        decided = (
            {c["id"]: c for c in _read(adjudicated_file)} if adjudicated_file.exists() else {}
        )
        missing = [d["id"] for d in disagreements if d["id"] not in decided]
        if missing:
            print("skip", name, "- not adjudicated yet:", len(missing))
            continue
        settled = []
        for case in _read(work / name):
            case = {**case, "annotators": 2}
            if case["id"] in decided:
                ruling = decided[case["id"]]
                case.update({key: ruling[key] for key in LABELS if key in ruling})
                case["settled"] = ruling.get("rule", "adjudicated by the labelling guide")
            settled.append(case)
        _write(work / "settled" / name, settled)
        print("settled", name, len(settled), "adjudicated", len(disagreements))


def main(argv: list[str]) -> None:
    steps = {"strip": strip, "compare": compare, "settle": settle}
    if len(argv) != 2 or argv[0] not in steps:
        raise SystemExit(__doc__)
    steps[argv[0]](Path(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
