"""Asking the checklist: one question at a time, answers by button or in own words.

The question to ask is the assessment's ``position``. Answers are stored first, then the
position moves on: to ``return_to`` after an edit, else to the next question. After the
last question the assessment is done and the summary is shown once.
"""

from __future__ import annotations

from conversations.choices import encode
from conversations.events import Choice
from conversations.menu import show_menu
from conversations.states import State
from conversations.summaries import show_summary
from conversations.turn import Turn
from knowledge import countries
from knowledge.schema import Question, Stance
from storage import AnswerRecord, AssessmentRecord, AssessmentStatus, SignalRecord

SHORT_QUESTION_CHARS = 60  # question text shown in the edit list
UNION_CHECKLIST = "union"  # its first question shows the country context


def continue_work(turn: Turn) -> State:
    """Shows the current question, the finished assessment, or the menu when there is none."""
    assessment = turn.current_assessment()
    if assessment is None:
        return show_menu(turn)
    checklist = turn.checklist_of(assessment)
    if assessment.status == AssessmentStatus.DONE and (
        checklist is None or assessment.position >= len(checklist.questions)
    ):
        return show_finished(turn, assessment)
    return ask_question(turn)


def ask_question(turn: Turn) -> State:
    """Asks the question at the assessment's position, with answer buttons and progress."""
    assessment = turn.current_assessment()
    if assessment is None:
        return show_menu(turn)
    checklist = turn.checklist_of(assessment)
    if checklist is None:
        turn.say("checklist_gone")
        turn.data.pop("assessment", None)
        return show_menu(turn)
    index = assessment.position
    if index >= len(checklist.questions):
        return finish(turn, assessment)
    question = checklist.questions[index]
    earlier = turn.store.latest_answer(turn.user_id, assessment.id, question.id)
    if checklist.id == UNION_CHECKLIST and index == 0 and earlier is None:
        _show_country_context(turn, assessment)
    text = turn.text(
        "question",
        number=index + 1,
        total=len(checklist.questions),
        question=question.text.get(turn.language),
    )
    if earlier is not None:
        text = f"{text}\n\n{turn.text('earlier_answer', answer=_answer_label(turn, earlier))}"
    turn.say_text(text, choices=_question_choices(turn, assessment.id, index, question))
    return State.QUESTION


def _show_country_context(turn: Turn, assessment: AssessmentRecord) -> None:
    """Before the first union question: what the table says about the assessment's country,
    once per assessment (a knowledge question in between does not repeat it)."""
    if turn.data.get("country_shown") == assessment.id:
        return
    turn.data["country_shown"] = assessment.id
    note = countries.context_note(turn.knowledge, assessment.country or "", turn.language)
    if note:
        turn.say("country_context", context=note)


def _question_choices(
    turn: Turn, assessment_id: int, index: int, question: Question
) -> tuple[Choice, ...]:
    choices = [
        Choice(turn.stance_label(stance), encode("a", assessment_id, index, stance.value))
        for stance in question.answers
    ]
    choices.append(turn.choice("button.why", encode("w", assessment_id, index)))
    choices.append(turn.choice("button.skip", encode("s", assessment_id, index)))
    if index > 0:
        choices.append(turn.choice("button.back", encode("b", assessment_id, index)))
    return tuple(choices)


def _answer_label(turn: Turn, answer: AnswerRecord) -> str:
    if answer.stance in {s.value for s in Stance}:
        return turn.stance_label(str(answer.stance))
    return answer.text


def current_question(turn: Turn) -> tuple[AssessmentRecord, Question] | None:
    """The assessment and question the user is on, or None when there is none."""
    assessment = turn.current_assessment()
    if assessment is None:
        return None
    question = turn.question_at(assessment, assessment.position)
    return (assessment, question) if question is not None else None


