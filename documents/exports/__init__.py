"""Exported reports: one renderer per format behind one ``export`` function.

    from documents.exports import Format, export, export_filename, render_chat_parts

    data = export(summary, Format.PDF)            # bytes of the file
    name = export_filename(summary, Format.PDF)   # "IMVO-Zoes-Cafe-2025-11-25.pdf"
    mime = Format.PDF.mime_type                   # for conversations.events.Attachment
    parts = render_chat_parts(summary)            # chat messages, each <= 4000 characters

``summary`` comes from ``documents.summary.build_summary``; it already holds every
text in the report's language, so renderers only lay it out. One module per format.
"""

from __future__ import annotations

from collections.abc import Callable

from documents import render_worker
from documents.exports.chat import CHAT_PART_LIMIT, render_chat, render_chat_parts
from documents.exports.csv_table import render_csv
from documents.exports.filename import export_filename
from documents.exports.formats import Format
from documents.exports.json_data import render_json
from documents.exports.markdown import render_markdown
from documents.summary_model import Summary

Renderer = Callable[[Summary], bytes]


def render_pdf(summary: Summary) -> bytes:
    """The A4 PDF report. fpdf2 (with fontTools) is heavy, so it is made by the render
    worker (in its own process while the bot runs) and never imported before it is needed."""
    return render_worker.render("documents.exports.pdf:render_pdf", summary)


def render_docx(summary: Summary) -> bytes:
    """The editable Word report; python-docx (with lxml) goes the same way as the PDF."""
    return render_worker.render("documents.exports.word:render_docx", summary)


RENDERERS: dict[Format, Renderer] = {
    Format.CHAT: render_chat,
    Format.PDF: render_pdf,
    Format.DOCX: render_docx,
    Format.MARKDOWN: render_markdown,
    Format.CSV: render_csv,
    Format.JSON: render_json,
}


def export(summary: Summary, fmt: Format | str) -> bytes:
    """Render ``summary`` in ``fmt`` (a ``Format`` or its value such as "pdf").

    Raises ``ValueError`` for an unknown format name.
    """
    return RENDERERS[Format(fmt)](summary)


__all__ = [
    "CHAT_PART_LIMIT",
    "RENDERERS",
    "Format",
    "export",
    "export_filename",
    "render_chat_parts",
]
