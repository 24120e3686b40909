"""Load the knowledge base from YAML once, check it whole, and hand out frozen objects.

Layout of a knowledge directory (default: ``knowledge/data``)::

    taxonomy.yaml          the contract: IDs the knowledge base must cover
    checklists/*.yaml      one checklist per file (policy, union, ungp)
    signals/*.yaml         lists of signals (findings)
    topics/*.yaml          lists of knowledge topics
    ui/*.yaml              user-interface texts: key -> {nl, en}
    documents/*.yaml       lines letters and visit plans pick by signal (proposals, ...)
    countries/*.yaml       ratification of the fundamental ILO conventions per country
    understanding/*.yaml   phrases and word lists for the matcher (see understanding/)

``check_knowledge`` collects *every* problem instead of stopping at the first, so a
curator sees the whole list after one run of ``imvo-coach kb validate``.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.consistency import check_references, check_taxonomy
from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.schema import (
    LANGUAGES,
    Checklist,
    Country,
    DocumentItem,
    Question,
    Signal,
    Text,
    Topic,
)
from knowledge.understanding.checks import check_lexicon
from knowledge.understanding.lexicon import load_lexicon
from knowledge.understanding.model_file import check_model

DEFAULT_KNOWLEDGE_DIR = Path(__file__).parent / "data"
M = TypeVar("M", bound=BaseModel)
# libyaml's C parser when PyYAML was built with it (about 10x faster); same safe rules.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the assistant knows, validated and immutable."""

    directory: Path
    taxonomy: Mapping[str, Any]
    checklists: tuple[Checklist, ...]
    signals: Mapping[str, Signal]
    topics: Mapping[str, Topic]
    ui: Mapping[str, Text]
    lexicon: Any = None  # knowledge.understanding.lexicon.Lexicon once loaded
    # documents/<name>.yaml -> its items, e.g. "proposals" (see documents.letters)
    document_items: Mapping[str, tuple[DocumentItem, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    countries: Mapping[str, Country] = field(default_factory=lambda: MappingProxyType({}))
    questions: Mapping[str, Question] = field(init=False)

    def __post_init__(self) -> None:
        by_id = {q.id: q for c in self.checklists for q in c.questions}
        object.__setattr__(self, "questions", MappingProxyType(by_id))

    def checklist(self, checklist_id: str) -> Checklist:
        """Return the checklist with this ID (KeyError when unknown)."""
        for checklist in self.checklists:
            if checklist.id == checklist_id:
                return checklist
        raise KeyError(checklist_id)

    def checklist_of(self, question_id: str) -> Checklist:
        """Return the checklist a question belongs to."""
        return self.checklist(question_id.split(".", 1)[0])

    def text(self, key: str, language: str, **values: Any) -> str:
        """Return UI text ``key`` in ``language`` with ``{placeholders}`` filled in."""
        template = self.ui[key].get(language)
        return template.format(**values) if values else template


class _Reader:
    """Reads YAML files and records syntax errors as problems with file and line."""

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        self.root = root
        self.problems = problems

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> Any:
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.load(handle, Loader=_YAML_LOADER)  # a safe loader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else None
            reason = error.problem or error.context or "invalid YAML"
            self.problems.append(Problem(self.rel(path), f"YAML syntax error: {reason}", line))
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as error:
            self.problems.append(Problem(self.rel(path), f"cannot read: {error}"))
        return None

    def files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        if not directory.is_dir():
            self.problems.append(Problem(folder, "folder is missing"))
            return []
        return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def _describe(error: dict[str, Any]) -> str:
    """Turn one pydantic error into a curator-friendly sentence."""
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing" and error["loc"] and error["loc"][-1] in LANGUAGES:
        return f"{location}: missing translation ({error['loc'][-1]})"
    if error["type"] == "missing":
        return f"{location}: required field is missing"
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown field"
    message = error["msg"].removeprefix("Value error, ")
    return f"{location}: {message}"


def _validate(
    model: type[M], data: Any, file: str, where: str, problems: list[Problem]
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            problems.append(Problem(file, f"{where}{_describe(item)}"))
        return None


def _as_list(data: Any, file: str, problems: list[Problem]) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(file, "expected a list of entries"))
        return []
    return data


def _entry_label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("id"):
        return f"{raw['id']}: "
    return f"entry {index + 1}: "


def _load_checklists(reader: _Reader) -> list[tuple[str, Checklist]]:
    loaded = []
    for path in reader.files("checklists"):
        data = reader.read(path)
        if data is None:
            continue
        checklist = _validate(Checklist, data, reader.rel(path), "", reader.problems)
        if checklist:
            loaded.append((reader.rel(path), checklist))
    return loaded


def _load_entries(reader: _Reader, folder: str, model: type[M]) -> list[tuple[str, M]]:
    loaded = []
    for path in reader.files(folder):
        file = reader.rel(path)
        for index, raw in enumerate(_as_list(reader.read(path), file, reader.problems)):
            entry = _validate(model, raw, file, _entry_label(raw, index), reader.problems)
            if entry:
                loaded.append((file, entry))
    return loaded


def _load_ui(reader: _Reader) -> dict[str, tuple[str, Text]]:
    texts: dict[str, tuple[str, Text]] = {}
    for path in reader.files("ui"):
        file = reader.rel(path)
        data = reader.read(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            reader.problems.append(Problem(file, "expected a mapping of key: {nl, en}"))
            continue
        for key, raw in data.items():
            text = _validate(Text, raw, file, f"{key}.", reader.problems)
            if text is None:
                continue
            if key in texts:
                reader.problems.append(
                    Problem(file, f"duplicate UI key {key!r} (also in {texts[key][0]})")
                )
                continue
            _check_placeholders(file, str(key), text, reader.problems)
            texts[str(key)] = (file, text)
    return texts


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return {"<broken braces>"}


def _check_placeholders(file: str, key: str, text: Text, problems: list[Problem]) -> None:
    nl, en = _placeholders(text.nl), _placeholders(text.en)
    if nl != en:
        problems.append(
            Problem(
                file, f"{key}: placeholders differ between nl {sorted(nl)} and en {sorted(en)}"
            )
        )


def _index(kind: str, entries: Iterable[tuple[str, M]], problems: list[Problem]) -> dict[str, M]:
    found: dict[str, tuple[str, M]] = {}
    for file, entry in entries:
        entry_id = entry.id  # type: ignore[attr-defined]
        if entry_id in found:
            problems.append(
                Problem(file, f"duplicate {kind} ID {entry_id!r} (also in {found[entry_id][0]})")
            )
            continue
        found[entry_id] = (file, entry)
    return {key: value for key, (_, value) in found.items()}


def check_knowledge(
    directory: Path | str = DEFAULT_KNOWLEDGE_DIR, *, model: bool = True
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load the knowledge base in ``directory``; return it (or None) and all problems.

    ``model=False`` skips the check that the learned model matches its examples (for
    ``imvo-coach model build``, which makes it match)."""
    root = Path(directory)
    problems: list[Problem] = []
    if not root.is_dir():
        return None, [Problem(str(root), "knowledge directory not found")]
    reader = _Reader(root, problems)
    taxonomy = reader.read(root / "taxonomy.yaml") if (root / "taxonomy.yaml").exists() else None
    if not isinstance(taxonomy, dict):
        problems.append(Problem("taxonomy.yaml", "missing or not a mapping"))
        taxonomy = {}

    checklist_entries = _load_checklists(reader)
    _index("checklist", [(f, c) for f, c in checklist_entries], problems)
    _index("question", [(f, q) for f, c in checklist_entries for q in c.questions], problems)
    signal_entries = _load_entries(reader, "signals", Signal)
    topic_entries = _load_entries(reader, "topics", Topic)
    signals = _index("signal", signal_entries, problems)
    topics = _index("topic", topic_entries, problems)
    ui = _load_ui(reader)
    document_items = _load_document_items(reader, signals)
    # Optional: without a country table the bot points every ratification question to NORMLEX.
    country_entries = (
        _load_entries(reader, "countries", Country) if (root / "countries").is_dir() else []
    )
    countries = _index("country", country_entries, problems)

    check_references(
        checklist_entries,
        signals,
        topics,
        {s.id: f for f, s in signal_entries},
        {t.id: f for f, t in topic_entries},
        problems,
    )
    check_taxonomy(taxonomy, checklist_entries, signals, topics, problems)
    lexicon = load_lexicon(root, reader)
    if lexicon is not None:
        question_ids = [q.id for _, c in checklist_entries for q in c.questions]
        check_lexicon(lexicon, taxonomy, question_ids, signals, topics, problems)
        if model:
            problems += [Problem(file, message) for file, message in check_model(root)]

    knowledge = KnowledgeBase(
        directory=root,
        taxonomy=MappingProxyType(taxonomy),
        checklists=tuple(c for _, c in checklist_entries),
        signals=MappingProxyType(signals),
        topics=MappingProxyType(topics),
        ui=MappingProxyType({key: text for key, (_, text) in ui.items()}),
        lexicon=lexicon,
        document_items=MappingProxyType(document_items),
        countries=MappingProxyType(countries),
    )
    return (None if problems else knowledge), problems


def _load_document_items(
    reader: _Reader, signals: Mapping[str, Signal]
) -> dict[str, tuple[DocumentItem, ...]]:
    """``documents/*.yaml``: one list of items per file, named by the file's stem."""
    if not (reader.root / "documents").is_dir():
        return {}
    items: dict[str, tuple[DocumentItem, ...]] = {}
    for path in reader.files("documents"):
        file = reader.rel(path)
        raw = _as_list(reader.read(path), file, reader.problems)
        loaded = []
        for index, raw_item in enumerate(raw):
            label = _entry_label(raw_item, index)
            item = _validate(DocumentItem, raw_item, file, label, reader.problems)
            if item is not None:
                loaded.append(item)
        for item in loaded:
            for signal_id in item.signals:
                if signal_id not in signals:
                    reader.problems.append(
                        Problem(file, f"{item.id}: unknown signal {signal_id!r}")
                    )
        _index(f"{path.stem} item", [(file, item) for item in loaded], reader.problems)
        items[path.stem] = tuple(loaded)
    return items


def load_knowledge(directory: Path | str = DEFAULT_KNOWLEDGE_DIR) -> KnowledgeBase:
    """Load and validate; raise ``KnowledgeBaseError`` listing every problem."""
    knowledge, problems = check_knowledge(directory)
    if knowledge is None:
        raise KnowledgeBaseError(problems)
    return knowledge


@cache
def default_knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR)
