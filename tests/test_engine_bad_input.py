"""Bad input never crashes the engine and never changes stored answers: each gets a clear
reply in the user's language and the open question again."""

from __future__ import annotations

import pytest

from conversations.engine import Engine
from conversations.events import EventKind
from knowledge.schema import Stance
from knowledge.understanding.types import Interpretation
from tests.test_engine_conversations import question_number, start_checklist


@pytest.fixture
def midway(chat):
    """Alice at question 3 of the union checklist with two answers stored."""
    alice = chat("alice")
    start_checklist(alice, "union", name="Fabriek")
    alice.press("Nee")
    alice.press("Ja")
    assert question_number(alice) == 3
    return alice


STALE = "Die knop hoort bij een eerder bericht"
EMPTY = "Ik kreeg een leeg bericht."
UNKNOWN = "/frobnicate ken ik niet."
T, C = EventKind.TEXT, EventKind.CHOICE

BAD_INPUT = [
    pytest.param(T, "", EMPTY, id="empty"),
    pytest.param(T, "   \n\t ", EMPTY, id="blank"),
    pytest.param(
        T,
        "nee " * 2500,
        "Je bericht is te lang (9999 tekens). Houd het korter dan 4000 tekens. "
        "Er is niets opgeslagen.",
        id="10000-characters",
    ),
    pytest.param(T, "🙂👍🎉", "Ik kan alleen woorden lezen.", id="only-emoji"),
    pytest.param(EventKind.TEXT, "\u200b\u200d\ufeff", EMPTY, id="zero-width"),
    pytest.param(T, "\x00\x07\x1b", EMPTY, id="control"),
    pytest.param(EventKind.COMMAND, "frobnicate", UNKNOWN, id="unknown-command"),
    pytest.param(EventKind.TEXT, "/frobnicate now", UNKNOWN, id="typed-unknown"),
    pytest.param(EventKind.CHOICE, "a:1:0:yes", STALE, id="stale"),
    pytest.param(EventKind.CHOICE, "a:1:2:maybe", STALE, id="bad-stance"),
    pytest.param(EventKind.CHOICE, "ok:1:2", STALE, id="no-confirm"),
    pytest.param(EventKind.CHOICE, "garbage", STALE, id="garbage"),
    pytest.param(C, "a:1:2:yes" + "x" * 64, STALE, id="too-long-data"),
    pytest.param(C, "fy", STALE, id="forget-yes"),
    pytest.param(EventKind.CHOICE, "dy:1", STALE, id="delete-yes"),
    pytest.param(EventKind.CHOICE, "cl:union", STALE, id="checklist"),
    pytest.param(EventKind.CHOICE, "eq:1:99", STALE, id="edit-99"),
    pytest.param(C, "res:777", "Die checklist kan ik niet vinden.", id="forged-id"),
]


@pytest.mark.parametrize(("kind", "data", "expected"), BAD_INPUT)
def test_bad_input_gets_a_clear_reply_and_changes_nothing(midway, kind, data, expected) -> None:
    answers, position = midway.answers(), midway.position
    midway.send(kind, data)
    assert midway.replies[0].text.startswith(expected), midway.text
    assert question_number(midway) == 3  # the open question is shown again
    assert midway.answers() == answers
    assert midway.position == position


def test_bad_input_is_answered_in_english_for_english_users(chat) -> None:
    bob = chat("bob", "en")
    start_checklist(bob, "union")
    bob.say("")
    assert bob.replies[0].text == "I received an empty message."
    bob.say("🙂")
    assert bob.replies[0].text.startswith("I can only read words.")
    bob.command("nope")
    assert bob.replies[0].text.startswith("I don't know /nope.")


def test_a_pressed_answer_delivered_twice_is_stored_once(midway) -> None:
    data = midway.choice("Deels").data
    midway.send(EventKind.CHOICE, data)
    after_first = midway.answers()
    midway.send(EventKind.CHOICE, data)
    assert midway.replies[0].text.startswith(STALE)
    assert midway.answers() == after_first
    assert question_number(midway) == 4


@pytest.mark.parametrize(
    ("kind", "data"),
    [(T, "deels"), (C, None), (EventKind.COMMAND, "skip")],
    ids=["typed", "pressed", "command"],
)
def test_the_same_delivery_twice_is_handled_once(midway, kind, data) -> None:
    from conversations.events import Event

    data = data or midway.choice("Deels").data
    first = Event(midway.user_id, kind, data, "", "nl", delivery_id="update-41")
    midway.replies = midway.engine.handle(first)
    after_first, position = midway.answers(), midway.position
    assert question_number(midway) == 4
    midway.replies = midway.engine.handle(first)
    assert len(midway.replies) == 1  # where the user is, nothing new
    assert question_number(midway) == 4
    assert midway.replies[0].answered is None
    assert (midway.answers(), midway.position) == (after_first, position)
    assert len(midway.engine.store.answer_history(midway.user_id, midway.current().id)) == len(
        after_first
    )
    other = Event(midway.user_id, T, "ja", "", "nl", delivery_id="update-42")
    midway.replies = midway.engine.handle(other)  # a new delivery is handled as usual
    assert question_number(midway) == 5


