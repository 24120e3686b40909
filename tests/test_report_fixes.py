"""The report as a new user meets it, read back from every format: findings ranked by
harm, don't-knows counted apart, a short visit list that never assumes what the answers
deny, one language, and every character printed (emoji, long web addresses).

Uses the shipped knowledge base: the ranking and the visit questions are its content.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import jsonschema
import pytest
from pypdf import PdfReader

from documents.exports import Format, export, render_chat_parts
from documents.exports.json_data import schema
from documents.exports.pdf_fonts import MISSING
from documents.summary import AnswerInfo, AssessmentInfo, build_summary
from documents.summary_model import Summary
from knowledge import default_knowledge

NAME = "Zoë's Textiel 🍕 BV"
LONG_URL = "https://example.org/" + "/".join(f"segment{n}" for n in range(40)) + "/report.pdf"
UNKNOWN = {"nl": "Weet ik niet", "en": "Don't know"}
# Answers to the shipped union checklist (13 questions; the last one left open).
ANSWERS = [
    ("union.legal_context", "unknown", None, ()),
    ("union.present", "no", "Nee", ()),
    ("union.employer_interference", "unknown", None, ()),
    (
        "union.free_to_join",
        "no",
        "Nee, en de paspoorten worden ingenomen 😡",
        (("forced_labour", "paspoorten worden ingenomen"),),
    ),
    ("union.dismissals", "unknown", None, ()),
    ("union.intimidation", "unknown", None, ()),
    ("union.cba", "no", "Nee", ()),
    ("union.worker_representation", "unknown", None, ()),
    ("union.reps_facilities", "unknown", None, ()),
    ("union.precarious_workers", "unknown", None, ()),
    (
        "union.awareness",
        "no",
        f"Nee. Ze werken 80 uur per week en de nooduitgang zit op slot, zie {LONG_URL}",
        (("excessive_hours", "80 uur per week"), ("unsafe_work", "nooduitgang zit op slot")),
    ),
    ("union.grievance", "unknown", None, ()),
]
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")


def summarise(language: str) -> Summary:
    answers = [
        AnswerInfo(question, text or UNKNOWN[language], stance, signals, 0.9, "2026-12-01")
        for question, stance, text, signals in ANSWERS
    ]
    info = AssessmentInfo(
        3, NAME, "Bangladesh", "Textiel", "union", "2026-11-30", "2026-12-01", "nl"
    )
    return build_summary(default_knowledge(), info, answers, language)


@pytest.fixture(scope="module", params=["nl", "en"])
def summary(request) -> Summary:
    return summarise(request.param)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return squash("\n".join(parts))


def readable_formats(summary: Summary) -> dict[str, str]:
    """The report as the reader sees it, one text per format."""
    return {
        "chat": squash("\n".join(render_chat_parts(summary))),
        "pdf": pdf_text(export(summary, Format.PDF)),
        "docx": docx_text(export(summary, Format.DOCX)),
        "md": squash(export(summary, Format.MARKDOWN).decode("utf-8").replace("\\", "")),
    }


# -- 1. ranked by harm ------------------------------------------------------------------------


def test_abuses_come_before_policy_gaps_in_every_format(summary: Summary) -> None:
    ids = [f.signal_id for f in summary.findings]
    assert ids[:3] == ["forced_labour", "unsafe_work", "excessive_hours"]
    assert {f.kind for f in summary.findings[:3]} == {"abuse"}
    assert all(f.kind == "gap" for f in summary.findings[4:])
    titles = [f.title for f in summary.findings]
    for fmt, text in readable_formats(summary).items():
        positions = [text.find(title) for title in titles]
        assert -1 not in positions, fmt
        assert positions == sorted(positions), fmt  # forced labour first, not question order
    data = json.loads(export(summary, Format.JSON))
    assert [f["signal_id"] for f in data["findings"]] == ids


def test_eighty_hour_weeks_are_a_high_risk(summary: Summary) -> None:
    hours = next(f for f in summary.findings if f.signal_id == "excessive_hours")
    assert (hours.severity, hours.kind) == ("high", "abuse")


# -- 2. don't-knows counted apart -------------------------------------------------------------


def test_dont_knows_are_counted_apart_everywhere() -> None:
    nl = summarise("nl")
    assert (nl.counts.answered, nl.counts.unknown, nl.counts.open) == (4, 8, 1)
    for fmt, text in readable_formats(nl).items():
        assert "4 van de 13 vragen beantwoord" in text, fmt
        assert "8× weet ik niet" in text, fmt
        assert "1 vraag nog open" in text, fmt
    counts = json.loads(export(nl, Format.JSON))["counts"]
    assert (counts["answered"], counts["unknown"], counts["open"]) == (4, 8, 1)
    rows = list(csv.reader(io.StringIO(export(nl, Format.CSV).decode("utf-8-sig")), delimiter=";"))
    assert sum(row[4] == "Weet ik niet" for row in rows[1:]) == 8


# -- 3. a visit list people can use -----------------------------------------------------------


def test_the_visit_list_is_short_ranked_and_assumes_nothing_the_answers_deny(
    summary: Summary,
) -> None:
    short, full = summary.visit_questions, summary.all_visit_questions
    assert 0 < len(short) <= 10 < len(full)
    texts = [q.text for q in full]
    assert len(texts) == len(set(texts))
    assert short[0].harm == 10  # forced labour first
    # There is no union and no collective agreement: nothing asks which union signed it.
    union_of_cba = ("Met welke bond", "With which union")
    assert not any(text.startswith(union_of_cba) for text in texts)
    assert not any(
        text.startswith(("Welke vakbond of vakbonden", "Which union or")) for text in texts
    )


def test_the_full_list_is_an_appendix_in_every_file(summary: Summary) -> None:
    heading = summary.labels.appendix_heading
    last = summary.all_visit_questions[-1].text
    for fmt, text in readable_formats(summary).items():
        if fmt == "chat":
            assert last not in text
            continue
        assert heading in text, fmt
        assert squash(last) in text, fmt


# -- 4. one language --------------------------------------------------------------------------


def test_a_dutch_report_uses_the_button_words_and_dutch_labels() -> None:
    for fmt, text in readable_formats(summarise("nl")).items():
        assert "Weet ik niet" in text or fmt == "chat", fmt
        for english in ("Don't know", "questions", "Findings", "Abuses"):
            assert english not in text, (fmt, english)


def test_an_english_report_has_no_dutch_labels() -> None:
    for fmt, text in readable_formats(summarise("en")).items():
        for dutch in ("Bevindingen", "vragen", "weet ik niet", "Misstanden", "Bijlage"):
            assert dutch not in text, (fmt, dutch)
        assert "1 question still open" in text, fmt


# -- 5. every character -----------------------------------------------------------------------


@needs_pdftotext
def test_emoji_print_in_the_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(export(summarise("nl"), Format.PDF))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "🍕" in text
    assert "😡" in text
    assert MISSING not in text


def test_a_long_web_address_wraps_inside_the_page() -> None:
    data = export(summarise("nl"), Format.PDF)
    reader = PdfReader(io.BytesIO(data))
    joined = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert LONG_URL in joined  # every character is there, wrapped over lines
    width = float(reader.pages[0].mediabox.width)
    starts: list[float] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, *_: starts.append(tm[4]) if text else 0
        )
    assert max(starts) < width - 30  # no line starts in or beyond the right margin


@needs_soffice
@needs_pdftotext
def test_libreoffice_reads_the_ranked_counts_and_the_appendix(tmp_path: Path) -> None:
    summary = summarise("nl")
    source = tmp_path / "rapport.docx"
    source.write_bytes(export(summary, Format.DOCX))
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    text = squash((tmp_path / "rapport.txt").read_text(encoding="utf-8-sig"))
    assert "8× weet ik niet" in text
    assert text.index("Dwangarbeid") < text.index("Geen onafhankelijke vakbond")
    assert summary.labels.appendix_heading in text
    assert "🍕" in text


def test_a_dutch_report_names_its_norms_in_dutch() -> None:
    """ "Normen: UNGP 16 (beleidsverklaring)", not "(policy commitment)"."""
    info = AssessmentInfo(4, "X", "", "", "policy", "2026-12-01", "2026-12-01", "nl")
    answers = [AnswerInfo("policy.exists", "Nee", "no", (("no_policy", "no"),))]
    for language, label in (
        ("nl", "UNGP 16 (beleidsverklaring)"),
        ("en", "UNGP 16 (policy commitment)"),
    ):
        summary = build_summary(default_knowledge(), info, answers, language)
        for fmt, text in readable_formats(summary).items():
            if fmt != "chat":
                assert label in text, (fmt, language)


def test_every_norm_label_with_english_words_has_a_dutch_one() -> None:
    knowledge = default_knowledge()
    references = [r for s in knowledge.signals.values() for r in s.references]
    references += [r for q in knowledge.questions.values() for r in q.references]
    english = (" and ", "summary", "step ", "ratifications", "(policy", "remediation", "(leverage")
    missing = {
        r.label for r in references if any(w in r.label for w in english) and not r.label_nl
    }
    assert not missing


def test_the_json_of_a_real_checklist_validates_against_the_schema(summary: Summary) -> None:
    data = json.loads(export(summary, Format.JSON))
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
    assert data["visit_questions"][0]["harm"] == 10