def answer_by_button(turn: Turn, stance: str) -> State:
    """Stores the pressed answer (with the question's risk signal) and asks the next one."""
    found = current_question(turn)
    if found is None or stance not in {s.value for s in found[1].answers}:
        turn.say("stale")
        return continue_work(turn)
    assessment, question = found
    signals = ()
    if stance == question.risk_if.value:
        signals = (SignalRecord(question.signal, stance, implied=True),)
    label = turn.stance_label(stance)
    answer = AnswerRecord(question.id, label, stance, signals, confidence=1.0)
    return record_answer(turn, assessment, answer, typed=False)


def with_heard(turn: Turn, assessment: AssessmentRecord, answer: AnswerRecord) -> AnswerRecord:
    """``answer`` joined with a finding heard just before on the same question (stored then
    without a stance): both texts stay the user's words and every finding is kept."""
    heard = turn.data.get("heard")
    if not isinstance(heard, dict) or heard.get("index") != assessment.position:
        return answer
    earlier = turn.store.latest_answer(turn.user_id, assessment.id, answer.question)
    if earlier is None or earlier.stance is not None or earlier.text == answer.text:
        return answer
    kept = {(s.signal, s.evidence) for s in answer.signals}
    signals = answer.signals + tuple(
        s for s in earlier.signals if (s.signal, s.evidence) not in kept
    )
    text = f"{earlier.text} — {answer.text}"
    return AnswerRecord(answer.question, text, answer.stance, signals, answer.confidence)


def record_answer(
    turn: Turn, assessment: AssessmentRecord, answer: AnswerRecord, *, typed: bool
) -> State:
    """Stores the answer, says what was understood and any risk with its tip, moves on."""
    turn.data.pop("pending", None)
    answer = with_heard(turn, assessment, answer)
    turn.data.pop("heard", None)
    turn.store.save_answer(turn.user_id, assessment.id, answer)
    label = turn.stance_label(str(answer.stance))
    lines = [turn.text("understood" if typed else "noted", answer=label)]
    seen: set[str] = set()
    for hit in answer.signals:
        signal = turn.knowledge.signals.get(hit.signal)
        if signal is None or signal.id in seen:
            continue
        seen.add(signal.id)
        lines.append(
            turn.text(
                "risk", title=signal.title.get(turn.language), tip=signal.tip.get(turn.language)
            )
        )
    turn.say_text("\n\n".join(lines), answered=label)
    return advance(turn, assessment)


def advance(turn: Turn, assessment: AssessmentRecord) -> State:
    """Moves to the question after the current one (or back to where an edit began)."""
    return_to = turn.data.pop("return_to", None)
    turn.data.pop("heard", None)
    following = assessment.position + 1
    if isinstance(return_to, int) and return_to > assessment.position:
        following = return_to
    turn.store.update_assessment(turn.user_id, assessment.id, position=following)
    return ask_question(turn)


def skip_question(turn: Turn) -> State:
    """Leaves the current question open (its answer, if any, stays) and asks the next."""
    found = current_question(turn)
    turn.data.pop("pending", None)
    if found is None:
        turn.say("nothing_to_skip")
        return continue_work(turn)
    turn.say("skipped")
    return advance(turn, found[0])


def previous_question(turn: Turn) -> State:
    """Goes back to the previous question, showing its earlier answer."""
    turn.data.pop("pending", None)
    assessment = turn.current_assessment()
    if assessment is None:
        turn.say("nothing_to_go_back_to")
        return show_menu(turn)
    if assessment.position <= 0:
        turn.say("first_question")
        return ask_question(turn)
    checklist = turn.checklist_of(assessment)
    last = len(checklist.questions) if checklist else 1
    turn.store.update_assessment(
        turn.user_id, assessment.id, position=min(assessment.position, last) - 1
    )
    return ask_question(turn)


def explain_question(turn: Turn) -> State:
    """Says why the current question matters and asks it again."""
    found = current_question(turn)
    if found is not None:
        turn.say("why", why=found[1].why.get(turn.language))
    return ask_question(turn)


