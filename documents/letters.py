"""Letters and a visit plan made from an assessment's summary: what the user does next.

* ``letter-info``: an information request to the employer (art. 31 WOR), built from the
  risks found and the questions answered "don't know", with a reply term;
* ``letter-initiative``: an initiative proposal (art. 23 lid 3 WOR) for the consultation
  meeting, with proposals picked from ``knowledge/data/documents/proposals.yaml``;
* ``visit-plan``: whom to meet, documents to ask for, the ranked visit questions, what to
  check with one's own eyes (``documents/observations.yaml``) and the country.

Every fixed text is in ``knowledge/data/ui/letters.yaml`` (nl and en); blanks the user fills
in are written ``[like this]`` and every renderer marks them. Nothing is sent anywhere: the
documents are files for the user. ``documents.letter_render`` lays a ``Letter`` out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from documents.exports.common import display_name, one_line, report_date
from documents.summary import REPORT_TIME_ZONE
from documents.summary_model import Summary, SummaryFinding, SummaryReference
from knowledge.loader import KnowledgeBase
from knowledge.schema import DocumentItem, Stance

REPLY_TERM_DAYS = 28  # "within four weeks"
MAX_RISK_ITEMS = 6
MAX_UNKNOWN_ITEMS = 8
WOR_31 = "https://wetten.overheid.nl/jci1.3:c:BWBR0002747&artikel=31"
WOR_23 = "https://wetten.overheid.nl/jci1.3:c:BWBR0002747&artikel=23"
LEGAL_CONTEXT_QUESTION = "union.legal_context"


class DocumentKind(StrEnum):
    """The documents one can make from an assessment; the value is the CLI's name."""

    INFO = "letter-info"
    INITIATIVE = "letter-initiative"
    VISIT = "visit-plan"

    @property
    def key(self) -> str:
        """The short name in UI keys (``letter.<key>.title``) and in button data."""
        return {"letter-info": "info", "letter-initiative": "initiative"}.get(self.value, "visit")

    @classmethod
    def from_key(cls, key: str) -> DocumentKind | None:
        """The kind with this short name, or None."""
        return next((kind for kind in cls if kind.key == key), None)


@dataclass(frozen=True)
class Block:
    """One part of a document, laid out by its kind.

    ``heading``, ``paragraph``, ``subject`` (bold line), ``lines`` (kept line breaks),
    ``note`` (small and muted), ``bullets``, ``numbered`` and ``checklist`` (tick boxes).
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Letter:
    """A letter or plan in one language, ready to be laid out."""

    kind: DocumentKind
    language: str
    title: str
    short_name: str  # "informatieverzoek": for file names and chat texts
    blocks: tuple[Block, ...]
    sources: tuple[SummaryReference, ...]
    footer: str  # "Gemaakt met IMVO-coach · 4 december 2026"
    dated: str  # ISO date the document was made
    assessment_id: int
    assessed_name: str  # the company, site or supplier ("" when not given)


def build_letter(
    knowledge: KnowledgeBase, summary: Summary, kind: DocumentKind, today: date | None = None
) -> Letter:
    """The document ``kind`` from ``summary``, in the summary's language, dated ``today``."""
    today = today or datetime.now(REPORT_TIME_ZONE).date()
    texts = _Texts(knowledge, summary, today)
    blocks = {
        DocumentKind.INFO: _info_request,
        DocumentKind.INITIATIVE: _initiative,
        DocumentKind.VISIT: _visit_plan,
    }[kind](knowledge, summary, texts)
    if kind is DocumentKind.VISIT:
        title = f"{texts('visit.title')}: {display_name(summary)}"
        sources = _finding_sources(summary)
    else:
        title = texts(f"{kind.key}.title")
        label = texts("source_wor31" if kind is DocumentKind.INFO else "source_wor23")
        sources = (SummaryReference(label, WOR_31 if kind is DocumentKind.INFO else WOR_23),)
    return Letter(
        kind=kind,
        language=summary.context.language,
        title=title,
        short_name=texts(f"{kind.key}.name"),
        blocks=tuple(block for block in blocks if block.text or block.items),
        sources=sources,
        footer=f"{summary.labels.made_with} · {texts.today}",
        dated=today.isoformat(),
        assessment_id=summary.context.assessment_id,
        assessed_name=one_line(summary.context.name),
    )


