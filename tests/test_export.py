"""Exports: the format registry, safe file names, and the text formats read back.

Chat, Markdown, CSV (csv module) and JSON (its JSON Schema); the PDF and Word files are
opened with real readers in test_export_readers.py.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields, replace

import jsonschema
import pytest

from documents.exports import (
    CHAT_PART_LIMIT,
    RENDERERS,
    Format,
    export,
    export_filename,
    render_chat_parts,
)
from documents.exports.filename import safe_name_part
from documents.exports.json_data import schema, summary_data
from documents.summary import build_summary
from documents.summary_model import Summary, SummaryFinding
from tests.summary_fixture import (
    fixture_answers,
    fixture_assessment,
    fixture_knowledge,
)

KNOWLEDGE = fixture_knowledge()


def summarise(language: str = "nl", **assessment) -> Summary:
    info = replace(fixture_assessment(), **assessment)
    return build_summary(KNOWLEDGE, info, fixture_answers(), language)


SUMMARIES = {"nl": summarise("nl"), "en": summarise("en")}


@pytest.fixture(params=["nl", "en"])
def summary(request) -> Summary:
    return SUMMARIES[request.param]


# -- registry and file names -------------------------------------------------------------


def test_every_format_has_a_renderer_that_makes_bytes(summary: Summary) -> None:
    assert set(RENDERERS) == set(Format)
    for fmt in Format:
        assert export(summary, fmt)[:1], fmt
    assert export(summary, "md") == export(summary, Format.MARKDOWN)


def test_an_unknown_format_is_a_value_error(summary: Summary) -> None:
    with pytest.raises(ValueError, match="'odt' is not a valid Format"):
        export(summary, "odt")


def test_formats_know_their_extension_and_mime_type() -> None:
    assert [f.extension for f in Format] == ["txt", "pdf", "docx", "md", "csv", "json"]
    assert Format.PDF.mime_type == "application/pdf"
    assert Format.DOCX.mime_type.endswith("wordprocessingml.document")
    assert Format.CHAT not in Format.files()


def test_file_name_comes_from_company_and_date(summary: Summary) -> None:
    assert export_filename(summary, Format.PDF) == "IMVO-Zoes-Cafe-株式会社-2025-11-25.pdf"
    assert export_filename(summary, "csv").endswith("-2025-11-25.csv")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ('Fábrica "Ñandú" S.A. <Lima>: 50%?', "Fabrica-Nandu-S-A-Lima-50"),
        ("CON", "CON-report"),
        (".hidden", "hidden"),
        ("a\x00b\nc\\d", "a-b-c-d"),
        ("Ελληνικά ΑΕ", "Ελληνικα-ΑΕ"),
        ("x" * 300, "x" * 60),
        ("€€€ — ???", ""),
    ],
)
def test_name_parts_are_safe_for_any_file_system(name: str, expected: str) -> None:
    assert safe_name_part(name) == expected


def test_file_name_without_a_usable_name_uses_the_assessment_number() -> None:
    summary = summarise(name="???")
    assert export_filename(summary, Format.DOCX) == "IMVO-assessment-7-2025-11-25.docx"


# -- chat -------------------------------------------------------------------------------------


def test_chat_summary_fits_one_phone_message_with_counts_findings_and_disclaimer() -> None:
    parts = render_chat_parts(SUMMARIES["nl"])
    assert len(parts) == 1
    text = parts[0]
    assert text.startswith("📋 Samenvatting: Zoë's Café € — 株式会社\n")
    assert "• 25 van de 40 vragen beantwoord" in text
    assert "• 4× weet ik niet" in text
    assert "• 11 vragen nog open" in text
    assert "🔴 Ontslag om vakbondswerk (Uit vraag 1, 5)" in text
    assert text.index("🔴 Kinderarbeid") < text.index("🔴 Ontslag om vakbondswerk")
    assert "   → Vraag het bedrijf om een verbeterplan met een tijdpad." in text
    assert "Open vragen: 16, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40" in text
    assert "geen juridisch advies" in text
    assert text.rstrip().endswith("Kies /documenten.")
    assert "Volgens de ondernemingsraad" not in text  # answers are in the files only


def test_chat_summary_asks_the_ten_ranked_visit_questions() -> None:
    summary = SUMMARIES["nl"]
    text = render_chat_parts(summary)[0]
    visit = text[text.index("Het bezoek voorbereiden") :]
    asked = [line for line in visit.splitlines() if line.startswith("• ")]
    assert len(asked) == 10
    assert asked[0] == "• Hoe controleert u de leeftijd van nieuwe werknemers?"  # child labour
    assert asked[1] == "• Kunt u laten zien hoe dit geregeld is (vraag 5)?"
    more = len(summary.all_visit_questions) - 10
    assert f"+ meer vragen voor het bezoek in het rapport (bijlage): {more}" in text
    assert "Wie is verantwoordelijk" not in text  # second follow-ups are in the files


def test_chat_summary_in_english_has_no_dutch_labels() -> None:
    text = render_chat_parts(SUMMARIES["en"])[0]
    assert text.startswith("📋 Summary: ")
    assert "Open questions: 16, 31" in text
    for dutch in ("Bevindingen", "vragen beantwoord", "Samenvatting", "Uit vraag"):
        assert dutch not in text


def _many_findings(summary: Summary, count: int) -> Summary:
    finding = summary.findings[0]
    many = tuple(
        replace(finding, signal_id=f"s{i}", title=f"Bevinding {i} " + "lang " * 20)
        for i in range(count)
    )
    return replace(summary, findings=many)


def test_a_long_chat_summary_is_split_into_labelled_parts_under_the_limit() -> None:
    summary = _many_findings(SUMMARIES["nl"], 120)
    parts = render_chat_parts(summary)
    assert len(parts) > 2
    assert all(len(part) <= CHAT_PART_LIMIT for part in parts)
    assert parts[0].startswith(f"(deel 1 van {len(parts)})\n📋 Samenvatting")
    joined = "\n".join(parts)
    assert all(f"Bevinding {i} " in joined for i in range(120))
    assert joined.index("Bevinding 119") < joined.index("Over dit rapport")


def test_an_overlong_single_line_is_split_too() -> None:
    summary = replace(SUMMARIES["nl"], disclaimer="zwaluw " * 3000)
    parts = render_chat_parts(summary, limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert sum(part.count("zwaluw") for part in parts) == 3000


def test_chat_export_is_the_whole_text(summary: Summary) -> None:
    text = export(summary, Format.CHAT).decode("utf-8")
    assert text.strip() == render_chat_parts(summary)[0].strip()


# -- Markdown ---------------------------------------------------------------------------------


def test_markdown_has_the_report_structure() -> None:
    text = export(SUMMARIES["nl"], Format.MARKDOWN).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "# IMVO-rapport: Zoë's Café € — 株式会社"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Over deze beoordeling",
        "## In het kort",
        "## Bevindingen",
        "## Het bezoek voorbereiden",
        "## Alle antwoorden",
        "## Bijlage: alle vervolgvragen",
        "## Bronnen",
        "## Over dit rapport",
    ]
    assert "| Hoog | Ontslag om vakbondswerk | 1, 5 |" in lines
    assert sum(line.startswith("### ") and line[4:6].strip(". ").isdigit() for line in lines) == 40
    assert "### Misstanden (schade aan mensen)" in lines
    assert "- [ ] Kunt u laten zien hoe dit geregeld is (vraag 1)?" in lines
    assert "1. [ILO C87, art. 2](<https://normlex.ilo.org/c087>)" in lines


def test_markdown_escapes_what_users_typed() -> None:
    text = export(SUMMARIES["nl"], Format.MARKDOWN).decode("utf-8")
    assert "Deels — alleen de vaste krachten; \\*uitzendkrachten\\* \\| niet" in text
    # a two-line answer keeps its break as a Markdown hard break inside the list item
    assert "Ja, drie collega's zijn vorige maand ontslagen.\\\n  Ze hadden net een bond" in text


def test_english_markdown_uses_english_headings() -> None:
    text = export(SUMMARIES["en"], Format.MARKDOWN).decode("utf-8")
    assert "## Findings" in text
    assert "## Prepare the visit" in text
    assert "Bevindingen" not in text


# -- CSV --------------------------------------------------------------------------------------


def _csv_rows(summary: Summary) -> list[list[str]]:
    data = export(summary, Format.CSV)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    delimiter = ";" if summary.context.language == "nl" else ","
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def test_csv_has_a_header_and_one_row_per_answer(summary: Summary) -> None:
    rows = _csv_rows(summary)
    assert len(rows) == 1 + 40
    assert all(len(row) == len(rows[0]) for row in rows)
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 41)]
    assert rows[1][1] == "union.q01"
    assert rows[1][3] == "Nee, er is geen bond; wie lid wordt, ligt eruit."
    assert rows[16][3] == ""  # question 16 was skipped


def test_csv_header_is_in_the_report_language() -> None:
    assert _csv_rows(SUMMARIES["nl"])[0][:4] == ["Nr.", "Vraag-ID", "Vraag", "Antwoord"]
    assert _csv_rows(SUMMARIES["en"])[0][:4] == ["No.", "Question ID", "Question", "Answer"]


def test_csv_keeps_line_breaks_and_defuses_formulas() -> None:
    rows = _csv_rows(SUMMARIES["nl"])
    assert (
        rows[5][3]
        == "Ja, drie collega's zijn vorige maand ontslagen.\nZe hadden net een bond opgericht."
    )
    assert rows[6][3] == '\'=HYPERLINK("http://x")'
    assert rows[2][3] == "Deels — alleen de vaste krachten; *uitzendkrachten* | niet"
    assert rows[14][5] == "Loon te laag of te laat; Kinderarbeid"


# -- JSON -------------------------------------------------------------------------------------


def test_json_validates_against_its_schema(summary: Summary) -> None:
    data = json.loads(export(summary, Format.JSON))
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
    assert data == summary_data(summary)
    assert list(data) == [
        "format", "version", "context", "counts", "findings", "answers", "open_questions",
        "visit_questions", "all_visit_questions", "sources", "disclaimer",
    ]  # fmt: skip
    assert data["counts"]["unknown"] == 4
    assert data["findings"][0]["kind"] == "abuse"
    assert len(data["visit_questions"]) <= 10
    assert data["context"]["name"] == "Zoë's Café € — 株式会社"
    assert data["answers"][0]["signal_ids"] == ["no_union", "anti_union_dismissal"]


def test_json_keeps_characters_as_typed() -> None:
    raw = export(SUMMARIES["nl"], Format.JSON).decode("utf-8")
    assert "Zoë's Café € — 株式会社" in raw


def test_the_schema_names_every_field_of_the_model() -> None:
    """A field added to the summary model must be added to the schema (and the reverse)."""
    definitions = schema()["$defs"]
    assert set(definitions["finding"]["properties"]) == {f.name for f in fields(SummaryFinding)}
    summary = SUMMARIES["nl"]
    for name, instance in (
        ("context", summary.context),
        ("counts", summary.counts),
        ("answer", summary.answers[0]),
        ("visit_question", summary.visit_questions[0]),
        ("reference", summary.sources[0]),
    ):
        expected = {f.name for f in fields(instance)}
        assert set(definitions[name]["properties"]) == expected, name
        assert set(definitions[name]["required"]) == expected, name
    top = {f.name for f in fields(summary)} - {"labels"} | {"format", "version"}
    assert set(schema()["properties"]) == top


def test_json_schema_rejects_a_broken_export() -> None:
    data = summary_data(SUMMARIES["nl"])
    data["answers"][0]["stance"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)
