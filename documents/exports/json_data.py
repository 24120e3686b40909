"""The full summary as JSON, for people who process results further.

The keys are the field names of ``documents.summary_model`` and do not change within
a ``version``; ``summary.schema.json`` beside this file describes them (JSON Schema
2020-12). The report labels are left out: they are presentation texts, kept in
``knowledge/data/ui/report.yaml``.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from documents.summary_model import Summary

FORMAT_NAME = "imvo-coach-summary"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("summary.schema.json")


def summary_data(summary: Summary) -> dict[str, Any]:
    """The summary as plain JSON-ready data, in the model's field order."""
    data: dict[str, Any] = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    for field in fields(summary):
        if field.name == "team" and summary.team is None:
            continue  # a checklist filled in by one person has no team section
        if field.name != "labels":
            data[field.name] = _plain(getattr(summary, field.name))
    return data


def schema() -> dict[str, Any]:
    """The JSON Schema every JSON export validates against."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def render_json(summary: Summary) -> bytes:
    """Pretty-printed UTF-8 JSON (characters kept as typed, not \\u-escaped)."""
    text = json.dumps(summary_data(summary), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _plain(value: Any) -> Any:
    """Dataclasses as dicts and tuples as lists, all the way down."""
    if is_dataclass(value):  # labels are presentation texts, kept out at every level
        return {
            f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name != "labels"
        }
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value
