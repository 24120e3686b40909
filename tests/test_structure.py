"""The layers stay apart: the storage layer never reaches up into the dialogue or the
documents made from it (COMMON rule: storage/ imports neither conversations/ nor documents/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STORAGE = Path(__file__).resolve().parent.parent / "storage"
FORBIDDEN = ("conversations", "documents")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names (relative ones resolved in storage)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add("storage" if node.level else (node.module or ""))
    return modules


@pytest.mark.parametrize("path", sorted(STORAGE.rglob("*.py")), ids=lambda p: p.name)
def test_no_storage_module_imports_the_dialogue_or_documents(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_check_sees_an_import_when_there_is_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from documents.summary import build_summary\nimport conversations.engine\n")
    assert {"documents.summary", "conversations.engine"} <= imported_modules(sample)
