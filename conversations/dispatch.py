"""Routing one event to its step: the prompt and text step of every state and the command
handlers, each in one table (button presses: ``presses.py``).

Every handler takes the ``Turn`` and returns the user's next state.
"""

from __future__ import annotations

from collections.abc import Callable

from conversations import manage, menu, questions, setup, team, typed_answers, typed_words
from conversations.commands import INTENT_COMMANDS, command_name
from conversations.states import State
from conversations.summaries import (
    offer_documents,
    offer_export,
    show_summary,
)
from conversations.turn import Turn
from knowledge.understanding.types import Intent
from storage import AssessmentRecord

Step = Callable[[Turn, str], State]
Prompt = Callable[[Turn], State]
QUESTION_STATES = (State.QUESTION, State.CONFIRM)
MAX_COMMAND_SHOWN = 30


def _prompt_target(turn: Turn, prompt: Callable[[Turn, AssessmentRecord], State]) -> State:
    target = turn.data.get("target")
    found = turn.store.find_assessment(turn.user_id, target) if isinstance(target, int) else None
    if found is None:
        turn.data.pop("target", None)
        return questions.continue_work(turn)
    return prompt(turn, found)


def _prompt_finished(turn: Turn) -> State:
    assessment = turn.current_assessment()
    return questions.show_finished(turn, assessment) if assessment else menu.show_menu(turn)


# What each state shows when it is (re-)entered: the question it is waiting for.
PROMPTS: dict[State, Prompt] = {
    State.START: menu.welcome,
    State.MENU: menu.show_menu,
    State.CHOOSE_CHECKLIST: setup.ask_checklist,
    State.ASK_NAME: lambda turn: setup.ask_context(turn, "name"),
    State.ASK_COUNTRY: lambda turn: setup.ask_context(turn, "country"),
    State.ASK_SECTOR: lambda turn: setup.ask_context(turn, "sector"),
    State.QUESTION: questions.ask_question,
    State.CONFIRM: typed_answers.ask_confirm,
    State.FINISHED: _prompt_finished,
    State.RENAME: lambda turn: _prompt_target(turn, manage.ask_rename),
    State.CONFIRM_DELETE: lambda turn: _prompt_target(turn, manage.ask_delete),
    State.CONFIRM_FORGET: manage.ask_forget,
    State.JOIN: team.repeat_join,
    State.ASK_MEMBER_NAME: team.repeat_name,
    State.CONFIRM_TEAM: team.repeat_team_action,
}


def reprompt(turn: Turn) -> State:
    """Shows again what the current state is waiting for."""
    return PROMPTS[turn.state](turn)


def after_view(turn: Turn) -> State:
    """After a summary or a file: the open question again, so the user can go on."""
    return reprompt(turn) if turn.state in QUESTION_STATES else turn.state


def _free_text(turn: Turn, text: str) -> State:
    """Answers a knowledge question typed outside a checklist, starts what the words ask
    for ("imvo beleid graag", "nieuwe checklist"), or says what is possible."""
    question = typed_answers.reads_as_question(turn, text)
    if question and menu.answer_knowledge_question(turn, text):
        return reprompt(turn)
    if not question:
        checklist_id = typed_words.checklist_named(turn.knowledge, text)
        if checklist_id is not None:
            return setup.start_context(turn, checklist_id)
        command = typed_words.menu_command_named(turn.knowledge, text)
        if command is not None:
            return on_command(turn, command, "")
    if menu.answer_knowledge_question(turn, text):
        return reprompt(turn)
    turn.say("unknown_topic" if menu.looks_like_question(text) else "not_understood_menu")
    return reprompt(turn)


def _use_buttons(turn: Turn, text: str) -> State:
    """Destructive steps need a button press; typed text only repeats the question."""
    turn.say("use_buttons")
    return reprompt(turn)


# What typed text means in each state (after commands and navigation words).
STEPS: dict[State, Step] = {
    State.START: lambda turn, text: menu.welcome(turn),
    State.MENU: _free_text,
    State.CHOOSE_CHECKLIST: setup.choose_checklist_by_text,
    State.ASK_NAME: lambda turn, text: setup.context_by_text(turn, "name", text),
    State.ASK_COUNTRY: lambda turn, text: setup.context_by_text(turn, "country", text),
    State.ASK_SECTOR: lambda turn, text: setup.context_by_text(turn, "sector", text),
    State.QUESTION: typed_answers.answer_by_text,
    State.CONFIRM: typed_answers.confirm_by_text,
    State.FINISHED: _free_text,
    State.RENAME: manage.rename_by_text,
    State.CONFIRM_DELETE: _use_buttons,
    State.CONFIRM_FORGET: _use_buttons,
    State.JOIN: _use_buttons,
    State.ASK_MEMBER_NAME: team.name_by_text,
    State.CONFIRM_TEAM: _use_buttons,
}

