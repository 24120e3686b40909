"""``imvo-coach export ASSESSMENT``: write an assessment's report as a file from the terminal.

``--document letter-info|letter-initiative|visit-plan`` writes a letter or the visit plan
instead (PDF, Word or Markdown). Without ``--lang`` a report or document is in the language
the checklist was answered in (read from its button answers), else the user's language.

For the person who runs the assistant (a union office, a works council's own server):
it reads the database directly, whoever the assessment belongs to. Expected problems
(no database, no such assessment, a broken knowledge base, an unwritable path) become
one "Error: ..." line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from knowledge.schema import LANGUAGES

FILE_FORMATS = ("pdf", "docx", "md", "csv", "json")
DOCUMENT_FORMATS = ("pdf", "docx", "md")
DOCUMENTS = ("letter-info", "letter-initiative", "visit-plan")
EXIT_FAILURE = 1


class ExportError(Exception):
    """Raised for an expected problem; the message is shown to the user as is."""


def register(subparsers: Any) -> None:
    """Add the ``export`` command."""
    export = subparsers.add_parser(
        "export",
        help="write an assessment's report as PDF, Word, Markdown, CSV or JSON",
        description="Write the report of one assessment to a file.",
    )
    export.add_argument("assessment", type=int, metavar="ASSESSMENT", help="assessment number")
    export.add_argument(
        "--format", choices=FILE_FORMATS, default="pdf", help="file format (default: pdf)"
    )
    export.add_argument(
        "--output",
        metavar="PATH",
        help="file or existing folder to write to; '-' writes to standard output "
        "(default: a name made from company and date, in the current folder)",
    )
    export.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $IMVO_COACH_DB or ./data/imvo-coach.db)",
    )
    export.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language (default: the checklist's language, else the user's language)",
    )
    export.add_argument(
        "--document",
        choices=DOCUMENTS,
        help="write a letter or the visit plan instead of the report (pdf, docx or md): "
        "letter-info (information request, art. 31 WOR), letter-initiative (initiative "
        "proposal, art. 23 WOR), visit-plan",
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Build the report and write it; 0 on success, 1 with one "Error:" line otherwise."""
    try:
        if args.document and args.format not in DOCUMENT_FORMATS:
            raise ExportError(f"a {args.document} is made as pdf, docx or md, not {args.format}")
        filename, content = build_export(
            args.assessment, args.format, args.db, args.lang, args.document
        )
        written = write_output(content, filename, args.output)
    except ExportError as error:
        print(f"Error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if written is not None:
        print(f"Wrote {written} ({len(content):,} bytes).", file=sys.stderr)
    return 0


def build_export(
    assessment_id: int,
    fmt: str,
    db: str | None,
    language: str | None,
    document: str | None = None,
) -> tuple[str, bytes]:
    """The file name and bytes of the report; raises ``ExportError`` for expected problems."""
    # Imported here so that `imvo-coach --help` stays fast.
    from documents.exports import Format, export, export_filename
    from documents.letter_render import letter_filename, render_letter
    from documents.letters import DocumentKind, build_letter
    from documents.records import answers_language, summary_for_member
    from documents.summary import ReportTextsMissing
    from knowledge import KnowledgeBaseError
    from storage import StorageError, Store, resolve_db_path

    path = resolve_db_path(db)
    if not path.is_file():
        raise ExportError(f"no database at {path} (use --db PATH or set IMVO_COACH_DB)")
    try:
        knowledge = default_knowledge()
    except KnowledgeBaseError as error:
        raise ExportError(
            f"the knowledge base has {len(error.problems)} problem(s); "
            "run `imvo-coach kb validate` to see them"
        ) from error
    try:
        with Store(path) as store:
            owner = owner_of(store, assessment_id)
            if owner is None:
                raise ExportError(f"no assessment {assessment_id} in {path}")
            record = store.assessment(owner, assessment_id)
            user = store.get_user(owner)
            answers = list(store.answers_for(owner, assessment_id).values())
            language = (
                language
                or answers_language(knowledge, answers)
                or (user.language if user and user.language in LANGUAGES else "nl")
            )
            summary = summary_for_member(knowledge, store, owner, record, language)
    except StorageError as error:
        raise ExportError(str(error)) from error
    except KeyError as error:
        raise ExportError(
            f"assessment {assessment_id} uses checklist {record.checklist!r}, "
            "which the knowledge base does not have"
        ) from error
    except ReportTextsMissing as error:
        raise ExportError(f"the knowledge base lacks report texts: {error}") from error
    if document:
        letter = build_letter(knowledge, summary, DocumentKind(document))
        return letter_filename(letter, fmt), render_letter(letter, fmt)
    return export_filename(summary, Format(fmt)), export(summary, Format(fmt))


def default_knowledge() -> Any:
    """The shipped knowledge base (a seam for tests)."""
    from knowledge import default_knowledge as load

    return load()


def owner_of(store: Any, assessment_id: int) -> str | None:
    """The user an assessment belongs to: the operator may export anyone's assessment."""
    row = store.db.execute("SELECT user FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    return str(row[0]) if row else None


def write_output(content: bytes, filename: str, output: str | None) -> Path | None:
    """Write to ``output`` (file, folder or "-"); returns the path, None for stdout.

    Files are written next to their target and renamed into place, so a failed export
    never leaves half a file behind or destroys an earlier one. New files are private
    (mode 0600, as ``mkstemp`` makes them): reports hold answers about an employer.
    """
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return None
    target = Path(output).expanduser() if output else Path(filename)
    if target.is_dir():
        target = target / filename
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=".export-", dir=target.parent if str(target.parent) else "."
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
    return target
