"""Typed answers through the console chat: a finding is never dropped, a question is never
stored as an answer, a correction in words is understood, menus accept words.

Most tests give the engine a scripted understanding, so they test the dialogue whatever the
model reads; the last ones use the shipped understanding on the sentences users type.
"""

from __future__ import annotations

import io

import pytest

from bot.console import ConsoleChat
from conversations.engine import Engine
from knowledge.schema import Stance
from knowledge.understanding.types import Interpretation, SignalHit, TopicMatch
from storage import Store

USER = "console:test"


class ScriptedUnderstanding:
    """Reads exactly the sentences a test scripts; everything else is not understood."""

    def __init__(self, answers=None, topics=None) -> None:
        self.answers = answers or {}
        self.topics = topics or {}

    def interpret(self, question_id: str, text: str) -> Interpretation:
        stance, signals, confidence, *hedged = self.answers.get(text, (None, (), 0.0))
        hits = tuple(SignalHit(s, e, implied) for s, e, implied in signals)
        return Interpretation(question_id, stance, hits, confidence, bool(hedged and hedged[0]))

    def lookup(self, text: str) -> TopicMatch | None:
        topic = self.topics.get(text)
        return TopicMatch(topic, 90.0) if topic else None

    def detect_intent(self, text: str):
        return None


def _console(knowledge, store, understanding, tmp_path):
    engine = Engine(knowledge, store, understanding)
    output = io.StringIO()
    return ConsoleChat(engine, knowledge, USER, output, save_dir=tmp_path), output


def _answers(store: Store):
    (assessment,) = store.list_assessments(USER)
    return store.answers_for(USER, assessment.id)


POLICY_START = ["1", "1", "Zoë BV", "1", "1"]  # new, policy, name, skip country, skip sector
UNION_START = ["1", "3", "Zoë BV", "1", "1"]


def test_a_finding_without_an_answer_is_kept_echoed_and_the_question_asked_again(
    knowledge, store, tmp_path
) -> None:
    said = "ontslag van vakbondsleden, dat speelt hier"
    scripted = ScriptedUnderstanding(
        {said: (None, [("anti_union_dismissal", "ontslag van vakbondsleden", False)], 0.0)}
    )
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*POLICY_START, said])
    shown = output.getvalue()
    title = knowledge.signals["anti_union_dismissal"].title.nl.lower()
    assert f"Ik hoor: {title}." in shown
    assert shown.count("Vraag 1 van 16") == 2  # asked again
    kept = _answers(store)["policy.exists"]
    assert kept.stance is None
    assert kept.text == said
    assert [s.signal for s in kept.signals] == ["anti_union_dismissal"]

    chat.run_script(["2"])  # then the answer by button: Nee
    answer = _answers(store)["policy.exists"]
    assert answer.stance == Stance.NO.value
    assert answer.text == f"{said} — Nee"  # the user's own words stay
    assert {s.signal for s in answer.signals} == {"anti_union_dismissal", "no_policy"}
    assert "Vraag 2 van 16" in output.getvalue()


def test_a_kept_finding_survives_skipping_the_question(knowledge, store, tmp_path) -> None:
    said = "de nooduitgangen zitten op slot"
    scripted = ScriptedUnderstanding(
        {said: (None, [("unsafe_work", "nooduitgangen zitten op slot", False)], 0.0)}
    )
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*POLICY_START, said, "6", "/summary"])  # 6 = Overslaan
    answer = _answers(store)["policy.exists"]
    assert [s.signal for s in answer.signals] == ["unsafe_work"]
    assert knowledge.signals["unsafe_work"].title.nl in output.getvalue().split("Vraag 2", 1)[1]


def test_a_question_without_question_mark_is_answered_not_stored(
    knowledge, store, tmp_path
) -> None:
    asked = "geldt c87 ook voor het recht om te staken"
    scripted = ScriptedUnderstanding({asked: (Stance.NO, (), 0.5)}, {asked: "c87"})
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*UNION_START, asked])
    shown = output.getvalue()
    assert knowledge.topics["c87"].title.nl in shown
    assert shown.count("Vraag 1 van 13") == 2
    assert _answers(store) == {}


