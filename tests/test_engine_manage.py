"""Several assessments per user (list, resume, rename, delete), pause, forget, language,
summary and export."""

from __future__ import annotations

from conversations.events import EventKind
from tests.test_engine_conversations import question_number, start_checklist


def test_list_resume_rename_and_delete(chat) -> None:
    alice = chat("alice")
    start_checklist(alice, "union", name="Leverancier A")
    alice.press("Nee")
    alice.press("Ja")
    first = alice.current()
    start_checklist(alice, "ungp", name="Leverancier B")
    alice.press("Deels")
    second = alice.current()
    assert alice.engine.store.assessment("test:alice", first.id).status == "paused"

    alice.command("list")
    assert "1. Leverancier B — 1 van 12 beantwoord, bezig" in alice.text
    assert "2. Leverancier A — 2 van 13 beantwoord, gepauzeerd" in alice.text
    alice.press("2. Leverancier A")
    assert alice.text.startswith("Leverancier A — 2 van 13 beantwoord.")
    alice.press("Verder")
    assert alice.replies[0].text == "We gaan verder met: Leverancier A."
    assert question_number(alice) == 3
    assert alice.engine.store.assessment("test:alice", second.id).status == "paused"

    alice.command("list")
    alice.press("1. Leverancier A")  # the most recently changed comes first
    alice.press("Naam wijzigen")
    assert alice.state == "rename"
    alice.say("Leverancier A (Dhaka)")
    assert alice.replies[0].text == "De naam is nu: Leverancier A (Dhaka)."
    assert question_number(alice) == 3  # back to work
    assert alice.current().name == "Leverancier A (Dhaka)"

    alice.command("list")
    alice.press("2. Leverancier B")
    alice.press("Verwijderen")
    assert alice.text.startswith("Weet je zeker dat je Leverancier B wilt verwijderen?")
    alice.say("ja hoor")  # destructive steps need the button
    assert alice.replies[0].text == "Kies een van de twee knoppen."
    alice.press("Ja, verwijderen")
    assert alice.replies[0].text == "Verwijderd: Leverancier B."
    assert [a.name for a in alice.assessments()] == ["Leverancier A (Dhaka)"]
    assert alice.engine.store.answers_for("test:alice", second.id) == {}
    assert question_number(alice) == 3  # the current checklist was not the deleted one
    assert len(alice.answers()) == 2


def test_deleting_the_current_assessment_returns_to_the_menu(chat) -> None:
    bob = chat("bob")
    start_checklist(bob, "union", name="Weg BV")
    bob.press("Nee")
    bob.command("list")
    bob.press("1. Weg BV")
    bob.press("Verwijderen")
    bob.press("Nee, bewaren")
    assert bob.replies[0].text == "Oké, er is niets veranderd."
    assert question_number(bob) == 2
    bob.command("list")
    bob.press("1. Weg BV")
    bob.press("Verwijderen")
    bob.press("Ja, verwijderen")
    assert bob.state == "menu"
    assert bob.assessments() == []
    assert bob.replies[-1].text == "Wat wil je doen?"


def test_stop_pauses_and_resume_continues(chat) -> None:
    carla = chat("carla")
    start_checklist(carla, "union", name="Pauze BV")
    carla.press("Ja")
    carla.say("stop")
    assert carla.text.startswith("Gepauzeerd: Pauze BV. Je antwoorden zijn bewaard.")
    assert carla.state == "menu"
    assert carla.current().status == "paused"
    carla.say("wat is een gele vakbond?")  # knowledge questions work outside a checklist too
    assert carla.state == "menu"
    carla.command("start")
    assert "Verder met Pauze BV" in [c.label for c in carla.choices]
    carla.press("Verder met Pauze BV")
    assert question_number(carla) == 2
    assert carla.current().status == "active"
    carla.command("stop")
    carla.command("resume", "1")
    assert question_number(carla) == 2
    carla.command("resume", "9")
    assert carla.replies[0].text.startswith("Die checklist kan ik niet vinden.")


