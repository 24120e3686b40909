"""Bad input never crashes an export: any text as company name and answers, in every format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import docx
import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from documents.exports import CHAT_PART_LIMIT, Format, export, export_filename, render_chat_parts
from documents.exports.json_data import schema
from documents.summary import AnswerInfo, build_summary
from tests.summary_fixture import fixture_assessment, fixture_knowledge

KNOWLEDGE = fixture_knowledge()
QUESTION_IDS = [q.id for q in KNOWLEDGE.checklists[0].questions] + ["gone.question"]
SIGNAL_IDS = [*KNOWLEDGE.signals, "not_a_signal"]
# Any character but surrogates, with control characters, RTL text and CJK made likely.
TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from('\x00\x0b\r\n\t\u202e€ëï株式会社עברית<>|*_`#=+-@;,"'),
    ),
    max_size=80,
)
ANSWERS = st.lists(
    st.builds(
        AnswerInfo,
        question_id=st.sampled_from(QUESTION_IDS),
        text=TEXT,
        stance=st.sampled_from(["yes", "no", "partly", "unknown", None, "", "YES", "nee"]),
        signals=st.lists(st.tuples(st.sampled_from(SIGNAL_IDS), TEXT), max_size=3),
        confidence=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
        answered_at=st.one_of(st.none(), TEXT, st.just("2025-11-25T10:00:00")),
    ),
    max_size=45,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, answers=ANSWERS, language=st.sampled_from(["nl", "en", "fr", ""]))
def test_every_format_survives_any_text(name: str, answers: list[AnswerInfo], language) -> None:
    info = replace(fixture_assessment(), name=name, country=name[:5], created=name)
    summary = build_summary(KNOWLEDGE, info, answers, language)
    counts = summary.counts
    assert counts.answered + counts.unknown + counts.open == counts.total == 40

    assert all(len(part) <= CHAT_PART_LIMIT for part in render_chat_parts(summary))
    assert PdfReader(io.BytesIO(export(summary, Format.PDF))).pages
    assert docx.Document(io.BytesIO(export(summary, Format.DOCX))).tables
    export(summary, Format.MARKDOWN).decode("utf-8")
    rows = list(
        csv.reader(
            io.StringIO(export(summary, Format.CSV).decode("utf-8-sig"), newline=""),
            delimiter=summary.labels.csv_delimiter,
        )
    )
    assert len(rows) == 1 + len(summary.answers)
    data = json.loads(export(summary, Format.JSON))
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)

    filename = export_filename(summary, Format.PDF)
    assert filename.endswith(".pdf")
    assert not set(filename) & set('/\\:*?"<>|\x00\n')
    assert not filename.startswith(".")
