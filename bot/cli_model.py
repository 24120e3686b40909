"""``imvo-coach model build [--knowledge DIR] [--output FILE]``: rebuild the learned model.

Trains the answer-understanding model from ``knowledge/data/understanding/examples/``
(scikit-learn, installed with the ``train`` extra) and writes
``knowledge/data/understanding/model/model.json.gz``; the same examples and knowledge
base give the same bytes. Prints the cross-validated figures of the model and of the
rules alone, and the confirm threshold the calibration suggests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from knowledge.errors import KnowledgeBaseError
from knowledge.loader import DEFAULT_KNOWLEDGE_DIR
from knowledge.understanding.evaluation import METRICS, CaseFileError
from knowledge.understanding.model_file import ModelFileError


def register(subparsers: Any) -> None:
    """Add the ``model`` command group."""
    model = subparsers.add_parser("model", help="the learned answer-understanding model")
    actions = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="train the model from the examples")
    build.add_argument("--knowledge", default=str(DEFAULT_KNOWLEDGE_DIR), help="knowledge dir")
    build.add_argument(
        "--output",
        help="model file (default: the knowledge base's own); its examples.sha256 is written"
        " beside it: copy both to ship it",
    )
    build.set_defaults(handler=run_build)
    check = actions.add_parser(
        "check", help="refit the shipped model from its examples and compare the bytes"
    )
    check.add_argument("--knowledge", default=str(DEFAULT_KNOWLEDGE_DIR), help="knowledge dir")
    check.set_defaults(handler=run_check)


def _with_fixed_hash_seed(argv: list[str]) -> int | None:
    """Run this command again with PYTHONHASHSEED=0 unless it already is.

    The rules' reading of a few texts still depends on the order of string sets (which
    Python randomises per process); a fixed seed makes the features, and so the model
    file, the same on every run and every machine.
    """
    if os.environ.get("PYTHONHASHSEED") == "0":
        return None
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], env=environment).returncode


def _argv(args: argparse.Namespace) -> list[str]:
    argv = ["model", args.model_command, "--knowledge", args.knowledge]
    if getattr(args, "output", None):
        argv += ["--output", args.output]
    return argv


def run_build(args: argparse.Namespace) -> int:
    rerun = _with_fixed_hash_seed(_argv(args))
    if rerun is not None:
        return rerun
    try:
        from knowledge.understanding.building import build_model
    except ImportError as error:  # scikit-learn is a training-only extra
        print(f"Error: {error}; install with: pip install -e '.[train]'", file=sys.stderr)
        return 2
    try:
        report = build_model(Path(args.knowledge), Path(args.output) if args.output else None)
    except (KnowledgeBaseError, CaseFileError, ModelFileError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    print(f"Model built from {report['examples']} examples ({len(report['groups'])} files).")
    print(f"Cross-validated, {report['folds']} folds grouped by file:")
    print(f"  {'metric':<18} {'learned':>8} {'rules':>8}")
    for name in METRICS:
        learned, rules = report["learned"][name], report["rules"][name]
        print(f"  {name:<18} {_fmt(learned):>8} {_fmt(rules):>8}")
    for writer, figures in sorted(report["writers"].items()):
        print(f"Writer {writer} (held out of training; the rules never saw it):")
        for name in METRICS:
            learned, rules = figures["learned"][name], figures["rules"][name]
            if learned is not None:
                print(f"  {name:<18} {_fmt(learned):>8} {_fmt(rules):>8}")
    print(
        f"confirm threshold {report['confirm_threshold']} (types.CONFIRM_THRESHOLD); "
        f"calibration suggests {report['suggested_threshold']} for silent errors <= 3%"
    )
    print("(the rules were tuned on these examples: their column is training fit)")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 when the shipped model is what its examples give, 1 when it is not."""
    rerun = _with_fixed_hash_seed(_argv(args))
    if rerun is not None:
        return rerun
    try:
        from knowledge.understanding.building import check_shipped
    except ImportError as error:
        print(f"Error: {error}; install with: pip install -e '.[train]'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        try:
            same = check_shipped(Path(args.knowledge), Path(folder) / "model.json.gz")
        except (KnowledgeBaseError, CaseFileError, ModelFileError) as error:
            print(f"Error: {error}", file=sys.stderr)
            return 2
    if same:
        print("OK: the shipped model is the one its examples give.")
        return 0
    print("The shipped model does not match its examples: run 'imvo-coach model build'.")
    return 1


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
