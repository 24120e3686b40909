"""The understanding lexicon (knowledge/data/understanding/*.yaml) loads, is checked, and
never memorises development-case texts.

Broken lexicons are made by copying the shipped knowledge base and injecting one defect,
so each test shows the problem a curator would see in ``imvo-coach kb validate``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from knowledge.loader import check_knowledge
from knowledge.understanding import Understanding
from tests.kb_helpers import edit_yaml, problems_of

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV_CASES = SHARED / "eval" / "dev-cases.yaml"
LEXICON = "understanding"
MIN_VERBATIM = 12
# The taxonomy is a verbatim copy of the shared contract, and the labelled examples the
# model learns from may hold development cases (issue 10); everything else is checked.
NOT_LEXICON = ("data/taxonomy.yaml", "data/understanding/examples/")


def test_shipped_lexicon_loads_and_covers_every_intent() -> None:
    knowledge, problems = check_knowledge()
    assert [str(p) for p in problems if LEXICON in str(p)] == []
    assert knowledge is not None
    assert set(knowledge.lexicon.intents) == set(knowledge.taxonomy["intents"])
    topics = {entry.topic for entry in knowledge.lexicon.topics.topics}
    assert topics == set(knowledge.taxonomy["topics"])


def test_kb_validate_json_counts_intents(capsys: pytest.CaptureFixture[str]) -> None:
    main(["kb", "validate", "--json"])
    assert json.loads(capsys.readouterr().out)["intents"] == 6


def test_yaml_syntax_error_is_reported_with_file_and_line(kb_copy: Path) -> None:
    path = kb_copy / LEXICON / "negation.yaml"
    path.write_text("negators: [niet\n", encoding="utf-8")
    assert any(
        p.startswith("understanding/negation.yaml:") and "YAML syntax error" in p
        for p in problems_of(kb_copy)
    )


def test_missing_lexicon_file_is_reported(kb_copy: Path) -> None:
    (kb_copy / LEXICON / "intents.yaml").unlink()
    assert "understanding/intents.yaml: file is missing" in problems_of(kb_copy)


def test_uncovered_intent_is_reported(kb_copy: Path) -> None:
    def drop_help(data: dict) -> None:
        data["intents"] = [entry for entry in data["intents"] if entry["intent"] != "help"]

    edit_yaml(kb_copy / LEXICON / "intents.yaml", drop_help)
    assert "understanding/intents.yaml: intent 'help' is not covered" in problems_of(kb_copy)


def test_unknown_signal_and_concept_are_reported(kb_copy: Path) -> None:
    def break_rules(data: dict) -> None:
        data["signals"].append({"signal": "no_such_signal", "phrases": ["iets"]})
        data["signals"].append({"signal": "child_labour", "combos": [["no_such_concept"]]})

    edit_yaml(kb_copy / LEXICON / "signals.yaml", break_rules)
    problems = problems_of(kb_copy)
    assert "understanding/signals.yaml: unknown signal 'no_such_signal'" in problems
    unknown_concept = "child_labour: unknown concept 'no_such_concept'"
    assert f"understanding/signals.yaml: {unknown_concept}" in problems


def test_unquoted_yes_is_named(kb_copy: Path) -> None:
    path = kb_copy / LEXICON / "questions.yaml"
    path.write_text("union.present:\n  yes: [actief]\n", encoding="utf-8")
    assert any(
        p.startswith("understanding/questions.yaml:") and 'quote it: "yes" or "no"' in p
        for p in problems_of(kb_copy)
    )


def test_phrase_without_words_and_unknown_question_are_reported(kb_copy: Path) -> None:
    def add_bad(data: dict) -> None:
        data["no.such.question"] = {"yes": ["iets"]}
        data["union.present"]["no"] = ["!!!"]

    edit_yaml(kb_copy / LEXICON / "questions.yaml", add_bad)
    problems = problems_of(kb_copy)
    assert "understanding/questions.yaml: unknown question 'no.such.question'" in problems
    assert (
        "understanding/questions.yaml: phrase '!!!': no words left after normalisation" in problems
    )


def test_wrong_field_type_is_reported(kb_copy: Path) -> None:
    edit_yaml(kb_copy / LEXICON / "intents.yaml", lambda data: data.update(max_words="many"))
    problems = problems_of(kb_copy)
    assert any(p.startswith("understanding/intents.yaml: max_words:") for p in problems)


def test_curator_edit_changes_understanding(kb_copy: Path) -> None:
    """A phrase added in YAML is understood without touching Python."""
    text = "dat is pure poppenkast"
    knowledge, _ = check_knowledge(kb_copy)
    assert Understanding(knowledge).interpret("policy.exists", text).stance is None

    def add_phrase(data: dict) -> None:
        data["content"]["no"].append("poppenkast")

    edit_yaml(kb_copy / LEXICON / "stances.yaml", add_phrase)
    knowledge, problems = check_knowledge(kb_copy)
    assert problems == []
    assert Understanding(knowledge).interpret("policy.exists", text).stance.value == "no"


def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


def test_no_development_case_text_is_copied_into_the_knowledge_base() -> None:
    if not DEV_CASES.exists():
        pytest.skip("shared/ is not beside this checkout")
    cases = yaml.safe_load(DEV_CASES.read_text(encoding="utf-8"))
    texts = {_normalised(case["text"]) for case in cases}
    texts = {text for text in texts if len(text) >= MIN_VERBATIM}
    assert len(texts) > 100
    knowledge_dir = REPO / "knowledge"
    for path in sorted(knowledge_dir.rglob("*")):
        if not path.is_file() or path.suffix not in {".yaml", ".yml", ".py", ".md", ".txt"}:
            continue
        if path.relative_to(knowledge_dir).as_posix().startswith(NOT_LEXICON):
            continue
        content = _normalised(path.read_text(encoding="utf-8"))
        copied = [text for text in texts if text in content]
        assert copied == [], f"{path.relative_to(REPO)} contains development-case text"
