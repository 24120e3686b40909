"""The summary as chat messages: short enough for a phone, split when it gets long.

The engine sends each string of ``render_chat_parts(summary)`` as its own ``Reply``.
Every answer is left out on purpose (the files have them); the chat shows the counts,
each finding with its first piece of advice (abuses, then gaps), the short ranked list
of visit questions, the numbers of the open questions, and the disclaimer.
"""

from __future__ import annotations

from documents.exports.common import (
    clean,
    counts_lines,
    display_name,
    finding_groups,
    one_line,
    question_numbers,
    report_date,
    visit_groups,
)
from documents.exports.team import discussion_points, members_line
from documents.summary_model import Summary

CHAT_PART_LIMIT = 4000  # Telegram allows 4096 characters per message; keep a margin
_PART_LABEL_ROOM = 40  # room kept in each part for "(deel 2 van 3)"


def render_chat_parts(summary: Summary, limit: int = CHAT_PART_LIMIT) -> list[str]:
    """The chat summary as messages of at most ``limit`` characters, in reading order.

    Blocks (counts, findings, ...) are never split unless one alone is too long; then it
    is split between lines, and a single overlong line between words.
    """
    blocks = _blocks(summary)
    if len("\n\n".join(blocks)) <= limit:
        return ["\n\n".join(blocks)]
    parts = _pack(blocks, limit - _PART_LABEL_ROOM)
    label = summary.labels.chat_part
    return [
        f"{label.format(part=index, parts=len(parts))}\n{part}"
        for index, part in enumerate(parts, start=1)
    ]


def render_chat(summary: Summary) -> bytes:
    """The whole chat summary as one UTF-8 text (``export(summary, Format.CHAT)``)."""
    return ("\n\n".join(_blocks(summary)) + "\n").encode("utf-8")


def _blocks(summary: Summary) -> list[str]:
    """The paragraphs of the chat summary; none is empty."""
    labels, context = summary.labels, summary.context
    facts = [one_line(context.checklist_title)]
    facts += [one_line(v) for v in (context.country, context.sector) if one_line(v)]
    blocks = [
        "\n".join(
            (
                labels.chat_title.format(name=display_name(summary)),
                " · ".join(facts),
                f"{labels.field_updated}: {report_date(summary)}",
            )
        ),
        "\n".join((labels.counts_heading, *(f"• {line}" for line in counts_lines(summary)))),
    ]
    blocks.append(_findings_block(summary))
    blocks.append(_discussion_block(summary))
    blocks.extend(_visit_blocks(summary))
    if summary.open_questions:
        numbers = question_numbers(summary, (a.question_id for a in summary.open_questions))
        blocks.append(f"{labels.open_heading}: {numbers}")
    blocks.append(f"{labels.disclaimer_heading}\n{clean(summary.disclaimer).strip()}")
    blocks.append(labels.chat_export_hint)
    return [block for block in blocks if block.strip()]


def _findings_block(summary: Summary) -> str:
    labels = summary.labels
    if not summary.findings:
        return f"{labels.findings_heading}\n{labels.findings_none}"
    lines = [labels.findings_heading]
    for heading, findings in finding_groups(summary):
        lines.append(f"\n{heading}")
        for _, finding in findings:
            numbers = question_numbers(summary, finding.question_ids)
            icon = labels.chat_icon(finding.severity)
            source = f"({labels.column_from_questions} {numbers})"
            lines.append(f"{icon} {one_line(finding.title)} {source}")
            if finding.advice:
                lines.append(f"   → {one_line(finding.advice[0])}")
    return "\n".join(lines)


def _discussion_block(summary: Summary) -> str:
    """A shared checklist: who filled it in and the points to discuss ("" otherwise)."""
    if summary.team is None:
        return ""
    team = summary.team.labels
    points = discussion_points(summary)
    lines = [team.disagreements_heading, members_line(summary)]
    lines.append(team.disagreements_intro if points else team.disagreements_none)
    for point in points:
        lines.append(f"• {point.title}")
        lines += [f"   – {view}" for view in point.views]
    return "\n".join(lines)


def _visit_blocks(summary: Summary) -> list[str]:
    """The short ranked visit list; the files also have the full list."""
    blocks = []
    for heading, questions in visit_groups(summary):
        blocks.append("\n".join((heading, *(f"• {one_line(q.text)}" for q in questions))))
    left_out = len(summary.all_visit_questions) - len(summary.visit_questions)
    if blocks and left_out > 0:
        blocks[-1] += "\n" + summary.labels.chat_more_visit.format(count=left_out)
    if blocks:
        blocks[0] = f"{summary.labels.visit_heading}\n\n{blocks[0]}"
    return blocks


def _pack(blocks: list[str], limit: int) -> list[str]:
    """Greedily put blocks into parts of at most ``limit`` characters."""
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_split(block, limit, "\n") if len(block) > limit else [block])
    parts: list[str] = []
    for piece in pieces:
        if parts and len(parts[-1]) + 2 + len(piece) <= limit:
            parts[-1] = f"{parts[-1]}\n\n{piece}"
        else:
            parts.append(piece)
    return parts


def _split(text: str, limit: int, separator: str) -> list[str]:
    """Split ``text`` at ``separator`` (then at spaces, then anywhere) into short pieces."""
    pieces: list[str] = []
    current = ""
    for unit in text.split(separator):
        if len(unit) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(
                _split(unit, limit, " ")
                if separator != " "
                else [unit[i : i + limit] for i in range(0, len(unit), limit)]
            )
            continue
        candidate = f"{current}{separator}{unit}" if current else unit
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces
