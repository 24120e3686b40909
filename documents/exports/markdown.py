"""The summary as Markdown (CommonMark with GitHub tables): for wikis, e-mail and editing.

Everything a user typed is escaped, so an answer such as ``*nee* | [link](x)`` shows as
typed and cannot break a table or add a link.
"""

from __future__ import annotations

import re

from documents.exports.common import (
    clean,
    context_fields,
    counts_lines,
    finding_groups,
    has_appendix,
    one_line,
    question_numbers,
    title,
    visit_groups,
)
from documents.exports.team import discussion_points, members_line
from documents.summary_model import Summary, SummaryFinding

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])", re.MULTILINE)


def escape(text: str | None) -> str:
    """Text shown literally in Markdown: special characters and list markers escaped."""
    escaped = _SPECIAL.sub(r"\\\1", clean(text))
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)


def inline(text: str | None) -> str:
    """``escape`` on one line (table cells, headings)."""
    return escape(one_line(text))


def multiline(text: str | None, indent: str = "") -> str:
    """Escaped text whose line breaks survive: hard breaks, continuation lines indented."""
    lines = [escape(line) for line in clean(text).strip().split("\n")]
    return f"\\\n{indent}".join(lines)


def render_markdown(summary: Summary) -> bytes:
    """The full report as UTF-8 Markdown."""
    labels = summary.labels
    out: list[str] = [f"# {inline(title(summary))}", ""]
    out += [f"## {inline(labels.context_heading)}", ""]
    out += [f"- **{inline(label)}:** {inline(value)}" for label, value in context_fields(summary)]
    out += ["", f"## {inline(labels.counts_heading)}", ""]
    out += [f"- {inline(line)}" for line in counts_lines(summary)]
    out += ["", *_findings(summary)]
    out += _discussion(summary)
    out += ["", *_visit(summary)]
    out += ["", *_answers(summary)]
    if has_appendix(summary):
        out += ["", *_appendix(summary)]
    if summary.sources:
        out += ["", f"## {inline(labels.sources_heading)}", ""]
        out += [f"{n}. {_reference(r.label, r.source)}" for n, r in enumerate(summary.sources, 1)]
    out += ["", "---", "", f"## {inline(labels.disclaimer_heading)}", ""]
    out += [escape(paragraph) for paragraph in clean(summary.disclaimer).split("\n")]
    out += ["", f"*{inline(labels.made_with)}*", ""]
    return "\n".join(out).encode("utf-8")


def _findings(summary: Summary) -> list[str]:
    labels = summary.labels
    out = [f"## {inline(labels.findings_heading)}", ""]
    if not summary.findings:
        return [*out, escape(labels.findings_none)]
    out += [escape(labels.findings_intro), ""]
    out += [
        f"| {inline(labels.column_severity)} | {inline(labels.column_finding)} "
        f"| {inline(labels.column_from_questions)} |",
        "| --- | --- | --- |",
    ]
    out += [
        f"| {inline(labels.severity(f.severity))} | {inline(f.title)} "
        f"| {inline(question_numbers(summary, f.question_ids))} |"
        for f in summary.findings
    ]
    for heading, findings in finding_groups(summary):
        out += ["", f"### {inline(heading)}"]
        for number, finding in findings:
            out += ["", *_finding(summary, number, finding)]
    return out


def _finding(summary: Summary, number: int, finding: SummaryFinding) -> list[str]:
    labels = summary.labels
    out = [
        f"#### {number}. {inline(finding.title)} ({inline(labels.severity(finding.severity))})",
        "",
        multiline(finding.explanation),
        "",
    ]
    if finding.evidence:
        quotes = "; ".join(f"“{inline(e)}”" for e in finding.evidence)
        out += [f"**{inline(labels.evidence_label)}:** {quotes}", ""]
    out += [f"**{inline(labels.advice_label)}:**", ""]
    out += [f"- {multiline(step, '  ')}" for step in finding.advice]
    if finding.references:
        refs = "; ".join(_reference(r.label, r.source) for r in finding.references)
        out += ["", f"**{inline(labels.references_label)}:** {refs}"]
    return out


def _discussion(summary: Summary) -> list[str]:
    """A shared checklist: who filled it in and the points to discuss."""
    if summary.team is None:
        return []
    team = summary.team.labels
    out = [
        "",
        f"## {inline(team.disagreements_heading)}",
        "",
        f"*{inline(members_line(summary))}*",
    ]
    points = discussion_points(summary)
    out += ["", escape(team.disagreements_intro if points else team.disagreements_none)]
    for point in points:
        out += ["", f"- [ ] **{inline(point.title)}**"]
        out += [f"  - {inline(view)}" for view in point.views]
    return out


def _visit(summary: Summary) -> list[str]:
    labels = summary.labels
    out = [f"## {inline(labels.visit_heading)}", ""]
    groups = visit_groups(summary)
    if not groups:
        return [*out, escape(labels.visit_none)]
    out.append(escape(labels.visit_intro))
    for heading, questions in groups:
        out += ["", f"### {inline(heading)}", ""]
        out += [f"- [ ] {inline(q.text)}" for q in questions]
    if has_appendix(summary):
        count = len(summary.all_visit_questions)
        out += ["", escape(labels.visit_appendix_hint.format(count=count))]
    return out


def _appendix(summary: Summary) -> list[str]:
    labels = summary.labels
    out = [f"## {inline(labels.appendix_heading)}", "", escape(labels.appendix_intro)]
    for heading, questions in visit_groups(summary, summary.all_visit_questions):
        out += ["", f"### {inline(heading)}", ""]
        out += [f"- [ ] {inline(q.text)}" for q in questions]
    return out


def _answers(summary: Summary) -> list[str]:
    labels = summary.labels
    out = [f"## {inline(labels.answers_heading)}"]
    for answer in summary.answers:
        out += ["", f"### {answer.number}. {inline(answer.question)}", ""]
        text = multiline(answer.answer_text, "  ") if answer.answer_text else "—"
        out.append(f"- **{inline(labels.column_answer)}:** {text}")
        out.append(f"- **{inline(labels.column_stance)}:** {inline(answer.stance_label)}")
        if answer.signals:
            out.append(
                f"- **{inline(labels.column_signals)}:** "
                + "; ".join(inline(s) for s in answer.signals)
            )
    return out


def _reference(label: str, source: str) -> str:
    """A norm as a link when its source is a web address, else "label — source"."""
    source = one_line(source)
    if re.fullmatch(r"https?://[^\s<>()]+", source):
        return f"[{inline(label)}](<{source}>)"
    return f"{inline(label)} — {inline(source)}"
