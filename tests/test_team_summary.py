"""The summary of a checklist filled in together: views with counts, the words given,
disagreements to discuss, and findings marked with how many members saw them."""

from __future__ import annotations

import io
import json

import docx
import jsonschema
import pytest
from pypdf import PdfReader

from documents.exports import Format, export
from documents.exports.json_data import schema
from documents.records import summary_from_records
from storage import AnswerRecord, AssessmentRecord, MemberRecord, SignalRecord

ASSESSMENT = AssessmentRecord(
    7, "tg:1", "union", "Zoë BV", "Bangladesh", "textiel", "2025-11-01", "2025-11-02", "done", 0
)
MEMBERS = [
    MemberRecord(1, 7, "tg:1", "Anna", "owner", "2025-11-01"),
    MemberRecord(2, 7, "tg:2", "Bram", "member", "2025-11-01"),
    MemberRecord(3, 7, "console:c", "", "member", "2025-11-02"),
]


def answer(user: str, question: str, text: str, stance: str | None, *signals: str):
    hits = tuple(SignalRecord(s, text) for s in signals)
    return AnswerRecord(question, text, stance, hits, 1.0, "2025-11-02T10:00:00", 7, 0, user)


ANSWERS = [
    answer("tg:1", "union.present", "Nee", "no"),
    answer("tg:2", "union.present", "nee joh, een bond? die is hier niet", "no"),
    answer("console:c", "union.present", "deels, alleen in de kantine", "partly"),
    answer("tg:1", "union.legal_context", "Nee", "no"),
    answer("tg:2", "union.legal_context", "Nee", "no"),
    answer(
        "tg:2", "union.free_to_join", "wie lid wordt, ligt eruit", "no", "anti_union_dismissal"
    ),
]


@pytest.fixture(params=["nl", "en"])
def summary(knowledge, request):
    return summary_from_records(knowledge, ASSESSMENT, ANSWERS, request.param, MEMBERS)


def test_views_counts_words_and_disagreements(summary) -> None:
    team = summary.team
    nl = summary.context.language == "nl"
    assert team.members == ("Anna", "Bram", "Teamlid 3" if nl else "Team member 3")
    rows = {row.question_id: row for row in summary.answers}
    present = rows["union.present"]
    assert present.stance_label == ("2× nee, 1× deels" if nl else "2× no, 1× partly")
    assert present.views[0].members == ("Anna", "Bram")
    assert present.views[0].texts == ("Bram: “nee joh, een bond? die is hier niet”",)  # no button
    assert rows["union.legal_context"].stance == "no"  # everyone agreed
    assert [d.question_id for d in team.disagreements] == ["union.present"]
    assert team.disagreements[0].tally == present.stance_label


def test_a_finding_raised_by_one_member_is_a_finding_marked_with_its_count(summary) -> None:
    findings = {f.signal_id: f for f in summary.findings}
    assert findings["no_union"].seen_by == 2
    assert findings["anti_union_dismissal"].seen_by == 1
    assert findings["anti_union_dismissal"].title.endswith(
        "(gezien door 1 van 3)" if summary.context.language == "nl" else "(seen by 1 of 3)"
    )


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_shows_the_disagreement(summary, fmt) -> None:
    content = export(summary, fmt)
    if fmt is Format.PDF:
        pages = PdfReader(io.BytesIO(content)).pages
        text = " ".join(" ".join(page.extract_text() for page in pages).split())
    elif fmt is Format.DOCX:
        document = docx.Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        text = "\n".join([p.text for p in document.paragraphs] + cells)
    else:
        text = content.decode("utf-8-sig")
    nl = summary.context.language == "nl"
    assert ("2× nee, 1× deels" if nl else "2× no, 1× partly") in text
    assert "alleen in de kantine" in text
    if fmt not in (Format.CSV, Format.JSON):  # tables and data: the rows say it
        assert summary.team.labels.disagreements_heading in text
    if fmt is Format.JSON:
        jsonschema.validate(json.loads(content), schema(), cls=jsonschema.Draft202012Validator)


def test_one_person_gets_no_team_section(knowledge) -> None:
    alone = summary_from_records(knowledge, ASSESSMENT, ANSWERS[:1], "nl", MEMBERS[:1])
    assert alone.team is None
    assert "team" not in json.loads(export(alone, Format.JSON))
