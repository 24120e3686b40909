"""The PDF and Word exports opened with real readers, as the people who get them would.

PDF: pypdf and poppler's pdftotext must get the Dutch text back intact, fonts must be
embedded, pages A4 and numbered. Word: python-docx reads back the headings and tables and
LibreOffice converts the file to PDF without error. .ci/run installs poppler-utils and
LibreOffice; on a machine without them only those reader tests are skipped, with a reason.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from documents.exports import Format, export
from documents.summary import build_summary
from documents.summary_model import Summary
from tests.summary_fixture import (
    fixture_answers,
    fixture_assessment,
    fixture_knowledge,
)

KNOWLEDGE = fixture_knowledge()
A4_POINTS = (595, 842)
DUTCH_SAMPLES = (
    "Zoë's Café € — 株式会社",
    "Worden vakbondsleden bedreigd of geïntimideerd?",
    "Verdienen werknemers minstens € 250 per maand, het leefbaar loon?",
    "Nee, ze krijgen € 95; soms ook kinderen in de hal.",
    "Het bezoek voorbereiden",
    "geen juridisch advies",
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)


def summarise(language: str = "nl", answers=None, **assessment) -> Summary:
    info = replace(fixture_assessment(), **assessment)
    answers = fixture_answers() if answers is None else answers
    return build_summary(KNOWLEDGE, info, answers, language)


@pytest.fixture(scope="module")
def pdf_nl() -> bytes:
    return export(summarise("nl"), Format.PDF)


@pytest.fixture(scope="module")
def docx_nl() -> bytes:
    return export(summarise("nl"), Format.DOCX)


def _squash(text: str) -> str:
    """Text with all runs of whitespace made one space (readers wrap lines differently)."""
    return " ".join(text.split())


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8")


def pdftotext_blocks(path: Path, tmp_path: Path) -> list[str]:
    """The text of each block pdftotext finds (``-bbox-layout``), words in reading order."""
    out = tmp_path / "blocks.html"
    subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(path), str(out)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    page = out.read_text("utf-8")
    blocks = re.findall(r"<block\b.*?</block>", page, flags=re.DOTALL)
    return [
        " ".join(html.unescape(word) for word in re.findall(r"<word\b[^>]*>(.*?)</word>", block))
        for block in blocks
    ]


# -- PDF --------------------------------------------------------------------------------------


def test_pdf_is_a4_with_several_numbered_pages(pdf_nl: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_nl))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_POINTS
    pages = len(reader.pages)
    last = _squash(reader.pages[-1].extract_text())
    assert f"Pagina {pages} van {pages}" in last
    assert "Gemaakt met IMVO-coach · 25 november 2025" in last
    assert reader.metadata.title == "IMVO-rapport: Zoë's Café € — 株式会社"


def test_pypdf_extracts_the_dutch_text_intact(pdf_nl: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_nl))
    text = _squash(" ".join(page.extract_text() for page in reader.pages))
    for sample in DUTCH_SAMPLES:
        assert sample in text


@needs_pdftotext
def test_pdftotext_extracts_the_dutch_text_intact(pdf_nl: bytes, tmp_path: Path) -> None:
    text = _squash(pdftotext(pdf_nl, tmp_path))
    for sample in DUTCH_SAMPLES:
        assert sample in text
    for heading in ("Bevindingen", "Alle antwoorden", "Bronnen", "Over dit rapport"):
        assert heading in text
    assert "https://normlex.ilo.org/c087" in text  # the source list


@needs_pdftotext
def test_pdf_has_the_findings_table_and_cuts_long_answers_into_an_appendix(
    pdf_nl: bytes, tmp_path: Path
) -> None:
    text = _squash(pdftotext(pdf_nl, tmp_path))
    assert "Ernst Bevinding Uit vraag" in text
    assert "Hoog Ontslag om vakbondswerk 1, 5" in text
    assert "(volledig antwoord onder de tabel)" in text
    appendix = text[text.index("Lange antwoorden in hun geheel") :]
    assert "9. Is er een gekozen werknemersvertegenwoordiging?" in appendix
    assert appendix.count("Volgens de ondernemingsraad is het beeld gemengd") == 12


def _font_names(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or []:
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor  # the font program is embedded
            names.add(str(font["/BaseFont"]).split("+")[-1])
    return names


def test_pdf_embeds_dejavu_and_adds_the_cjk_fallback_only_when_needed(pdf_nl: bytes) -> None:
    assert {"DejaVuSansBook", "DejaVuSansBold", "DroidSansFallback"} <= _font_names(pdf_nl)
    latin_only = export(summarise("nl", name="Zoë's Café €"), Format.PDF)
    assert "DroidSansFallback" not in _font_names(latin_only)


@needs_pdftotext
def test_pdf_marks_characters_no_font_has_instead_of_dropping_them(tmp_path: Path) -> None:
    data = export(summarise("en", name="โรงงาน Thai Garments"), Format.PDF)
    text = _squash(pdftotext(data, tmp_path))
    assert "IMVO report: \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd Thai Garments" in text
    assert "Findings" in text
    assert "Bevindingen" not in text


def test_pdf_of_an_empty_assessment_still_reads_well() -> None:
    data = export(summarise("nl", answers=[], name=""), Format.PDF)
    text = _squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "IMVO-rapport" in text
    assert "0 van de 40 vragen beantwoord" in text
    assert "In de antwoorden zijn geen risico's gevonden." in text
    assert "(geen naam opgegeven)" not in text  # the title is plain "IMVO-rapport"
    assert "Bedrijf of vestiging niet ingevuld" in text


# -- Word -------------------------------------------------------------------------------------


def _headings(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]


def test_python_docx_reads_back_the_headings(docx_nl: bytes) -> None:
    headings = _headings(docx_nl)
    assert headings[0] == ("Title", "IMVO-rapport: Zoë's Café € — 株式会社")
    level_one = [text for style, text in headings if style == "Heading 1"]
    assert level_one == [
        "Over deze beoordeling",
        "In het kort",
        "Bevindingen",
        "Het bezoek voorbereiden",
        "Alle antwoorden",
        "Bijlage: alle vervolgvragen",
        "Bronnen",
        "Over dit rapport",
    ]
    level_two = [text for style, text in headings if style == "Heading 2"]
    assert level_two[:2] == ["Misstanden (schade aan mensen)", "Gaten in beleid en aanpak"]
    level_three = [text for style, text in headings if style == "Heading 3"]
    assert level_three[:2] == ["1. Kinderarbeid (Hoog)", "2. Ontslag om vakbondswerk (Hoog)"]
    assert level_two[-3:] == [
        "Over de risico's",
        "Over wat nog onduidelijk is",
        "Over de open vragen",
    ]


def test_word_tables_hold_the_context_findings_and_every_answer(docx_nl: bytes) -> None:
    document = docx.Document(io.BytesIO(docx_nl))
    context, findings, answers = document.tables
    assert context.rows[0].cells[1].text == "Zoë's Café € — 株式会社"
    assert [c.text for c in findings.rows[0].cells] == ["Ernst", "Bevinding", "Uit vraag"]
    assert [c.text for c in findings.rows[1].cells] == ["Hoog", "Kinderarbeid", "14"]
    assert [c.text for c in findings.rows[2].cells] == ["Hoog", "Ontslag om vakbondswerk", "1, 5"]
    assert len(answers.rows) == 1 + 40
    assert answers.rows[6].cells[2].text == '=HYPERLINK("http://x")'
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.core_properties.language == "nl-NL"


def test_english_word_document_is_english() -> None:
    headings = _headings(export(summarise("en"), Format.DOCX))
    assert ("Heading 1", "Findings") in headings
    assert all("Bevindingen" not in text for _, text in headings)


@needs_soffice
@needs_pdftotext
def test_libreoffice_converts_the_word_file_to_pdf(docx_nl: bytes, tmp_path: Path) -> None:
    source = tmp_path / "rapport.docx"
    source.write_bytes(docx_nl)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [
            "soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(source),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    converted = tmp_path / "rapport.pdf"
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert converted.exists(), result.stdout.decode(errors="replace")
    # Per text block (a paragraph, or a table cell): how pdftotext orders the columns of
    # a table differs between versions, the words of one cell stay together.
    blocks = ["".join(block.split()) for block in pdftotext_blocks(converted, tmp_path)]
    for sample in DUTCH_SAMPLES:
        assert any("".join(sample.split()) in block for block in blocks), sample
    assert any("Pagina1van" in block for block in blocks)  # the footer's page fields
