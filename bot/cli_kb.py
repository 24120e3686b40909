"""``imvo-coach kb validate [PATH] [--json]``: check a knowledge base and list every problem."""

from __future__ import annotations

import argparse
import json
from typing import Any

from knowledge.loader import DEFAULT_KNOWLEDGE_DIR, check_knowledge
from knowledge.schema import LANGUAGES


def register(subparsers: Any) -> None:
    """Add the ``kb`` command group."""
    kb = subparsers.add_parser("kb", help="work with the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    validate = kb_sub.add_parser("validate", help="check the knowledge base, list all problems")
    validate.add_argument(
        "path", nargs="?", default=str(DEFAULT_KNOWLEDGE_DIR), help="knowledge directory"
    )
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    """Validate and report; exit 0 when the knowledge base is sound, 1 otherwise."""
    knowledge, problems = check_knowledge(args.path)
    ok = knowledge is not None
    if args.json:
        lexicon = getattr(knowledge, "lexicon", None)
        report = {
            "ok": ok,
            "checklists": len(knowledge.checklists) if knowledge else 0,
            "questions": len(knowledge.questions) if knowledge else 0,
            "signals": len(knowledge.signals) if knowledge else 0,
            "topics": len(knowledge.topics) if knowledge else 0,
            "intents": len(getattr(lexicon, "intents", ()) or ()) if knowledge else 0,
            "languages": sorted(LANGUAGES),
            "problems": [str(p) for p in problems],
        }
        print(json.dumps(report, ensure_ascii=False))
        return 0 if ok else 1
    if ok:
        print(
            f"OK: {len(knowledge.checklists)} checklists, {len(knowledge.questions)} questions, "
            f"{len(knowledge.signals)} signals, {len(knowledge.topics)} topics "
            f"in {', '.join(sorted(LANGUAGES))}."
        )
        return 0
    print(f"{len(problems)} problem(s) in {args.path}:")
    for problem in problems:
        print(f"  {problem}")
    return 1
