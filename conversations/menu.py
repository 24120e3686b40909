"""The welcome, the main menu, help and knowledge answers: things said in any state."""

from __future__ import annotations

from conversations.choices import encode
from conversations.states import State
from conversations.turn import Turn
from knowledge import countries
from storage import AssessmentStatus


def welcome(turn: Turn) -> State:
    """Greets a new user, says what the assistant does, and shows the menu."""
    turn.say("welcome")
    return show_menu(turn)


def show_menu(turn: Turn) -> State:
    """Shows what can be done now: a new checklist, resuming one, the list, help."""
    assessments = turn.store.list_assessments(turn.user_id)
    unfinished = [a for a in assessments if a.status != AssessmentStatus.DONE]
    choices = [turn.choice("button.new", encode("cmd", "new"))]
    if unfinished:
        latest = unfinished[0]
        choices.append(
            turn.choice(
                "button.resume_named", encode("res", latest.id), name=turn.display_name(latest)
            )
        )
    if assessments:
        choices.append(turn.choice("button.list", encode("cmd", "list")))
    choices.append(turn.choice("button.help", encode("cmd", "help")))
    other = "en" if turn.language == "nl" else "nl"
    choices.append(turn.choice(f"button.language_{other}", encode("lang", other)))
    turn.say("menu", choices=tuple(choices))
    return State.MENU


def show_help(turn: Turn) -> None:
    """Explains the commands and that questions may be typed at any moment."""
    turn.say("help")


def show_topic(turn: Turn, topic_id: str) -> bool:
    """Answers a knowledge question with the topic's text and sources; False when unknown."""
    topic = turn.knowledge.topics.get(topic_id)
    if topic is None:
        return False
    sources = "\n".join(
        turn.text("topic_source", label=ref.label_in(turn.language), source=ref.source)
        for ref in topic.sources
    )
    text = turn.text(
        "topic",
        title=topic.title.get(turn.language),
        answer=topic.answer.get(turn.language),
        sources=sources,
    )
    if topic.as_of:
        text = f"{text}\n{turn.text('topic_as_of', date=topic.as_of)}"
    turn.say_text(text)
    return True


def answer_country_question(turn: Turn, text: str, *, asked_only: bool = False) -> bool:
    """Answers "Heeft Bangladesh C87 geratificeerd" from the country table; True if it did.

    With ``asked_only`` (during a checklist) only text phrased as a question counts, so an
    answer such as "Bangladesh heeft 87 en 98 geratificeerd" stays an answer."""
    if asked_only and not countries.is_asked(text):
        return False
    question = countries.ratification_question(turn.knowledge, text)
    if question is None:
        return False
    turn.say_text(countries.answer(turn.knowledge, question, turn.language))
    return True


def answer_knowledge_question(turn: Turn, text: str) -> bool:
    """Looks ``text`` up as a ratification question, then as a topic; True when answered."""
    if answer_country_question(turn, text):
        return True
    match = turn.understanding.lookup(text)
    return match is not None and show_topic(turn, match.topic_id)


def looks_like_question(text: str) -> bool:
    """A typed question ends with a question mark (in any script we expect)."""
    return text.rstrip().endswith(("?", "？", "؟"))
