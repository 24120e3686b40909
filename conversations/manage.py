"""Managing a user's assessments and data: list, resume, rename, delete, forget, language."""

from __future__ import annotations

from conversations.choices import encode
from conversations.menu import show_menu
from conversations.questions import continue_work, pause, switch_to
from conversations.states import State
from conversations.team import forget_lines
from conversations.text_input import MAX_CONTEXT_CHARS, has_words, one_line
from conversations.turn import Turn
from documents.summary import iso_date, report_labels
from knowledge.schema import LANGUAGES
from storage import AssessmentRecord, AssessmentStatus, MemberRole


def list_assessments(turn: Turn) -> None:
    """Lists the user's assessments with progress; a button per assessment opens it."""
    assessments = turn.store.list_assessments(turn.user_id)
    if not assessments:
        turn.say("list_empty", choices=(turn.choice("button.new", encode("cmd", "new")),))
        return
    labels = report_labels(turn.knowledge, turn.language)
    lines, choices = [], []
    for number, assessment in enumerate(assessments, start=1):
        name = turn.display_name(assessment)
        if assessment.shared:
            name = f"{name} {turn.text('shared_mark', count=assessment.members)}"
        lines.append(
            turn.text(
                "list_line",
                number=number,
                name=name,
                progress=_progress(turn, assessment),
                status=turn.text(f"status.{assessment.status}"),
                date=labels.date(iso_date(assessment.updated)),
            )
        )
        choices.append(
            turn.choice("button.numbered", encode("ac", assessment.id), number=number, name=name)
        )
    choices.append(turn.choice("button.new", encode("cmd", "new")))
    turn.say("list", choices=tuple(choices), lines="\n".join(lines))


def _progress(turn: Turn, assessment: AssessmentRecord) -> str:
    checklist = turn.checklist_of(assessment)
    total = len(checklist.questions) if checklist else 0
    answered = len(turn.store.answers_for(turn.user_id, assessment.id))
    return turn.text("progress", answered=answered, total=total)


def assessment_actions(turn: Turn, assessment: AssessmentRecord) -> None:
    """Offers what can be done with one assessment."""
    resume_key = "button.view" if assessment.status == AssessmentStatus.DONE else "button.resume"
    choices = [
        turn.choice(resume_key, encode("res", assessment.id)),
        turn.choice("button.summary", encode("sum", assessment.id)),
        turn.choice("button.export", encode("exp", assessment.id)),
        turn.choice("button.documents", encode("doc", assessment.id)),
        turn.choice("button.edit", encode("ed", assessment.id)),
    ]
    if assessment.role == MemberRole.OWNER:
        choices.append(turn.choice("button.rename", encode("ren", assessment.id)))
        choices.append(turn.choice("button.invite", encode("inv", assessment.id)))
        if assessment.shared:
            choices.append(turn.choice("button.team", encode("tm", assessment.id)))
        choices.append(turn.choice("button.delete", encode("del", assessment.id)))
    else:
        choices.append(turn.choice("button.team", encode("tm", assessment.id)))
        choices.append(turn.choice("button.leave", encode("lv", assessment.id)))
    turn.say(
        "actions",
        choices=tuple(choices),
        name=turn.display_name(assessment),
        progress=_progress(turn, assessment),
    )


def resume(turn: Turn, assessment: AssessmentRecord) -> State:
    """Makes ``assessment`` current and asks its next question (or shows it finished)."""
    switch_to(turn, assessment)
    for key in ("pending", "return_to", "target", "draft"):
        turn.data.pop(key, None)
    turn.say("resumed", name=turn.display_name(assessment))
    return continue_work(turn)


def resume_latest(turn: Turn) -> State:
    """Resumes the current assessment, else the most recent unfinished one."""
    current = turn.current_assessment()
    if current is not None:
        return resume(turn, current)
    assessments = turn.store.list_assessments(turn.user_id)
    unfinished = [a for a in assessments if a.status != AssessmentStatus.DONE]
    if unfinished or assessments:
        return resume(turn, (unfinished or assessments)[0])
    turn.say("nothing_to_resume")
    return show_menu(turn)


