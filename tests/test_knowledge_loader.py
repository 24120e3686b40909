"""The knowledge base loads, covers the taxonomy, and each kind of defect gets its own error.

Broken knowledge bases are made by copying the shipped one to a temporary folder and
injecting exactly one defect, so every test shows the error a curator would see.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from knowledge.errors import KnowledgeBaseError
from knowledge.loader import (
    DEFAULT_KNOWLEDGE_DIR,
    check_knowledge,
    default_knowledge,
    load_knowledge,
)
from knowledge.schema import LANGUAGES, MAX_TOPIC_ANSWER_CHARS
from tests.kb_helpers import edit_yaml, problems_of

SHARED_TAXONOMY = Path(__file__).resolve().parents[2] / "shared" / "spec" / "taxonomy.yaml"


def test_shipped_knowledge_base_is_valid() -> None:
    knowledge, problems = check_knowledge()
    assert problems == []
    assert knowledge is not None


def test_shipped_taxonomy_holds_the_shared_contract() -> None:
    """Every ID of the contract is in the shipped copy, unchanged; the knowledge base may
    add more (new topics)."""
    if not SHARED_TAXONOMY.exists():
        pytest.skip("shared/ is not beside this checkout")
    shipped = yaml.safe_load((DEFAULT_KNOWLEDGE_DIR / "taxonomy.yaml").read_text("utf-8"))
    contract = yaml.safe_load(SHARED_TAXONOMY.read_text("utf-8"))
    assert set(shipped) == set(contract)
    for section, entries in contract.items():
        for key, value in entries.items():
            assert shipped[section].get(key) == value, f"{section}.{key} differs from the contract"


def test_every_taxonomy_id_is_covered_in_both_languages() -> None:
    knowledge = load_knowledge()
    taxonomy = knowledge.taxonomy
    for checklist_id, spec in taxonomy["checklists"].items():
        checklist = knowledge.checklist(checklist_id)
        assert {q.id for q in checklist.questions} >= set(spec["questions"])
        for rule_id, rule in spec["questions"].items():
            question = knowledge.questions[rule_id]
            assert (question.risk_if, question.signal) == (rule["risk_if"], rule["signal"])
    assert set(knowledge.signals) >= set(taxonomy["signals"])
    assert set(knowledge.topics) >= set(taxonomy["topics"])
    for question in knowledge.questions.values():
        for text in (question.text, question.why, *question.follow_up):
            assert all(text.get(lang).strip() for lang in LANGUAGES)
        assert 2 <= len(question.follow_up) <= 4
    for topic in knowledge.topics.values():
        assert all(len(topic.answer.get(lang)) <= MAX_TOPIC_ANSWER_CHARS for lang in LANGUAGES)


def test_the_shipped_knowledge_base_is_loaded_once_per_process() -> None:
    # Speed is shown by benchmarks/knowledge_load.py, not by a timed test.
    assert default_knowledge() is default_knowledge()


def test_loaded_objects_are_immutable() -> None:
    knowledge = load_knowledge()
    question = next(iter(knowledge.questions.values()))
    with pytest.raises(Exception, match="frozen"):
        question.risk_if = "yes"  # type: ignore[misc]


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    path = kb_copy / "checklists" / "union.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  broken: [unclosed")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems_of(kb_copy)
    assert any(p.startswith("checklists/union.yaml:") and "YAML syntax error" in p for p in found)
    line = next(p for p in found if "YAML syntax error" in p).split(":")[1]
    assert line.isdigit()


def test_missing_translation_is_reported(kb_copy: Path) -> None:
    edit_yaml(
        kb_copy / "checklists" / "policy.yaml",
        lambda data: data["questions"][0]["why"].pop("en"),
    )
    found = problems_of(kb_copy)
    assert any("missing translation (en)" in p and "policy.yaml" in p for p in found)


def test_unknown_signal_reference_is_reported(kb_copy: Path) -> None:
    def change(data: dict) -> None:
        data["questions"][0]["signal"] = "no_such_signal"

    edit_yaml(kb_copy / "checklists" / "union.yaml", change)
    found = problems_of(kb_copy)
    assert any("unknown signal 'no_such_signal'" in p for p in found)


def test_unknown_topic_reference_is_reported(kb_copy: Path) -> None:
    def change(data: list) -> None:
        data[0]["related_topics"] = ["no_such_topic"]

    edit_yaml(kb_copy / "topics" / "union.yaml", change)
    found = problems_of(kb_copy)
    assert any("unknown related topic 'no_such_topic'" in p for p in found)


def test_duplicate_id_is_reported(kb_copy: Path) -> None:
    edit_yaml(kb_copy / "signals" / "union.yaml", lambda data: data.append(dict(data[0])))
    found = problems_of(kb_copy)
    assert any("duplicate signal ID" in p for p in found)


def test_uncovered_taxonomy_id_is_reported(kb_copy: Path) -> None:
    def change(data: dict) -> None:
        data["questions"] = [q for q in data["questions"] if q["id"] != "union.cba"]

    edit_yaml(kb_copy / "checklists" / "union.yaml", change)
    found = problems_of(kb_copy)
    assert "taxonomy.yaml: question 'union.cba' not covered" in found


def test_overlong_topic_answer_is_reported(kb_copy: Path) -> None:
    def change(data: list) -> None:
        data[0]["answer"]["nl"] = "lang " * 300

    edit_yaml(kb_copy / "topics" / "union.yaml", change)
    found = problems_of(kb_copy)
    assert any("fit one phone screen" in p for p in found)


def test_unquoted_yes_no_is_refused(kb_copy: Path) -> None:
    path = kb_copy / "checklists" / "union.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'risk_if: "no"' in text
    path.write_text(text.replace('risk_if: "no"', "risk_if: no", 1), encoding="utf-8")
    found = problems_of(kb_copy)
    assert any(
        'got a boolean where a stance is meant; quote it: "yes" or "no"' in p for p in found
    )


def test_ui_placeholders_must_match_between_languages(kb_copy: Path) -> None:
    path = next((kb_copy / "ui").glob("*.yaml"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\ntest_mismatch:\n  nl: "Vraag {number}"\n  en: "Question {count}"\n')
    found = problems_of(kb_copy)
    assert any("test_mismatch: placeholders differ" in p for p in found)


def test_all_problems_are_reported_at_once(kb_copy: Path) -> None:
    edit_yaml(
        kb_copy / "checklists" / "policy.yaml",
        lambda data: data["questions"][0]["text"].pop("nl"),
    )

    def change(data: list) -> None:
        data[0]["answer"]["en"] = "long " * 300

    edit_yaml(kb_copy / "topics" / "policy.yaml", change)
    found = problems_of(kb_copy)
    assert any("missing translation (nl)" in p for p in found)
    assert any("fit one phone screen" in p for p in found)


def test_load_knowledge_raises_with_every_problem(kb_copy: Path) -> None:
    (kb_copy / "taxonomy.yaml").unlink()
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge(kb_copy)
    assert any("taxonomy.yaml" in str(p) for p in caught.value.problems)


def test_cli_validate_json_reports_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "validate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["languages"] == ["en", "nl"]
    assert report["checklists"] == 3
    assert report["questions"] >= 41
    assert report["signals"] >= 46
    assert report["topics"] >= 30
    assert report["intents"] >= 6


def test_cli_validate_broken_exits_1_and_lists_problems(
    kb_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_copy / "topics" / "ungp.yaml").write_text("- id: [oops\n", encoding="utf-8")
    assert main(["kb", "validate", str(kb_copy)]) == 1
    out = capsys.readouterr().out
    assert "problem(s)" in out
    assert "topics/ungp.yaml:2: YAML syntax error" in out
    assert main(["kb", "validate", str(kb_copy), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"]
