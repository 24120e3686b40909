"""Whole conversations through the engine: every checklist to the end with buttons, typed
answers, knowledge questions, skip, back and edit; a process restart; two users."""

from __future__ import annotations

from conversations.engine import Engine
from conversations.events import EventKind
from storage import Store

NL_CHECKLIST = {
    "policy": "IMVO-beleid",
    "union": "Vakbondsvrijheid",
    "ungp": "VN-richtlijnen (UNGP)",
}
EN_CHECKLIST = {
    "policy": "RBC policy",
    "union": "Trade-union freedom",
    "ungp": "UN Guiding Principles",
}
NL_STANCE = {"yes": "Ja", "no": "Nee", "partly": "Deels", "unknown": "Weet ik niet"}
EN_STANCE = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Don't know"}
NL_TYPED = {"yes": "ja", "no": "nee", "partly": "deels", "unknown": "weet ik niet"}
EN_TYPED = {"yes": "yes", "no": "no", "partly": "partly", "unknown": "I don't know"}
STANCES = ("no", "yes", "partly", "unknown")


def start_checklist(user, checklist: str, name: str = "", country: str = "", sector: str = ""):
    """From any state: /new, pick the checklist, give or skip the context."""
    english = user.language_hint and not user.language_hint.startswith("nl")
    user.command("new")
    user.press((EN_CHECKLIST if english else NL_CHECKLIST)[checklist])
    skip = "Skip" if english else "Overslaan"
    for value in (name, country, sector):
        user.say(value) if value else user.press(skip)


def question_number(user) -> int:
    """The number of the question shown last ("Vraag 4 van 13" -> 4)."""
    for reply in reversed(user.replies):
        first = reply.text.split("\n", 1)[0].split()
        if first[:1] in (["Vraag"], ["Question"]) and len(first) == 4:
            return int(first[1])
    raise AssertionError(f"no question shown: {user.text[:300]}")


def test_union_checklist_with_buttons_text_questions_skip_back_and_edit(chat, knowledge) -> None:
    alice = chat("alice")
    alice.command("start")
    assert "Hallo! Ik ben de IMVO-coach" in alice.text
    start_checklist(alice, "union", name="Zoë's Textiel BV", country="Bangladesh")
    questions = knowledge.checklist("union").questions
    assert alice.replies[0].text == "Genoteerd: Zoë's Textiel BV · Bangladesh."
    assert alice.replies[1].text.startswith("Vakbondsvrijheid bij een vestiging")
    assert "Vraag 1 van 13" in alice.text

    alice.press("Nee")  # 1: button
    assert alice.replies[0].text == "Genoteerd: Nee."
    assert alice.replies[0].answered == "Nee"
    alice.say("ja")  # 2: typed
    assert alice.replies[0].text.startswith("Ik begrijp: Ja.")
    alice.say("Wat is ILO-verdrag 87?")  # a knowledge question in between
    assert "ILO-verdrag 87" in alice.replies[0].text
    assert question_number(alice) == 3  # the same question again
    alice.say("deels")  # 3
    alice.press("Overslaan")  # 4: skipped
    assert question_number(alice) == 5
    alice.say("terug")  # navigation typed as a word
    assert question_number(alice) == 4
    alice.press("Ja")  # 4 after all
    alice.command("skip")  # 5
    alice.command("back")  # back to 5
    assert question_number(alice) == 5
    alice.press("Waarom?")
    assert alice.replies[0].text.startswith("Waarom deze vraag?")
    alice.press("Weet ik niet")  # 5
    for index in range(5, 13):
        assert question_number(alice) == index + 1
        alice.press(NL_STANCE[STANCES[index % 4]])
    assert alice.state == "finished"
    assert alice.replies[0].text.startswith("Genoteerd:")
    assert "Klaar! Je hebt alle vragen gehad voor: Zoë's Textiel BV." in alice.text
    assert "Zoë's Textiel BV" in alice.text  # the summary follows

    alice.command("edit", "999")  # a question that does not exist
    assert alice.replies[0].text == (
        "Er is geen vraag 999. Deze checklist heeft 13 vragen; kies 1 tot en met 13."
    )
    assert alice.state == "finished"  # nothing changed
    alice.command("edit", "2")  # change an earlier answer after the end
    assert question_number(alice) == 2
    assert "Je eerdere antwoord: Ja" in alice.text
    alice.press("Nee")
    assert alice.state == "finished"
    assert "De checklist voor Zoë's Textiel BV is klaar." in alice.text
    assert "Klaar!" not in alice.text  # the summary is not forced on the user again

    answers = alice.answers()
    expected = {
        questions[0].id: "no",
        questions[1].id: "no",
        questions[2].id: "partly",
        questions[3].id: "yes",
        questions[4].id: "unknown",
    }
    expected |= {questions[i].id: STANCES[i % 4] for i in range(5, 13)}
    assert {qid: a.stance for qid, a in answers.items()} == expected
    assert answers[questions[2].id].text == "deels"  # verbatim
    assert answers[questions[0].id].text == "Nee"  # the button label
    risk = questions[0]
    if risk.risk_if.value == "no":
        assert answers[risk.id].signals[0].signal == risk.signal