def test_text_that_may_be_a_question_or_an_answer_is_asked_about(
    knowledge, store, tmp_path
) -> None:
    typed = "nee er is geen bond. wat is c87 eigenlijk?"
    scripted = ScriptedUnderstanding({typed: (Stance.NO, (), 0.93)}, {typed: "c87"})
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*UNION_START, typed])
    assert "Is dit een vraag of je antwoord?" in output.getvalue()
    assert _answers(store) == {}  # nothing stored before the user says

    chat.run_script(["2"])  # "Een vraag"
    assert knowledge.topics["c87"].title.nl in output.getvalue()
    assert _answers(store) == {}

    chat.run_script([typed, "1"])  # asked again; now "Mijn antwoord"
    answer = _answers(store)["union.legal_context"]
    assert (answer.stance, answer.text) == (Stance.NO.value, typed)


def test_a_hedged_lean_is_confirmed_however_likely_the_reading(knowledge, store, tmp_path) -> None:
    guess = "volgens mij wel, het staat op intranet"
    scripted = ScriptedUnderstanding(
        {guess: (Stance.YES, (), 0.97, True), "ja": (Stance.YES, (), 0.99)}
    )
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*POLICY_START, guess])
    assert "Ik begrijp: Ja — klopt dat?" in output.getvalue()
    assert _answers(store) == {}  # a guess is not stored before the user says so

    chat.run_script(["ja"])
    answer = _answers(store)["policy.exists"]
    assert (answer.stance, answer.text) == (Stance.YES.value, guess)


def test_a_hedged_answer_that_may_be_a_question_is_still_confirmed(
    knowledge, store, tmp_path
) -> None:
    typed = "ik denk het niet?"
    scripted = ScriptedUnderstanding({typed: (Stance.NO, (), 0.95, True)})
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*UNION_START, typed])
    assert "Is dit een vraag of je antwoord?" in output.getvalue()
    chat.run_script(["1"])  # "Mijn antwoord"
    assert "Ik begrijp: Nee — klopt dat?" in output.getvalue()
    assert _answers(store) == {}


def test_a_correction_in_words_at_the_confirmation_is_the_new_answer(
    knowledge, store, tmp_path
) -> None:
    first = "daar merk ik weinig van"
    correction = "nee, ik bedoel dat ze WEL op een zwarte lijst staan"
    meant = "dat ze WEL op een zwarte lijst staan"
    scripted = ScriptedUnderstanding(
        {
            first: (Stance.NO, (), 0.4),
            meant: (Stance.YES, [("intimidation", "zwarte lijst", True)], 0.9),
        }
    )
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*UNION_START, "/edit 6", first])
    assert "Ik begrijp: Nee — klopt dat?" in output.getvalue()
    chat.run_script([correction])
    answer = _answers(store)["union.intimidation"]
    assert answer.stance == Stance.YES.value
    assert [s.signal for s in answer.signals] == ["intimidation"]
    assert answer.text == f"{first} — {correction}"  # the user's words, both of them


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("imvo beleid graag", "policy"),
        ("union freedom", "union"),
        ("de vakbondscheck alsjeblieft", None),  # not a listed word: asks again
        ("ruggie", "ungp"),
    ],
)
def test_the_menu_accepts_a_checklist_in_words(
    knowledge, store, tmp_path, typed, expected
) -> None:
    chat, output = _console(knowledge, store, ScriptedUnderstanding(), tmp_path)
    chat.run_script([typed])
    shown = output.getvalue()
    if expected is None:
        assert knowledge.text("engine.ask_name", "nl") not in shown
        return
    assert knowledge.text("engine.ask_name", "nl") in shown
    chat.run_script(["Zoë BV", "1", "1"])
    (assessment,) = store.list_assessments(USER)
    assert assessment.checklist == expected