def test_context_can_go_back_and_be_skipped(chat) -> None:
    dana = chat("dana")
    dana.command("new")
    dana.press("Vakbondsvrijheid")
    assert dana.state == "ask_name"
    dana.say("Naam BV")
    dana.say("terug")
    assert dana.state == "ask_name"
    dana.say("Stop & Shop")  # a name that sounds like navigation is still a name
    assert dana.state == "ask_country"
    dana.say("overslaan")  # the whole message is the navigation word
    assert dana.state == "ask_sector"
    dana.command("skip")
    assert dana.state == "question"
    current = dana.current()
    assert (current.name, current.country, current.sector) == ("Stop & Shop", "", "")
    dana.command("new")
    dana.say("3")  # the checklist's number, typed
    assert dana.state == "ask_name"
    dana.say("x" * 200)
    assert dana.replies[0].text == "Dat is te lang. Houd het korter dan 120 tekens."
    assert dana.state == "ask_name"
    dana.command("stop")  # nothing was created for the unfinished setup
    assert len(dana.assessments()) == 1


def test_forget_deletes_everything_after_confirmation(chat) -> None:
    erin, other = chat("erin"), chat("other")
    start_checklist(other, "union")
    other.press("Ja")
    start_checklist(erin, "union", name="Geheim BV")
    erin.press("Nee")
    erin.command("forget")
    assert erin.text.startswith("Hiermee wis ik al je gegevens: je 1 checklist(s)")
    erin.say("stop")
    assert erin.replies[0].text == "Oké, er is niets veranderd."
    assert question_number(erin) == 2
    erin.command("forget")
    erin.press("Ja, alles wissen")
    assert erin.text == "Alles is gewist. Stuur een bericht als je opnieuw wilt beginnen."
    store = erin.engine.store
    assert store.get_user("test:erin") is None
    assert store.load_position("test:erin") is None
    assert store.list_assessments("test:erin") == []
    assert len(other.answers()) == 1  # nobody else's data went
    erin.say("hallo")
    assert erin.text.startswith("Hallo! Ik ben de IMVO-coach")


def test_language_switch_keeps_the_question(chat) -> None:
    frank = chat("frank")
    start_checklist(frank, "union")
    frank.press("Nee")
    frank.command("language", "en")
    assert frank.replies[0].text == "I will speak English with you now."
    assert "Question 2 of 13" in frank.text
    assert [c.label for c in frank.choices][:4] == ["Yes", "No", "Partly", "Don't know"]
    frank.press("Yes")
    assert frank.replies[0].text == "Noted: Yes."
    frank.command("language")
    frank.press("Nederlands")
    assert frank.replies[0].text == "Ik spreek nu Nederlands met je."
    assert "Vraag 3 van 13" in frank.text
    assert frank.engine.language_of("test:frank") == "nl"
    frank.command("language", "klingon")
    assert frank.replies[0].text == "Welke taal wil je?"


def test_export_offers_formats_and_returns_files(chat) -> None:
    gina = chat("gina")
    start_checklist(gina, "ungp", name="Export BV")
    gina.press("Nee")
    gina.command("export")
    assert gina.text == "In welk formaat wil je de samenvatting van Export BV?"
    assert [c.label for c in gina.choices] == ["PDF", "Word", "Markdown", "Excel (CSV)", "JSON"]
    pdf_data = gina.choice("PDF").data
    gina.press("Markdown")
    markdown = gina.replies[0].attachment
    assert gina.replies[0].text == "Hier is je samenvatting als Markdown."
    assert markdown.filename.endswith(".md")
    assert "Export BV" in markdown.content.decode("utf-8")
    gina.send(EventKind.CHOICE, pdf_data)
    pdf = gina.replies[0].attachment
    assert pdf.content.startswith(b"%PDF")
    assert pdf.mime_type == "application/pdf"
    assert question_number(gina) == 2  # still at the open question
    assert len(gina.answers()) == 1


def test_commands_without_an_assessment_say_so(chat) -> None:
    hans = chat("hans")
    for name in ("summary", "export", "edit", "rename"):
        hans.command(name)
        assert hans.replies[0].text == "Je hebt nog geen checklist. Begin er een met /new."
    hans.command("resume")
    assert hans.replies[0].text == "Er is nog geen checklist om mee verder te gaan."
    hans.command("skip")
    assert hans.replies[0].text == "Er staat nu geen vraag open om over te slaan."
    hans.command("back")
    assert hans.replies[0].text == "Er is nu geen vorige vraag."
    hans.command("list")
    assert hans.text == "Je hebt nog geen checklists. Begin er een met /new."
    hans.command("help")
    assert "/forget – al je gegevens wissen" in hans.text
    assert hans.state == "menu"