class _Texts:
    """``letter.*`` texts in the summary's language, with the common values filled in."""

    def __init__(self, knowledge: KnowledgeBase, summary: Summary, today: date) -> None:
        self.knowledge = knowledge
        self.language = summary.context.language
        self.labels = summary.labels
        self.today = self.labels.date(today.isoformat())
        self.deadline = self.labels.date((today + timedelta(days=REPLY_TERM_DAYS)).isoformat())
        self.assessed = knowledge.text(
            "letter.assessed",
            self.language,
            name=display_name(summary),
            checklist=one_line(summary.context.checklist_title),
            date=report_date(summary),
        )

    def __call__(self, key: str, **values: object) -> str:
        return self.knowledge.text(f"letter.{key}", self.language, **values)

    def items(self, key: str) -> tuple[str, ...]:
        """A text of one item per line, as separate items."""
        return tuple(line.strip() for line in self(key).split("\n") if line.strip())


def _letter_head(texts: _Texts, kind: str) -> list[Block]:
    return [
        Block("note", texts("draft_note")),
        Block("lines", texts("sender")),
        Block("lines", texts("addressee")),
        Block("lines", texts("date_line", date=texts.today)),
        Block("subject", texts(f"{kind}.subject")),
        Block("paragraph", texts("salutation")),
    ]


def _info_request(knowledge: KnowledgeBase, summary: Summary, texts: _Texts) -> list[Block]:
    """Art. 31 WOR: the risks, then what is not known, then documents, then the term."""
    risks = []
    for finding in summary.findings[:MAX_RISK_ITEMS]:
        question = _question_about(knowledge, summary, finding)
        risks.append(texts("info.risk_item", finding=one_line(finding.title), question=question))
    risks = [risk.strip() for risk in risks]
    unknown = [
        question.text
        for question in summary.all_visit_questions
        if question.reason == "unknown" and _answered_unknown(summary, question.question_id)
    ]
    unknown = _first_per_question(summary, unknown)[:MAX_UNKNOWN_ITEMS]
    blocks = _letter_head(texts, "info")
    blocks += [Block("paragraph", texts("info.intro", assessed=texts.assessed))]
    blocks += [Block("paragraph", texts("info.legal"))]
    if risks:
        blocks += [
            Block("heading", texts("info.risks_heading")),
            Block("numbered", items=tuple(risks)),
        ]
    if unknown:
        blocks += [
            Block("heading", texts("info.unknown_heading")),
            Block("numbered", items=tuple(unknown)),
        ]
    blocks += [
        Block("heading", texts("info.documents_heading")),
        Block("bullets", items=texts.items("info.documents")),
        Block("paragraph", texts("info.term", deadline=texts.deadline)),
        Block("paragraph", texts("info.confidential")),
        Block("lines", texts("closing")),
    ]
    return blocks


def _initiative(knowledge: KnowledgeBase, summary: Summary, texts: _Texts) -> list[Block]:
    """Art. 23 lid 3 WOR: why (the findings), the proposals, and that the employer answers."""
    blocks = _letter_head(texts, "initiative")
    blocks += [
        Block("paragraph", texts("initiative.intro")),
        Block("paragraph", texts("initiative.legal")),
        Block("heading", texts("initiative.why_heading")),
    ]
    if summary.findings:
        blocks.append(Block("paragraph", texts("initiative.why", assessed=texts.assessed)))
        blocks.append(
            Block(
                "bullets",
                items=tuple(
                    f"{one_line(f.title)} ({summary.labels.severity(f.severity).lower()})"
                    for f in summary.findings[:MAX_RISK_ITEMS]
                ),
            )
        )
    else:
        blocks.append(Block("paragraph", texts("initiative.no_findings")))
    if summary.counts.unknown:
        blocks.append(
            Block("paragraph", texts("initiative.unknowns", count=summary.counts.unknown))
        )
    proposals = _pick(knowledge, summary, "proposals")
    blocks += [
        Block("heading", texts("initiative.proposal_heading")),
        Block("paragraph", texts("initiative.proposal_intro")),
        Block("numbered", items=tuple(item.text.get(texts.language) for item in proposals)),
        Block("paragraph", texts("initiative.influence")),
        Block("paragraph", texts("initiative.answer")),
        Block("lines", texts("closing")),
    ]
    return blocks


def _country_context(summary: Summary) -> list[Block]:
    """What the country table knows (ratifications, dated and sourced), when it knows it."""
    known = summary.context.country_context.strip()
    return [Block("paragraph", known)] if known else []


