"""Button presses: each press names what it acts on, and one that no longer fits (stale,
repeated, forged or someone else's) is refused politely and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from conversations import manage, questions, setup, team, typed_answers
from conversations.choices import Press
from conversations.commands import BUTTON_COMMANDS
from conversations.dispatch import QUESTION_STATES, after_view, on_command, reprompt
from conversations.states import State
from conversations.summaries import (
    offer_document_formats,
    offer_documents,
    offer_export,
    send_document,
    send_export,
    show_summary,
)
from conversations.turn import Turn
from documents.exports import Format
from documents.letter_render import LETTER_FORMATS
from documents.letters import DocumentKind
from storage import AssessmentRecord, MemberRole


def _stale(turn: Turn) -> State:
    turn.say("stale")
    return reprompt(turn)


def _on_current_question(turn: Turn, press: Press, states: tuple[State, ...]) -> bool:
    if turn.state not in states:
        return False
    assessment = turn.current_assessment()
    return (
        assessment is not None
        and assessment.id == press.number(0)
        and assessment.position == press.number(1)
    )


QUESTION_PRESSES: dict[str, tuple[tuple[State, ...], Callable[[Turn, Press], State]]] = {
    "a": (QUESTION_STATES, lambda turn, press: questions.answer_by_button(turn, press.word(2))),
    "s": (QUESTION_STATES, lambda turn, press: questions.skip_question(turn)),
    "b": (QUESTION_STATES, lambda turn, press: questions.previous_question(turn)),
    "w": (QUESTION_STATES, lambda turn, press: questions.explain_question(turn)),
    "ok": ((State.CONFIRM,), lambda turn, press: typed_answers.confirm_pending(turn)),
    "ch": ((State.CONFIRM,), lambda turn, press: typed_answers.reject_pending(turn)),
    "qq": ((State.CONFIRM,), lambda turn, press: typed_answers.pending_was_a_question(turn)),
}


def _on_assessment(turn: Turn, press: Press) -> State:
    """Presses that name one of the user's assessments (from a list or a menu)."""
    assessment = turn.store.find_assessment(turn.user_id, press.number(0))
    if assessment is None:
        turn.say("not_found")
        return reprompt(turn)
    action = press.action
    if action == "ac":
        manage.assessment_actions(turn, assessment)
        return turn.state
    if action == "res":
        return manage.resume(turn, assessment)
    if (
        action in ("ren", "del", "dy", "inv", "rm", "ho", "iw")
        and assessment.role != MemberRole.OWNER
    ):
        turn.say("owner_only", name=turn.display_name(assessment))
        return turn.state
    if action == "ren":
        return manage.ask_rename(turn, assessment)
    if action == "del":
        return manage.ask_delete(turn, assessment)
    if action in team.PRESSES:
        return team.PRESSES[action](turn, assessment, press)
    if action in ("dy", "dn"):
        if turn.state is not State.CONFIRM_DELETE or turn.data.get("target") != assessment.id:
            return _stale(turn)
        return manage.delete(turn, assessment) if action == "dy" else manage.keep(turn)
    if action == "sum":
        show_summary(turn, assessment)
        return after_view(turn)
    if action == "exp":
        offer_export(turn, assessment)
        return turn.state
    if action == "fmt":
        if press.word(1) not in {fmt.value for fmt in Format.files()}:
            return _stale(turn)
        send_export(turn, assessment, Format(press.word(1)))
        return after_view(turn)
    if action in ("doc", "dk", "df"):
        return _on_document(turn, press, assessment)
    if action == "ed":
        questions.show_edit_list(turn, assessment)
        return turn.state
    if action == "eq":
        return questions.edit_question(turn, assessment, press.number(1))
    return _stale(turn)


def _on_document(turn: Turn, press: Press, assessment: AssessmentRecord) -> State:
    """Letters and the visit plan: choose the kind, then the format, then get the file."""
    if press.action == "doc":
        offer_documents(turn, assessment)
        return turn.state
    kind = DocumentKind.from_key(press.word(1))
    if kind is None:
        return _stale(turn)
    if press.action == "dk":
        offer_document_formats(turn, assessment, kind)
        return turn.state
    if press.word(2) not in {fmt.value for fmt in LETTER_FORMATS}:
        return _stale(turn)
    send_document(turn, assessment, kind, Format(press.word(2)))
    return after_view(turn)


def on_press(turn: Turn, press: Press | None) -> State:
    """Runs a button press, or politely refuses one that no longer fits."""
    if press is None:
        return _stale(turn)
    if press.action in QUESTION_PRESSES:
        states, handler = QUESTION_PRESSES[press.action]
        return handler(turn, press) if _on_current_question(turn, press, states) else _stale(turn)
    if press.action == "cl":
        if turn.state is not State.CHOOSE_CHECKLIST:
            return _stale(turn)
        if press.word(0) not in {c.id for c in turn.knowledge.checklists}:
            return _stale(turn)
        return setup.start_context(turn, press.word(0))
    if press.action in ("cx", "cb"):
        field = press.word(0)
        if setup.CONTEXT_STATES.get(field) is not turn.state:
            return _stale(turn)
        if press.action == "cx":
            return setup.next_context(turn, field, "")
        return setup.previous_context(turn, field)
    if press.action == "lang":
        return reprompt(turn) if manage.set_language(turn, press.word(0)) else _stale(turn)
    if press.action == "cmd":
        name = press.word(0)
        return on_command(turn, name, "") if name in BUTTON_COMMANDS else _stale(turn)
    if press.action in ("fy", "fn"):
        if turn.state is not State.CONFIRM_FORGET:
            return _stale(turn)
        return manage.forget(turn) if press.action == "fy" else manage.keep(turn)
    if press.action in ("jy", "jn"):
        if turn.state is not State.JOIN:
            return _stale(turn)
        return team.join(turn) if press.action == "jy" else team.decline(turn)
    return _on_assessment(turn, press)
