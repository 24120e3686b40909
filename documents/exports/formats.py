"""The export formats, with the file extension and MIME type each one is sent with."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """One way to take a summary away: in the chat, or as a file."""

    CHAT = "chat"  # phone-sized text for the conversation (see chat.render_chat_parts)
    PDF = "pdf"  # A4 to print or forward
    DOCX = "docx"  # editable Word document
    MARKDOWN = "md"  # plain text with structure, for wikis and e-mail
    CSV = "csv"  # one row per answer, for Excel
    JSON = "json"  # the full summary model, for people who process results further

    @property
    def extension(self) -> str:
        """File name extension without the dot ("txt" for the chat text)."""
        return "txt" if self is Format.CHAT else self.value

    @property
    def mime_type(self) -> str:
        """MIME type to send the file with."""
        return _MIME_TYPES[self]

    @classmethod
    def files(cls) -> tuple[Format, ...]:
        """The formats that make a file to download (everything but chat)."""
        return tuple(fmt for fmt in cls if fmt is not cls.CHAT)


_MIME_TYPES = {
    Format.CHAT: "text/plain; charset=utf-8",
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.MARKDOWN: "text/markdown; charset=utf-8",
    Format.CSV: "text/csv; charset=utf-8",
    Format.JSON: "application/json",
}
