"""Starting an assessment: which checklist, then its context (name, country, sector).

The context is kept in the dialogue position until the sector step; only then is the
assessment created, so going back or stopping halfway leaves nothing half-made.
"""

from __future__ import annotations

from conversations.choices import encode
from conversations.menu import answer_knowledge_question, looks_like_question
from conversations.questions import ask_question, switch_to
from conversations.states import State
from conversations.text_input import MAX_CONTEXT_CHARS, has_words, one_line
from conversations.turn import Turn
from conversations.typed_words import checklist_named
from knowledge.schema import Checklist

CONTEXT_FIELDS = ("name", "country", "sector")
CONTEXT_STATES = {
    "name": State.ASK_NAME,
    "country": State.ASK_COUNTRY,
    "sector": State.ASK_SECTOR,
}


def ask_checklist(turn: Turn) -> State:
    """Asks which checklist to start, with a line and a button per checklist."""
    turn.data.pop("draft", None)
    lines, choices = [], []
    for number, checklist in enumerate(turn.knowledge.checklists, start=1):
        title = checklist.title.get(turn.language)
        lines.append(
            turn.text("checklist_line", number=number, title=title, count=len(checklist.questions))
        )
        label = turn.checklist_label(checklist.id)
        choices.append(turn.choice("button.plain", encode("cl", checklist.id), label=label))
    turn.say("choose_checklist", choices=tuple(choices), lines="\n".join(lines))
    return State.CHOOSE_CHECKLIST


def choose_checklist_by_text(turn: Turn, text: str) -> State:
    """Starts the checklist the user typed (its number or a word of its title)."""
    checklist = _match_checklist(turn, text)
    if checklist is not None:
        return start_context(turn, checklist.id)
    if looks_like_question(text) and answer_knowledge_question(turn, text):
        return ask_checklist(turn)
    turn.say("choose_checklist_again")
    return ask_checklist(turn)


def _match_checklist(turn: Turn, text: str) -> Checklist | None:
    wanted = one_line(text).casefold().strip(" .")
    checklists = turn.knowledge.checklists
    if wanted.isdigit() and 1 <= int(wanted) <= len(checklists):
        return checklists[int(wanted) - 1]
    for checklist in checklists:
        label_key = f"engine.checklist_label.{checklist.id}"
        names = {checklist.id, *(checklist.title.get(lang).casefold() for lang in ("nl", "en"))}
        if label_key in turn.knowledge.ui:
            names |= {turn.knowledge.text(label_key, lang).casefold() for lang in ("nl", "en")}
        if wanted in names:
            return checklist
    named = checklist_named(turn.knowledge, text)
    return next((c for c in checklists if c.id == named), None)


def start_context(turn: Turn, checklist_id: str) -> State:
    """Remembers the chosen checklist and asks for the company or site name."""
    turn.data["draft"] = {"checklist": checklist_id}
    return ask_context(turn, "name")


def ask_context(turn: Turn, field: str) -> State:
    """Asks one context field (name, country or sector), which may be skipped."""
    draft = turn.data.get("draft")
    if not isinstance(draft, dict) or "checklist" not in draft:
        return ask_checklist(turn)
    choices = [turn.choice("button.skip", encode("cx", field))]
    if field != CONTEXT_FIELDS[0]:
        choices.append(turn.choice("button.back", encode("cb", field)))
    turn.say(f"ask_{field}", choices=tuple(choices))
    return CONTEXT_STATES[field]


def context_by_text(turn: Turn, field: str, text: str) -> State:
    """Stores the typed name, country or sector and asks for the next one."""
    if looks_like_question(text) and answer_knowledge_question(turn, text):
        return ask_context(turn, field)
    value = one_line(text)
    if len(value) > MAX_CONTEXT_CHARS:
        turn.say("context_too_long", limit=MAX_CONTEXT_CHARS)
        return ask_context(turn, field)
    if not has_words(value):
        turn.say("no_words")
        return ask_context(turn, field)
    return next_context(turn, field, value)


def next_context(turn: Turn, field: str, value: str) -> State:
    """Stores ``value`` (empty when skipped) and asks the next field or the first question."""
    draft = turn.data.get("draft")
    if not isinstance(draft, dict) or "checklist" not in draft:
        return ask_checklist(turn)
    draft[field] = value
    position = CONTEXT_FIELDS.index(field)
    if position + 1 < len(CONTEXT_FIELDS):
        return ask_context(turn, CONTEXT_FIELDS[position + 1])
    return create_assessment(turn, draft)


def previous_context(turn: Turn, field: str) -> State:
    """Goes back one context field."""
    position = CONTEXT_FIELDS.index(field)
    return ask_context(turn, CONTEXT_FIELDS[max(position - 1, 0)])


def create_assessment(turn: Turn, draft: dict) -> State:
    """Creates the assessment from the draft, introduces the checklist, asks question 1."""
    try:
        checklist = turn.knowledge.checklist(str(draft["checklist"]))
    except KeyError:
        return ask_checklist(turn)
    assessment = turn.store.create_assessment(turn.user_id, checklist.id)
    assessment = turn.store.update_assessment(
        turn.user_id,
        assessment.id,
        **{field: str(draft.get(field, ""))[:MAX_CONTEXT_CHARS] for field in CONTEXT_FIELDS},
    )
    turn.data.pop("draft", None)
    switch_to(turn, assessment)
    given = [value for value in (assessment.name, assessment.country, assessment.sector) if value]
    if given:
        turn.say("context_saved", about=" · ".join(given))
    turn.say(
        "checklist_intro",
        title=checklist.title.get(turn.language),
        intro=checklist.intro.get(turn.language),
        count=len(checklist.questions),
    )
    return ask_question(turn)