# Navigation words understood in each state; elsewhere typed text is taken literally.
CONTEXT_INTENTS = frozenset({Intent.SKIP, Intent.BACK, Intent.STOP, Intent.HELP})
INTENTS: dict[State, frozenset[Intent]] = {
    State.MENU: frozenset(Intent),
    State.CHOOSE_CHECKLIST: frozenset(Intent),
    State.ASK_NAME: CONTEXT_INTENTS,
    State.ASK_COUNTRY: CONTEXT_INTENTS,
    State.ASK_SECTOR: CONTEXT_INTENTS,
    State.QUESTION: frozenset(Intent),
    State.CONFIRM: frozenset(Intent),
    State.FINISHED: frozenset(Intent),
    State.RENAME: frozenset({Intent.STOP}),
    State.CONFIRM_DELETE: frozenset({Intent.STOP}),
    State.CONFIRM_FORGET: frozenset({Intent.STOP}),
    State.JOIN: frozenset({Intent.STOP}),
    State.ASK_MEMBER_NAME: frozenset({Intent.STOP}),
    State.CONFIRM_TEAM: frozenset({Intent.STOP}),
}


# States that take a name: navigation only counts when it is the whole (one-word) message.
NAME_STATES = frozenset(
    {State.ASK_NAME, State.ASK_COUNTRY, State.ASK_SECTOR, State.RENAME, State.ASK_MEMBER_NAME}
)
# States where "stop" means "no, leave it": nothing is changed.
KEEP_STATES = (
    State.RENAME,
    State.CONFIRM_DELETE,
    State.CONFIRM_FORGET,
    State.JOIN,
    State.ASK_MEMBER_NAME,
    State.CONFIRM_TEAM,
)


def on_text(turn: Turn, text: str) -> State:
    """Routes typed text: a /command, a navigation word, or the state's own step."""
    if text.startswith("/") and len(text) > 1:
        word, _, argument = text.partition(" ")
        return on_command(turn, word, argument.strip())
    if turn.state is State.START:
        return menu.welcome(turn)
    allowed = INTENTS.get(turn.state, frozenset())
    if turn.state in NAME_STATES and len(text.split()) > 1:
        allowed = frozenset()  # "Pauze BV" is a company name, not a request to pause
    if allowed:
        intent = turn.understanding.detect_intent(text)
        if intent is not None and intent in allowed:
            if intent is Intent.STOP and turn.state in KEEP_STATES:
                return manage.keep(turn)
            return on_command(turn, INTENT_COMMANDS[intent], "")
    return STEPS[turn.state](turn, text)


# -- commands ---------------------------------------------------------------------------


def _target_assessment(turn: Turn) -> AssessmentRecord | None:
    """The current assessment, else the most recently changed one."""
    current = turn.current_assessment()
    if current is not None:
        return current
    assessments = turn.store.list_assessments(turn.user_id)
    return assessments[0] if assessments else None


def _numbered(turn: Turn, argument: str) -> AssessmentRecord | None:
    """The assessment with list number ``argument`` (as /list shows them)."""
    if not (argument.isascii() and argument.isdigit()):
        return None
    assessments = turn.store.list_assessments(turn.user_id)
    number = int(argument)
    return assessments[number - 1] if 1 <= number <= len(assessments) else None


def _cmd_start(turn: Turn, argument: str) -> State:
    if argument:  # a Telegram invitation link: /start CODE
        state = team.ask_join(turn, argument)
        return menu.welcome(turn) if state is State.START else state
    if turn.state is State.START:
        return menu.welcome(turn)
    turn.say("welcome_back")
    return reprompt(turn)


def _cmd_help(turn: Turn, argument: str) -> State:
    menu.show_help(turn)
    return reprompt(turn)


def _cmd_list(turn: Turn, argument: str) -> State:
    manage.list_assessments(turn)
    return turn.state


def _cmd_resume(turn: Turn, argument: str) -> State:
    if argument:
        chosen = _numbered(turn, argument)
        if chosen is None:
            turn.say("not_found")
            manage.list_assessments(turn)
            return turn.state
        return manage.resume(turn, chosen)
    return manage.resume_latest(turn)


