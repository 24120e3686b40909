"""The lines every renderer shows for a checklist filled in together: who filled it in,
and the points to discuss (each question the members answered differently, with each
view, who gave it and their words)."""

from __future__ import annotations

from dataclasses import dataclass

from documents.exports.common import one_line
from documents.summary_model import Summary

QUOTE_CHARS = 160  # a point to discuss quotes the words briefly; the answers have them all


@dataclass(frozen=True)
class DiscussionPoint:
    """One disagreement as text: "3. Is er een vakbond? — 2× nee, 1× deels" and its views."""

    title: str
    views: tuple[str, ...]  # "Nee (Anna, Bram) — Bram: “nee joh”"


def members_line(summary: Summary) -> str:
    """ "Ingevuld door: Anna, Bram, Cor", or "" when one person filled it in."""
    if summary.team is None:
        return ""
    names = ", ".join(one_line(name) for name in summary.team.members)
    return f"{summary.team.labels.members_label}: {names}"


def discussion_points(summary: Summary) -> tuple[DiscussionPoint, ...]:
    """The disagreements, in checklist order (none for one person)."""
    if summary.team is None:
        return ()
    points = []
    for point in summary.team.disagreements:
        views = []
        for view in point.views:
            line = f"{view.stance_label} ({', '.join(one_line(m) for m in view.members)})"
            if view.texts:
                line += " — " + "; ".join(_short(text) for text in view.texts)
            views.append(line)
        title = f"{point.number}. {one_line(point.question)} — {point.tally}"
        points.append(DiscussionPoint(title, tuple(views)))
    return tuple(points)


def _short(text: str) -> str:
    """One line of at most ``QUOTE_CHARS`` characters, cut at a word with "…”"."""
    line = one_line(text)
    if len(line) <= QUOTE_CHARS:
        return line
    return line[: QUOTE_CHARS - 2].rsplit(" ", 1)[0] + "…”"