def stop(turn: Turn) -> State:
    """Pauses the current assessment; everything answered stays stored."""
    for key in ("pending", "return_to", "target", "draft"):
        turn.data.pop(key, None)
    assessment = turn.current_assessment()
    if assessment is None:
        turn.say("stopped")
        return show_menu(turn)
    pause(turn, assessment)
    choices = (
        turn.choice("button.resume", encode("res", assessment.id)),
        turn.choice("button.new", encode("cmd", "new")),
        turn.choice("button.list", encode("cmd", "list")),
    )
    turn.say("paused", choices=choices, name=turn.display_name(assessment))
    return State.MENU


def ask_rename(turn: Turn, assessment: AssessmentRecord) -> State:
    """Asks for the new name of ``assessment`` (its owner only)."""
    if assessment.role != MemberRole.OWNER:
        turn.data.pop("target", None)
        turn.say("owner_only", name=turn.display_name(assessment))
        return continue_work(turn)
    turn.data["target"] = assessment.id
    turn.say("rename_ask", name=turn.display_name(assessment))
    return State.RENAME


def rename_by_text(turn: Turn, text: str) -> State:
    """Stores the typed name and goes back to where the user was."""
    target = turn.data.get("target")
    assessment = (
        turn.store.find_assessment(turn.user_id, target) if isinstance(target, int) else None
    )
    if assessment is None or assessment.role != MemberRole.OWNER:
        turn.data.pop("target", None)
        if assessment is not None:
            turn.say("owner_only", name=turn.display_name(assessment))
        return continue_work(turn)
    name = one_line(text)
    if len(name) > MAX_CONTEXT_CHARS or not has_words(name):
        turn.say("context_too_long" if has_words(name) else "no_words", limit=MAX_CONTEXT_CHARS)
        return ask_rename(turn, assessment)
    return rename(turn, assessment, name)


def rename(turn: Turn, assessment: AssessmentRecord, name: str) -> State:
    """Gives ``assessment`` its new name."""
    turn.store.update_assessment(turn.user_id, assessment.id, name=name)
    turn.data.pop("target", None)
    turn.say("renamed", name=name)
    return continue_work(turn)


def ask_delete(turn: Turn, assessment: AssessmentRecord) -> State:
    """Asks whether to delete ``assessment`` and all its answers (for every member)."""
    turn.data["target"] = assessment.id
    choices = (
        turn.choice("button.delete_yes", encode("dy", assessment.id)),
        turn.choice("button.keep", encode("dn", assessment.id)),
    )
    key = "delete_ask_shared" if assessment.shared else "delete_ask"
    turn.say(key, choices=choices, name=turn.display_name(assessment), count=assessment.members)
    return State.CONFIRM_DELETE


def delete(turn: Turn, assessment: AssessmentRecord) -> State:
    """Deletes the assessment the user confirmed, then goes back to work or the menu."""
    name = turn.display_name(assessment)
    turn.store.delete_assessment(turn.user_id, assessment.id)
    turn.data.pop("target", None)
    if turn.assessment_id == assessment.id:
        for key in ("assessment", "pending", "return_to"):
            turn.data.pop(key, None)
    turn.say("deleted", name=name)
    return continue_work(turn)


def keep(turn: Turn) -> State:
    """Deletes nothing and goes back to where the user was."""
    turn.data.pop("target", None)
    turn.say("kept")
    return continue_work(turn)


def ask_forget(turn: Turn) -> State:
    """Asks whether to delete every piece of the user's data."""
    choices = (
        turn.choice("button.forget_yes", encode("fy")),
        turn.choice("button.keep", encode("fn")),
    )
    count = len(turn.store.list_assessments(turn.user_id))
    text = "\n\n".join([turn.text("forget_ask", count=count), *forget_lines(turn)])
    turn.say_text(text, choices=choices)
    return State.CONFIRM_FORGET


def forget(turn: Turn) -> State:
    """Deletes every row about the user; the next message starts afresh."""
    turn.store.delete_user_data(turn.user_id)
    turn.forgotten = True
    turn.data.clear()
    turn.say("forgotten")
    return State.START


def set_language(turn: Turn, language: str) -> bool:
    """Switches the user's language; False when it is not one we speak."""
    language = language.strip().lower()[:2]
    if language not in LANGUAGES:
        return False
    turn.language = language
    turn.store.set_language(turn.user_id, language)
    turn.say("language_set")
    return True


def offer_languages(turn: Turn) -> None:
    """Asks which language to use."""
    choices = tuple(
        turn.choice(f"button.language_{language}", encode("lang", language))
        for language in LANGUAGES
    )
    turn.say("language_choose", choices=choices)