def _with_assessment(
    action: Callable[[Turn, AssessmentRecord], object], *, then_reprompt: bool = True
) -> Callable:
    """A command that works on the current (or latest) assessment; afterwards an open
    question is asked again when ``then_reprompt``."""

    def command(turn: Turn, argument: str) -> State:
        assessment = _target_assessment(turn)
        if assessment is None:
            turn.say("no_assessments")
            return reprompt(turn)
        result = action(turn, assessment)
        if isinstance(result, State):
            return result
        return after_view(turn) if then_reprompt else turn.state

    return command


def _cmd_language(turn: Turn, argument: str) -> State:
    if argument and manage.set_language(turn, argument):
        return reprompt(turn)
    manage.offer_languages(turn)
    return turn.state


def _cmd_skip(turn: Turn, argument: str) -> State:
    if turn.state in QUESTION_STATES:
        return questions.skip_question(turn)
    field = _context_field(turn)
    if field:
        return setup.next_context(turn, field, "")
    turn.say("nothing_to_skip")
    return reprompt(turn)


def _cmd_back(turn: Turn, argument: str) -> State:
    field = _context_field(turn)
    if field:
        return setup.previous_context(turn, field)
    if turn.state in (*QUESTION_STATES, State.FINISHED) and turn.current_assessment():
        return questions.previous_question(turn)
    turn.say("nothing_to_go_back_to")
    return reprompt(turn)


def _context_field(turn: Turn) -> str | None:
    return next((f for f, s in setup.CONTEXT_STATES.items() if s is turn.state), None)


def _cmd_restart(turn: Turn, argument: str) -> State:
    if turn.current_assessment() is None:
        return menu.show_menu(turn)
    return questions.restart_checklist(turn)


def _cmd_edit(turn: Turn, argument: str) -> State:
    assessment = _target_assessment(turn)
    if assessment is None:
        turn.say("no_assessments")
        return reprompt(turn)
    if argument.isascii() and argument.isdigit():
        checklist = turn.checklist_of(assessment)
        total = len(checklist.questions) if checklist is not None else 0
        if checklist is not None and not 1 <= int(argument) <= total:
            turn.say("no_such_question", number=int(argument), total=total)
            return reprompt(turn)
        return questions.edit_question(turn, assessment, int(argument) - 1)
    questions.show_edit_list(turn, assessment)
    return turn.state


def _cmd_rename(turn: Turn, argument: str) -> State:
    assessment = _target_assessment(turn)
    if assessment is None:
        turn.say("no_assessments")
        return reprompt(turn)
    if argument:
        turn.data["target"] = assessment.id
        return manage.rename_by_text(turn, argument)
    return manage.ask_rename(turn, assessment)


COMMAND_HANDLERS: dict[str, Callable[[Turn, str], State]] = {
    "start": _cmd_start,
    "help": _cmd_help,
    "new": lambda turn, argument: setup.ask_checklist(turn),
    "list": _cmd_list,
    "resume": _cmd_resume,
    "summary": _with_assessment(show_summary),
    "export": _with_assessment(offer_export, then_reprompt=False),
    "documents": _with_assessment(offer_documents, then_reprompt=False),
    "language": _cmd_language,
    "stop": lambda turn, argument: manage.stop(turn),
    "forget": lambda turn, argument: manage.ask_forget(turn),
    "skip": _cmd_skip,
    "back": _cmd_back,
    "restart": _cmd_restart,
    "edit": _cmd_edit,
    "rename": _cmd_rename,
    "invite": _with_assessment(team.invite, then_reprompt=False),
    "join": lambda turn, argument: team.ask_join(turn, argument),
    "team": _with_assessment(team.show_team, then_reprompt=False),
    "leave": _with_assessment(
        lambda turn, assessment: team.ask_team_action(turn, "leave", assessment),
        then_reprompt=False,
    ),
}


def on_command(turn: Turn, word: str, argument: str) -> State:
    """Runs a command; an unknown one is named and the current question asked again."""
    name = command_name(word)
    handler = COMMAND_HANDLERS.get(name)
    if handler is None:
        shown = word.strip()[:MAX_COMMAND_SHOWN]
        turn.say("unknown_command", command=shown if shown.startswith("/") else f"/{shown}")
        return reprompt(turn)
    return handler(turn, argument)