def test_the_menu_accepts_new_checklist_in_words(knowledge, store, tmp_path) -> None:
    chat, output = _console(knowledge, store, ScriptedUnderstanding(), tmp_path)
    chat.run_script(["nieuwe checklist"])
    assert "Welke checklist wil je doen?" in output.getvalue()
    chat.run_script(["vakbond", "Zoë BV", "1", "1"])
    (assessment,) = store.list_assessments(USER)
    assert assessment.checklist == "union"


def test_a_knowledge_question_in_the_menu_is_not_a_checklist_choice(
    knowledge, store, tmp_path
) -> None:
    asked = "wat is vakbondsvrijheid?"
    scripted = ScriptedUnderstanding(topics={asked: "c87"})
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([asked])
    assert knowledge.topics["c87"].title.nl in output.getvalue()
    assert store.list_assessments(USER) == []


# -- the shipped understanding, on sentences people type -------------------------------------


def test_shipped_understanding_answers_a_question_typed_without_question_mark(
    engine, knowledge, store, tmp_path
) -> None:
    output = io.StringIO()
    chat = ConsoleChat(engine, knowledge, USER, output, save_dir=tmp_path)
    chat.run_script([*UNION_START, "heeft vietnam c87 geratificeerd"])
    assert _answers(store) == {}  # never stored as an answer
    shown = output.getvalue()
    answered = shown.count("Vraag 1 van 13") == 2  # answered, then the question again
    assert answered or "Is dit een vraag of je antwoord?" in shown


def test_shipped_understanding_keeps_a_finding_named_in_another_answer(
    engine, knowledge, store, tmp_path
) -> None:
    output = io.StringIO()
    chat = ConsoleChat(engine, knowledge, USER, output, save_dir=tmp_path)
    chat.run_script([*POLICY_START, "ontslag van vakbondsleden, dat is wat hier speelt"])
    kept = _answers(store)["policy.exists"]
    assert "anti_union_dismissal" in {s.signal for s in kept.signals}
    assert "Ik hoor:" in output.getvalue()


def test_a_finding_in_a_rejected_reading_is_kept(knowledge, store, tmp_path) -> None:
    said = "ze hebben drie bondsleden ontslagen, dat speelt hier"
    scripted = ScriptedUnderstanding(
        {said: (Stance.YES, [("anti_union_dismissal", "bondsleden ontslagen", False)], 0.6)}
    )
    chat, output = _console(knowledge, store, scripted, tmp_path)
    chat.run_script([*POLICY_START, said])
    assert "Ik begrijp: Ja — klopt dat?" in output.getvalue()
    chat.run_script(["2"])  # "Nee, ik kies zelf": the stance goes, the finding stays
    kept = _answers(store)["policy.exists"]
    assert kept.stance is None
    assert [s.signal for s in kept.signals] == ["anti_union_dismissal"]
    assert "Ik hoor:" in output.getvalue()
    chat.run_script(["2"])  # then Nee by button: both kept
    answer = _answers(store)["policy.exists"]
    assert answer.stance == Stance.NO.value
    assert {s.signal for s in answer.signals} == {"anti_union_dismissal", "no_policy"}


@pytest.mark.parametrize(
    ("typed", "stance"),
    [
        ("volgens mij wel", Stance.YES),
        ("ik denk het niet", Stance.NO),
        ("ik denk het niet hoor", Stance.NO),
        ("I don't think so", Stance.NO),
        ("wss niet", Stance.NO),
    ],
)
def test_shipped_understanding_reads_a_guess_as_its_lean_and_confirms_it(typed, stance) -> None:
    """Labelling guide, hedges: a guess that leans is that stance, and the bot confirms it."""
    from knowledge.understanding import interpret

    understood = interpret("policy.exists", typed)
    assert (understood.stance, understood.hedged, understood.is_sure()) == (stance, True, False)


@pytest.mark.parametrize(
    "typed", ["geen idee", "ik denk het wel, maar ik weet het niet zeker", "nee, geen beleid"]
)
def test_shipped_understanding_does_not_call_plain_answers_guesses(typed) -> None:
    from knowledge.understanding import interpret

    assert interpret("policy.exists", typed).hedged is False