def test_policy_checklist_in_english_by_typing(chat, knowledge) -> None:
    bob = chat("bob", "en-GB")
    bob.say("hi")
    assert bob.text.startswith("Hello! I am the IMVO coach.")
    start_checklist(bob, "policy", sector="Metal")
    questions = knowledge.checklist("policy").questions
    for index, _question in enumerate(questions):
        assert question_number(bob) == index + 1
        if index == 6:
            bob.say("What is a supplier code of conduct?")
            assert "code of conduct" in bob.replies[0].text.lower()
            assert question_number(bob) == index + 1
        bob.say(EN_TYPED[STANCES[index % 4]])
        assert bob.replies[0].text.startswith("I understand:"), bob.text
    assert bob.state == "finished"
    assert "Done! You have been through all the questions" in bob.text
    stored = {qid: a.stance for qid, a in bob.answers().items()}
    assert stored == {q.id: STANCES[i % 4] for i, q in enumerate(questions)}
    assert bob.current().sector == "Metal"
    assert bob.current().status == "done"


def test_ungp_checklist_with_commands_summary_and_restart(chat, knowledge) -> None:
    carla = chat("carla")
    start_checklist(carla, "ungp", name="Keten BV")
    questions = knowledge.checklist("ungp").questions
    carla.press("Ja")
    carla.command("summary")  # on request, mid-checklist
    assert "Keten BV" in carla.text
    assert question_number(carla) == 2  # then back to the same question
    carla.command("restart")
    assert question_number(carla) == 1
    assert "Je eerdere antwoord: Ja" in carla.text
    carla.press("Nee")
    for index in range(1, len(questions)):
        carla.press(NL_STANCE["partly"] if index % 2 else NL_STANCE["yes"])
    assert carla.state == "finished"
    stored = {qid: a.stance for qid, a in carla.answers().items()}
    assert stored[questions[0].id] == "no"
    assert len(stored) == len(questions)
    history = carla.engine.store.answer_history("test:carla", carla.current().id)
    assert [a.stance for a in history if a.question == questions[0].id] == ["yes", "no"]


def test_restarted_process_resumes_at_the_same_question(knowledge, understanding, db_path) -> None:
    from tests.conftest import Chat

    with Store(db_path) as store:
        dana = Chat(Engine(knowledge, store, understanding), "test:dana")
        start_checklist(dana, "union", name="Fabriek")
        for label in ("Nee", "Ja", "Deels", "Weet ik niet"):
            dana.press(label)
        dana.say("nee")
        before = dana.answers()
        assert question_number(dana) == 6
    # The process ends here; a new one opens the same file.
    with Store(db_path) as store:
        dana = Chat(Engine(knowledge, store, understanding), "test:dana")
        dana.command("start")
        assert dana.replies[0].text == "Welkom terug! We gaan verder waar je was."
        assert question_number(dana) == 6
        assert dana.answers() == before
        dana.press("Ja")
        assert question_number(dana) == 7
        assert len(dana.answers()) == 6


def test_two_users_never_mix(chat) -> None:
    alice, bob = chat("alice"), chat("bob", "en")
    start_checklist(alice, "union", name="Alice BV")
    start_checklist(bob, "union", name="Bob Ltd")
    alice_buttons = {c.label: c.data for c in alice.choices}
    for round_number in range(4):
        alice.press("Nee")
        bob.press("Yes")
        if round_number == 1:
            bob.say("no")
    # Bob replays Alice's button data (a modified client): refused, nothing changes.
    alice_answers = alice.answers()
    bob.send(EventKind.CHOICE, alice_buttons["Ja"])
    assert "no longer works" in bob.text or "cannot find" in bob.text
    bob.send(EventKind.CHOICE, f"res:{alice.current().id}")
    assert bob.text.startswith("I cannot find that checklist.")
    bob.send(EventKind.CHOICE, f"del:{alice.current().id}")
    bob.send(EventKind.CHOICE, f"dy:{alice.current().id}")
    assert alice.answers() == alice_answers
    assert [a.name for a in alice.assessments()] == ["Alice BV"]
    assert [a.name for a in bob.assessments()] == ["Bob Ltd"]
    assert set(a.stance for a in alice.answers().values()) == {"no"}
    assert set(a.stance for a in bob.answers().values()) <= {"yes", "no"}
    assert len(bob.answers()) == 5
    bob.command("list")
    assert "Alice" not in bob.text
