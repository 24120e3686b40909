"""Summaries, exports, letters and the visit plan of an assessment, from what the store holds."""

from __future__ import annotations

import logging

from conversations.choices import encode
from conversations.events import Attachment, Reply
from conversations.turn import Turn
from documents.exports import Format, export, export_filename, render_chat_parts
from documents.letter_render import LETTER_FORMATS, letter_filename, render_letter
from documents.letters import DocumentKind, build_letter
from documents.records import summary_for_member
from documents.summary_model import Summary
from storage import AssessmentRecord

logger = logging.getLogger(__name__)


def summary_of(turn: Turn, assessment: AssessmentRecord) -> Summary:
    """The summary of ``assessment`` in the user's language, from its latest answers."""
    return summary_for_member(turn.knowledge, turn.store, turn.user_id, assessment, turn.language)


def show_summary(turn: Turn, assessment: AssessmentRecord) -> None:
    """Adds the summary as chat messages, each short enough for one message."""
    for part in render_chat_parts(summary_of(turn, assessment)):
        turn.say_text(part)


def offer_export(turn: Turn, assessment: AssessmentRecord) -> None:
    """Asks which file format the summary should be sent in."""
    choices = tuple(
        turn.choice(f"format.{fmt.value}", encode("fmt", assessment.id, fmt.value))
        for fmt in Format.files()
    )
    turn.say("export_choose", choices=choices, name=turn.display_name(assessment))


def send_export(turn: Turn, assessment: AssessmentRecord, fmt: Format) -> None:
    """Adds the summary as a file in ``fmt``."""
    summary = summary_of(turn, assessment)
    try:
        content = export(summary, fmt)
    except Exception:  # a renderer failing must not end the conversation
        logger.exception("Export to %s failed", fmt.value)
        turn.say("export_failed")
        return
    attachment = Attachment(
        filename=export_filename(summary, fmt), content=content, mime_type=fmt.mime_type
    )
    turn.replies.append(
        Reply(
            text=turn.text("export_ready", format=turn.text(f"format.{fmt.value}")),
            attachment=attachment,
        )
    )


def offer_documents(turn: Turn, assessment: AssessmentRecord) -> None:
    """Asks which letter or plan to make: information request, initiative proposal, visit plan."""
    choices = tuple(
        turn.choice(f"document.{kind.key}", encode("dk", assessment.id, kind.key))
        for kind in DocumentKind
    )
    turn.say("documents_choose", choices=choices, name=turn.display_name(assessment))


def offer_document_formats(turn: Turn, assessment: AssessmentRecord, kind: DocumentKind) -> None:
    """Asks in which file format the chosen letter or plan should come."""
    choices = tuple(
        turn.choice(f"format.{fmt.value}", encode("df", assessment.id, kind.key, fmt.value))
        for fmt in LETTER_FORMATS
    )
    turn.say("document_format", choices=choices, document=turn.text(f"document.{kind.key}"))


def send_document(
    turn: Turn, assessment: AssessmentRecord, kind: DocumentKind, fmt: Format
) -> None:
    """Adds the letter or plan as a file; it is made in memory and sent to the user only."""
    try:
        letter = build_letter(turn.knowledge, summary_of(turn, assessment), kind)
        content = render_letter(letter, fmt)
    except Exception:  # a renderer failing must not end the conversation
        logger.exception("Document %s as %s failed", kind.value, fmt.value)
        turn.say("export_failed")
        return
    attachment = Attachment(
        filename=letter_filename(letter, fmt), content=content, mime_type=fmt.mime_type
    )
    text = turn.text(
        "document_ready",
        document=turn.text(f"document.{kind.key}"),
        format=turn.text(f"format.{fmt.value}"),
    )
    turn.replies.append(Reply(text=text, attachment=attachment))
