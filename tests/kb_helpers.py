"""Helpers for tests that break a copy of the knowledge base on purpose."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from knowledge.loader import check_knowledge


def problems_of(directory: Path) -> list[str]:
    """Every problem of the (broken) knowledge base in ``directory``; it must not load."""
    knowledge, problems = check_knowledge(directory)
    assert knowledge is None, "a broken knowledge base must not load"
    return [str(p) for p in problems]


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    """Load ``path``, let ``change`` modify the data in place, and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