def _visit_plan(knowledge: KnowledgeBase, summary: Summary, texts: _Texts) -> list[Block]:
    """Whom to meet, what to ask for, the ranked questions, what to look at, the country."""
    country = one_line(summary.context.country) or summary.labels.not_given
    legal = next(
        (a for a in summary.answers if a.question_id == LEGAL_CONTEXT_QUESTION and a.stance),
        None,
    )
    if legal is not None:
        answer = one_line(legal.answer_text)
        if answer.casefold() != legal.stance_label.casefold():
            answer = f"{legal.stance_label}: {answer}"
        country_line = texts("visit.country_known", country=country, answer=answer)
    else:
        country_line = texts("visit.country_unknown", country=country)
    questions = tuple(one_line(q.text) for q in summary.visit_questions)
    observations = _pick(knowledge, summary, "observations")
    blocks = [
        Block("note", texts("draft_note")),
        Block("paragraph", texts("visit.intro", assessed=texts.assessed)),
        Block("note", texts("visit.dated", date=texts.today)),
        Block("lines", texts("visit.visit_fields")),
        Block("heading", texts("visit.country_heading")),
        Block("paragraph", country_line),
        *_country_context(summary),
        Block("paragraph", texts("visit.country_check")),
        Block("heading", texts("visit.meet_heading")),
        Block("bullets", items=texts.items("visit.meet")),
        Block("heading", texts("visit.documents_heading")),
        Block("checklist", items=texts.items("visit.documents")),
        Block("heading", texts("visit.questions_heading")),
    ]
    if questions:
        blocks.append(Block("checklist", items=questions))
        if len(summary.all_visit_questions) > len(summary.visit_questions):
            blocks.append(Block("note", texts("more_in_report")))
    else:
        blocks.append(Block("paragraph", texts("visit.no_questions")))
    blocks += [
        Block("heading", texts("visit.observe_heading")),
        Block("checklist", items=tuple(item.text.get(texts.language) for item in observations)),
        Block("heading", texts("visit.safety_heading")),
        Block("paragraph", texts("visit.safety")),
        Block("heading", texts("visit.after_heading")),
        Block("paragraph", texts("visit.after")),
    ]
    return blocks


def _pick(knowledge: KnowledgeBase, summary: Summary, name: str) -> list[DocumentItem]:
    """Items of ``documents/<name>.yaml`` this assessment calls for: first those a finding
    raised (gravest first), then those a "don't know" raised, then the ``always`` ones."""
    items = knowledge.document_items.get(name, ())
    harm = {f.signal_id: f.harm for f in summary.findings}
    unknown = {
        knowledge.questions[a.question_id].signal
        for a in summary.answers
        if a.stance == Stance.UNKNOWN.value and a.question_id in knowledge.questions
    }

    def rank(item: DocumentItem) -> tuple[int, int]:
        found = [harm[s] for s in item.signals if s in harm]
        if found:
            return (0, -max(found))
        return (1, 0) if unknown & set(item.signals) else (2, 0)

    chosen = [i for i in items if rank(i)[0] < 2 or i.always]
    return sorted(chosen, key=rank)  # stable: the YAML order within a rank


def _question_about(knowledge: KnowledgeBase, summary: Summary, finding: SummaryFinding) -> str:
    """The first question to ask about ``finding``: its own follow-up (an abuse has them),
    else the first follow-up of a question whose own signal it is, never one whose premise
    the answers deny; "" when there is none. A typed "passports taken" under the union
    question must not get the union's follow-up."""
    signal = knowledge.signals.get(finding.signal_id)
    candidates = list(signal.follow_up) if signal is not None else []
    for question_id in finding.question_ids:
        question = knowledge.questions.get(question_id)
        if question is not None and question.signal == finding.signal_id:
            candidates += question.follow_up
    stances = {a.question_id: a.stance for a in summary.answers}
    usable = (c for c in candidates if not c.skipped(stances))
    return next((one_line(c.get(summary.context.language)) for c in usable), "")


def _answered_unknown(summary: Summary, question_id: str) -> bool:
    return any(
        a.question_id == question_id and a.stance == Stance.UNKNOWN.value for a in summary.answers
    )


def _first_per_question(summary: Summary, texts: list[str]) -> list[str]:
    """Of the visit questions with these texts, only the first one of each checklist question."""
    seen: set[str] = set()
    chosen = []
    wanted = set(texts)
    for question in summary.all_visit_questions:
        if question.text in wanted and question.question_id not in seen:
            seen.add(question.question_id)
            chosen.append(one_line(question.text))
    return chosen


def _finding_sources(summary: Summary) -> tuple[SummaryReference, ...]:
    """The norms behind the findings, one per source."""
    seen: dict[str, SummaryReference] = {}
    for finding in summary.findings:
        for reference in finding.references:
            seen.setdefault(reference.source, reference)
    return tuple(seen.values())