def test_an_old_button_after_back_is_refused(midway) -> None:
    old_question_3 = midway.choice("Ja").data
    midway.press("Vorige")
    assert question_number(midway) == 2
    midway.send(EventKind.CHOICE, old_question_3)
    assert midway.replies[0].text.startswith(STALE)
    assert question_number(midway) == 2


def test_text_that_is_no_answer_and_no_topic_is_said_honestly(midway) -> None:
    answers = midway.answers()
    midway.say("Wat is de hoofdstad van Peru?")
    assert midway.replies[0].text.startswith("Daar weet ik geen antwoord op.")
    assert question_number(midway) == 3
    assert midway.answers() == answers


def test_a_crash_inside_understanding_is_one_apology_and_no_change(
    knowledge, store, understanding, monkeypatch, caplog
) -> None:
    from tests.conftest import Chat

    engine = Engine(knowledge, store, understanding)
    erin = Chat(engine, "test:erin")
    start_checklist(erin, "union")
    erin.press("Nee")
    answers, position = erin.answers(), erin.position

    def broken(question_id, text):
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(understanding, "interpret", broken)
    erin.say("een getypt antwoord over de directeur")
    assert erin.text == (
        "Sorry, er ging iets mis aan mijn kant. Probeer het nog eens. "
        "Je eerdere antwoorden zijn bewaard."
    )
    assert erin.answers() == answers
    assert erin.position == position
    assert "een getypt antwoord" not in caplog.text  # the message text is never logged
    assert "Engine failed on a text event" in caplog.text


class UnsureUnderstanding:
    """The real understanding, but every typed "misschien ..." is an unsure "no"."""

    def __init__(self, real) -> None:
        self.real = real

    def interpret(self, question_id: str, text: str) -> Interpretation:
        if text.startswith("misschien"):
            return Interpretation(question_id, Stance.NO, (), 0.4)
        return self.real.interpret(question_id, text)

    def lookup(self, text):
        return self.real.lookup(text)

    def detect_intent(self, text):
        return self.real.detect_intent(text)


@pytest.fixture
def unsure(knowledge, store, understanding):
    from tests.conftest import Chat

    frank = Chat(Engine(knowledge, store, UnsureUnderstanding(understanding)), "test:frank")
    start_checklist(frank, "union")
    return frank


def test_an_unsure_answer_is_confirmed_before_it_is_stored(unsure) -> None:
    unsure.say("misschien niet echt")
    assert unsure.text == "Ik begrijp: Nee — klopt dat?"
    assert [c.label for c in unsure.choices] == ["Ja, klopt", "Nee, ik kies zelf"]
    assert unsure.answers() == {}
    assert unsure.state == "confirm"
    unsure.press("Ja, klopt")
    assert unsure.replies[0].text.startswith("Ik begrijp: Nee. Genoteerd.")
    answer = next(iter(unsure.answers().values()))
    assert (answer.text, answer.stance, answer.confidence) == ("misschien niet echt", "no", 0.4)
    assert question_number(unsure) == 2


def test_a_wrong_understanding_lets_the_user_choose(unsure) -> None:
    unsure.say("misschien")
    unsure.press("Nee, ik kies zelf")
    assert unsure.replies[0].text.startswith("Kies dan zelf je antwoord")
    assert question_number(unsure) == 1
    assert unsure.answers() == {}
    unsure.press("Deels")
    assert next(iter(unsure.answers().values())).stance == "partly"


def test_confirmation_can_be_typed_or_replaced_by_a_new_answer(unsure) -> None:
    unsure.say("misschien")
    unsure.say("ja")  # yes, that is right
    assert next(iter(unsure.answers().values())).stance == "no"
    unsure.say("misschien")
    stale_confirm = unsure.choice("Ja, klopt").data
    unsure.say("deels")  # not a yes/no to the check: a new answer to question 2
    assert [a.stance for a in unsure.answers().values()] == ["no", "partly"]
    unsure.send(EventKind.CHOICE, stale_confirm)
    assert unsure.replies[0].text.startswith(STALE)
    assert len(unsure.answers()) == 2
