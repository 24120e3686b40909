"""Every shipped checklist, answered, exports in every format and both languages.

Uses the real knowledge base (not the test fixture) so that the curated texts are known
to fit the layouts. Skipped, with the count of problems, while the knowledge base does not
load; ``imvo-coach kb validate`` and its tests report those problems themselves.
"""

from __future__ import annotations

import io
import json

import docx
import jsonschema
import pytest
from pypdf import PdfReader

from documents.exports import CHAT_PART_LIMIT, Format, export, render_chat_parts
from documents.exports.json_data import schema
from documents.summary import AnswerInfo, AssessmentInfo, build_summary
from knowledge import check_knowledge

KNOWLEDGE, PROBLEMS = check_knowledge()
pytestmark = pytest.mark.skipif(
    KNOWLEDGE is None,
    reason=f"the shipped knowledge base has {len(PROBLEMS)} problem(s): imvo-coach kb validate",
)
CHECKLISTS = ["policy", "union", "ungp"]
STANCES = ["no", "yes", "unknown", "partly"]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("checklist_id", CHECKLISTS)
def test_a_shipped_checklist_exports_everywhere(checklist_id: str, language: str) -> None:
    checklist = KNOWLEDGE.checklist(checklist_id)
    answers = [
        AnswerInfo(q.id, f"Antwoord {n}: ë €", STANCES[n % 4], [], 0.9, "2025-11-25T10:00:00Z")
        for n, q in enumerate(checklist.questions[:-2])  # the last two stay open
    ]
    info = AssessmentInfo(3, "Fábrica Ñandú", "Peru", "Textiel", checklist_id, "2025-11-20",
                          "2025-11-25", language)  # fmt: skip
    summary = build_summary(KNOWLEDGE, info, answers, language)
    assert summary.counts.open == 2
    assert summary.findings, "answering 'no' to the first question raises a finding"
    assert all(f.advice and f.references for f in summary.findings)
    assert summary.visit_questions

    assert all(len(part) <= CHAT_PART_LIMIT for part in render_chat_parts(summary))
    pdf = PdfReader(io.BytesIO(export(summary, Format.PDF)))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert " ".join(checklist.title.get(language).split()) in text
    assert " ".join(checklist.questions[0].text.get(language).split())[:40] in text
    document = docx.Document(io.BytesIO(export(summary, Format.DOCX)))
    assert len(document.tables[-1].rows) == 1 + len(checklist.questions)
    data = json.loads(export(summary, Format.JSON))
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
    assert export(summary, Format.MARKDOWN).decode("utf-8").count("\n### ") >= len(answers)