def restart_checklist(turn: Turn) -> State:
    """Goes back to question 1 of the current checklist; earlier answers stay until changed."""
    assessment = turn.current_assessment()
    if assessment is None:
        return show_menu(turn)
    for key in ("pending", "return_to"):
        turn.data.pop(key, None)
    status = AssessmentStatus.DONE if assessment.status == AssessmentStatus.DONE else None
    turn.store.update_assessment(
        turn.user_id, assessment.id, position=0, status=status or AssessmentStatus.ACTIVE
    )
    turn.say("restarted")
    return ask_question(turn)


def finish(turn: Turn, assessment: AssessmentRecord) -> State:
    """Marks the assessment done; the first time, shows the summary."""
    first_time = assessment.status != AssessmentStatus.DONE
    assessment = turn.store.update_assessment(
        turn.user_id, assessment.id, status=AssessmentStatus.DONE
    )
    if first_time:
        turn.say("all_done", name=turn.display_name(assessment))
        show_summary(turn, assessment)
    return show_finished(turn, assessment)


def show_finished(turn: Turn, assessment: AssessmentRecord) -> State:
    """Offers what to do with a finished assessment: summary, export, edit, a new one."""
    choices = (
        turn.choice("button.summary", encode("sum", assessment.id)),
        turn.choice("button.export", encode("exp", assessment.id)),
        turn.choice("button.documents", encode("doc", assessment.id)),
        turn.choice("button.edit", encode("ed", assessment.id)),
        turn.choice("button.new", encode("cmd", "new")),
        turn.choice("button.list", encode("cmd", "list")),
    )
    turn.say("finished", choices=choices, name=turn.display_name(assessment))
    return State.FINISHED


def show_edit_list(turn: Turn, assessment: AssessmentRecord) -> None:
    """Lists the questions with their current answers; a button per question edits it."""
    checklist = turn.checklist_of(assessment)
    if checklist is None:
        turn.say("checklist_gone")
        return
    answers = turn.store.answers_for(turn.user_id, assessment.id)
    lines, choices = [], []
    for index, question in enumerate(checklist.questions):
        short = question.text.get(turn.language)
        if len(short) > SHORT_QUESTION_CHARS:
            short = short[: SHORT_QUESTION_CHARS - 1].rstrip() + "…"
        answer = answers.get(question.id)
        given = _answer_label(turn, answer) if answer else turn.text("open")
        lines.append(turn.text("edit_line", number=index + 1, question=short, answer=given))
        choices.append(Choice(str(index + 1), encode("eq", assessment.id, index)))
    turn.say(
        "edit_choose",
        choices=tuple(choices),
        name=turn.display_name(assessment),
        lines="\n".join(lines),
    )


def edit_question(turn: Turn, assessment: AssessmentRecord, index: int) -> State:
    """Opens question ``index`` for a new answer; afterwards the user returns to where
    they were."""
    checklist = turn.checklist_of(assessment)
    if checklist is None or not 0 <= index < len(checklist.questions):
        turn.say("stale")
        return continue_work(turn)
    switch_to(turn, assessment)
    turn.data.pop("pending", None)
    if assessment.position > index:
        turn.data["return_to"] = assessment.position
    else:
        turn.data.pop("return_to", None)
    turn.store.update_assessment(turn.user_id, assessment.id, position=index)
    return ask_question(turn)


def switch_to(turn: Turn, assessment: AssessmentRecord) -> None:
    """Makes ``assessment`` the current one; a different active one is paused."""
    current = turn.current_assessment()
    if current is not None and current.id != assessment.id:
        pause(turn, current)
        for key in ("pending", "return_to"):
            turn.data.pop(key, None)
    turn.data["assessment"] = assessment.id
    if assessment.status == AssessmentStatus.PAUSED:
        turn.store.update_assessment(turn.user_id, assessment.id, status=AssessmentStatus.ACTIVE)


def pause(turn: Turn, assessment: AssessmentRecord) -> None:
    """Marks an active assessment paused (a done one stays done)."""
    if assessment.status == AssessmentStatus.ACTIVE:
        turn.store.update_assessment(turn.user_id, assessment.id, status=AssessmentStatus.PAUSED)
