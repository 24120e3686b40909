"""Letters and the visit plan: what they say (read back from PDF, Word and Markdown), in
both languages, from the chat (engine) and from the terminal (``imvo-coach export``)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from bot.cli import main
from documents.exports import Format
from documents.letter_render import letter_filename, render_letter
from documents.letters import WOR_23, WOR_31, DocumentKind, build_letter
from knowledge import default_knowledge
from storage import AnswerRecord, SignalRecord, Store
from tests.test_report_fixes import summarise

TODAY = date(2026, 12, 4)


def letter(kind: DocumentKind, language: str = "nl"):
    return build_letter(default_knowledge(), summarise(language), kind, TODAY)


def squash(text: str) -> str:
    return " ".join(text.split())


def read_back(data: bytes, fmt: Format) -> str:
    """What a reader of the file sees, whitespace made single spaces."""
    if fmt is Format.PDF:
        return squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    if fmt is Format.DOCX:
        document = docx.Document(io.BytesIO(data))
        return squash("\n".join(p.text for p in document.paragraphs))
    return squash(data.decode("utf-8").replace("\\", "").replace("**", ""))


@pytest.mark.parametrize("fmt", [Format.PDF, Format.DOCX, Format.MARKDOWN])
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_document_in_every_format_and_language(kind, language, fmt) -> None:
    made = letter(kind, language)
    text = read_back(render_letter(made, fmt), fmt)
    assert squash(made.title) in text
    assert ("[naam" if language == "nl" else "[name") in text  # blanks to fill in
    assert ("4 december 2026" if language == "nl" else "4 December 2026") in text  # dated
    assert "Zoë's Textiel" in text
    other = ("Betreft", "Geachte", "Zelf kijken") if language == "en" else ("Subject:", "Dear ")
    assert not any(word in text for word in other), text[:300]
    stem = made.short_name.capitalize().replace(" ", "-")
    assert letter_filename(made, fmt) == f"{stem}-Zoes-Textiel-BV-2026-12-04.{fmt.extension}"


def test_the_information_request_cites_article_31_and_asks_what_is_unknown() -> None:
    made = letter(DocumentKind.INFO)
    text = read_back(render_letter(made, Format.MARKDOWN), Format.MARKDOWN)
    assert "artikel 31 van de Wet op de ondernemingsraden" in text
    assert "redelijkerwijs nodig" in text
    assert "uiterlijk op 1 januari 2027" in text  # reply term: four weeks
    assert WOR_31 in text  # the source beside the fact: wetten.overheid.nl, BWBR0002747
    # The risks, gravest first, then what the OR does not know (its don't-knows).
    assert text.index("Dwangarbeid") < text.index("Geen onafhankelijke vakbond")
    assert text.index("Waar wij ons zorgen over maken") < text.index("Wat wij nog niet weten")
    assert "Hoeveel werknemers zijn het afgelopen jaar ontslagen" in text  # union.dismissals
    # Each concern asks about itself: passports for forced labour, exits for unsafe work.
    risks = next(b for b in made.blocks if b.kind == "numbered").items
    assert risks[0].startswith("Dwangarbeid: ")
    assert risks[0].endswith("Wie bewaart de paspoorten en identiteitspapieren van werknemers, "
                             "en kunnen zij die elk moment terugkrijgen?")  # fmt: skip
    assert "nooduitgangen" in risks[1]


def test_the_initiative_proposal_asks_the_own_employer_and_a_reasoned_answer() -> None:
    made = letter(DocumentKind.INITIATIVE)
    text = read_back(render_letter(made, Format.DOCX), Format.DOCX)
    assert "artikel 23 lid 3" in text
    assert "schriftelijk en met redenen" in text
    assert "overlegvergadering van [datum]" in text
    assert "kan een leverancier of vestiging in het buitenland niets opleggen" in text
    proposals = next(b for b in made.blocks if b.kind == "numbered").items
    assert proposals[0].startswith("haar invloed gebruikt om de misstanden")  # abuses first
    assert any("SMART" in p for p in proposals)
    assert any("gedragscode voor leveranciers" in p for p in proposals) is False  # not raised
    assert any("open is over wat nog niet gelukt is" in p for p in proposals)
    assert any("goedkeurt" in p for p in proposals)
    assert made.sources[0].source == WOR_23


def test_the_visit_plan_has_people_documents_ranked_questions_and_what_to_see() -> None:
    made = letter(DocumentKind.VISIT)
    text = read_back(render_letter(made, Format.PDF), Format.PDF)
    assert "werknemers zonder management erbij" in text
    assert "urenregistratie" in text
    assert "Land: Bangladesh." in text
    questions = next(b for b in made.blocks if b.kind == "checklist" and len(b.items) > 6).items
    assert len(questions) <= 10
    assert questions[0] == squash(summarise("nl").visit_questions[0].text)
    assert "Nooduitgangen" in text  # unsafe work was found
    assert "Slaapzalen" in text  # forced labour was found
    markdown = squash(read_back(render_letter(made, Format.MARKDOWN), Format.MARKDOWN))
    assert "fundamentele ILO-verdragen geratificeerd" in markdown  # the country table
    assert "NORMLEX" in markdown


def test_without_findings_the_initiative_still_makes_the_basic_proposals() -> None:
    from documents.summary import AssessmentInfo, build_summary

    info = AssessmentInfo(1, "", "", "", "policy", "2026-12-01", "2026-12-01", "en")
    made = build_letter(
        default_knowledge(), build_summary(default_knowledge(), info, [], "en"),
        DocumentKind.INITIATIVE, TODAY,
    )  # fmt: skip
    text = read_back(render_letter(made, Format.MARKDOWN), Format.MARKDOWN)
    assert "No risks have been found yet" in text
    assert "SMART" in text
    assert (
        letter_filename(made, Format.MARKDOWN) == "Initiative-proposal-assessment-1-2026-12-04.md"
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")
def test_pdftotext_reads_the_blanks_and_the_emoji(tmp_path: Path) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(render_letter(letter(DocumentKind.INFO), Format.PDF))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "[naam van de bestuurder]" in text
    assert "🍕" in text


def test_letters_are_made_as_pdf_word_or_markdown_only() -> None:
    with pytest.raises(ValueError, match="PDF, Word or Markdown"):
        render_letter(letter(DocumentKind.INFO), Format.CSV)


# -- from the chat ----------------------------------------------------------------------------


def test_chat_makes_every_document_in_both_languages(chat) -> None:
    for language, words in (("nl", ("Ja", "Brief of bezoekplan")), ("en", ("Yes", None))):
        user = chat(f"doc-{language}", language)
        user.command("new")
        user.press("Vakbondsvrijheid" if language == "nl" else "Trade-union freedom")
        user.say("Zoë 🍕 BV")
        user.press("Overslaan" if language == "nl" else "Skip")
        user.press("Overslaan" if language == "nl" else "Skip")
        user.press(words[0])
        for kind in DocumentKind:
            user.command("documenten" if language == "nl" else "documents")
            label = default_knowledge().text(f"engine.document.{kind.key}", language)
            user.press(label)
            for fmt, button in (
                (Format.PDF, "PDF"),
                (Format.DOCX, "Word"),
                (Format.MARKDOWN, "Markdown"),
            ):
                if fmt is not Format.PDF:
                    user.command("documents")
                    user.press(label)
                user.press(button)
                [sent] = [r.attachment for r in user.replies if r.attachment]
                assert sent.filename.endswith(f".{fmt.extension}")
                assert sent.mime_type == fmt.mime_type
                text = read_back(sent.content, fmt)
                assert ("[naam" if language == "nl" else "[name") in text
                assert "Zoë 🍕 BV" in text or fmt is Format.PDF
        if words[1]:
            user.command("list")
            user.press("1. Zoë 🍕 BV")
            assert words[1] in [c.label for c in user.choices]


# -- from the terminal ------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """One Dutch-answered assessment (buttons "Nee", "Weet ik niet") of an English user."""
    path = tmp_path / "imvo.db"
    with Store(path) as store:
        store.add_user("console:ann", "en")
        assessment = store.create_assessment("console:ann", "union")
        store.update_assessment("console:ann", assessment.id, name="Zoë BV", country="Vietnam")
        no_union = (SignalRecord("no_union", "no", True),)
        store.save_answer(
            "console:ann", assessment.id, AnswerRecord("union.present", "Nee", "no", no_union, 1.0)
        )
        store.save_answer(
            "console:ann",
            assessment.id,
            AnswerRecord("union.cba", "Weet ik niet", "unknown", (), 1.0),
        )
    return path


@pytest.mark.parametrize("fmt", ["pdf", "docx", "md"])
@pytest.mark.parametrize("document", ["letter-info", "letter-initiative", "visit-plan"])
def test_the_terminal_writes_every_document(database: Path, tmp_path: Path, document, fmt) -> None:
    out = tmp_path / f"out.{fmt}"
    arguments = ["export", "1", "--db", str(database), "--document", document, "--format", fmt]
    assert main([*arguments, "--output", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    text = read_back(out.read_bytes(), Format(fmt))
    # The checklist was answered in Dutch, so the document is Dutch (the user's is English).
    assert ("Informatieverzoek", "Initiatiefvoorstel", "Bezoekplan")[
        ("letter-info", "letter-initiative", "visit-plan").index(document)
    ] in text
    english = [*arguments, "--lang", "en", "--output", str(tmp_path / f"en.{fmt}")]
    assert main(english) == 0
    assert "[name" in read_back((tmp_path / f"en.{fmt}").read_bytes(), Format(fmt))


def test_the_terminal_refuses_a_letter_as_csv(database: Path, capsys) -> None:
    arguments = [
        "export",
        "1",
        "--db",
        str(database),
        "--document",
        "letter-info",
        "--format",
        "csv",
    ]
    assert main(arguments) == 1
    assert capsys.readouterr().err == "Error: a letter-info is made as pdf, docx or md, not csv\n"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")
def test_libreoffice_opens_the_word_letter(tmp_path: Path) -> None:
    source = tmp_path / "voorstel.docx"
    source.write_bytes(render_letter(letter(DocumentKind.INITIATIVE), Format.DOCX))
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    text = squash((tmp_path / "voorstel.txt").read_text(encoding="utf-8-sig"))
    assert "Initiatiefvoorstel (artikel 23 lid 3 WOR)" in text
    assert "Geachte [naam van de bestuurder]," in text
    assert "SMART" in text
