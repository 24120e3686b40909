"""The country table: its shape and sources, direct dated answers in the chat, the
country block at the first union question and in the report's context."""

from __future__ import annotations

import shutil

import pytest

from documents.exports.common import context_fields
from documents.summary import AssessmentInfo, build_summary
from knowledge import countries
from knowledge.loader import check_knowledge
from knowledge.schema import FUNDAMENTAL_CONVENTIONS
from tests.kb_helpers import edit_yaml, problems_of
from tests.test_engine_conversations import start_checklist


def test_the_table_has_at_least_forty_sourced_and_dated_countries(knowledge) -> None:
    assert len(knowledge.countries) >= 40
    for country in knowledge.countries.values():
        assert set(country.conventions) == set(FUNDAMENTAL_CONVENTIONS), country.id
        assert country.sources, country.id
        assert country.as_of, country.id
    for wanted in (
        "BD",
        "IN",
        "CN",
        "VN",
        "TR",
        "PK",
        "ID",
        "MA",
        "ET",
        "BR",
        "MX",
        "PL",
        "RO",
        "US",
    ):
        assert wanted in knowledge.countries


def test_a_row_without_as_of_or_with_nine_conventions_is_refused(kb_copy) -> None:
    def damage(rows) -> None:
        del rows[0]["as_of"]
        del rows[1]["conventions"]["C187"]

    edit_yaml(kb_copy / "countries" / "fundamental_conventions.yaml", damage)
    problems = problems_of(kb_copy)
    assert any("as_of" in problem for problem in problems)
    assert any("C187" in problem for problem in problems)


@pytest.mark.parametrize(
    ("text", "country", "conventions"),
    [
        ("Heeft Bangladesh C87 geratificeerd?", "BD", ("C87",)),
        ("heeft bangladesh c87 geratificeerd", "BD", ("C87",)),
        ("Has India ratified conventions 87 and 98?", "IN", ("C87", "C98")),
        ("Welke ILO-verdragen heeft Turkije geratificeerd?", "TR", ()),
        ("Heeft de VS verdrag 98 geratificeerd", "US", ("C98",)),
        ("Heeft Laos C87 geratificeerd?", None, ("C87",)),
    ],
)
def test_ratification_questions_are_recognised(knowledge, text, country, conventions) -> None:
    question = countries.ratification_question(knowledge, text)
    assert question is not None
    assert (question.country.id if question.country else None) == country
    assert question.conventions == conventions


@pytest.mark.parametrize(
    "text", ["Wat is C87?", "wat is het verschil tussen C87 en C98", "Is er een cao in China?"]
)
def test_other_questions_are_left_to_the_topics(knowledge, text) -> None:
    assert countries.ratification_question(knowledge, text) is None


def test_the_chat_answers_directly_with_a_date_also_without_question_mark(chat) -> None:
    alice = chat("alice")
    alice.command("start")
    for text in ("Heeft Bangladesh C87 geratificeerd?", "Heeft Bangladesh C87 geratificeerd"):
        alice.say(text)
        assert alice.replies[0].text.startswith(
            "Ja. Bangladesh heeft ILO-verdrag 87 geratificeerd"
        )
        assert "Stand: 2025-11" in alice.replies[0].text
    alice.say("Has India ratified C87?")
    assert alice.replies[0].text.startswith("Nee. India heeft ILO-verdrag 87 niet geratificeerd.")
    assert "geen verbod" in alice.replies[0].text


def test_an_unknown_country_gets_normlex_not_a_guess(chat) -> None:
    bob = chat("bob", "en")
    bob.command("start")
    bob.say("Has Laos ratified C87?")
    assert "not in my table" in bob.replies[0].text
    assert "normlex.ilo.org" in bob.replies[0].text


def test_the_first_union_question_shows_the_country_once(chat) -> None:
    alice = chat("alice")
    alice.command("start")
    start_checklist(alice, "union", name="Zoë BV", country="Bangladesh")
    assert "Wat ik weet over het land" in alice.text
    assert "10 van de 10 fundamentele ILO-verdragen" in alice.text
    alice.say("Wat is ILO-verdrag 87?")  # a question in between does not repeat it
    assert "Wat ik weet over het land" not in alice.text
    alice.press("Nee")
    assert "Wat ik weet over het land" not in alice.text


def test_a_checklist_answer_naming_a_country_stays_an_answer(chat) -> None:
    alice = chat("alice")
    alice.command("start")
    start_checklist(alice, "union", country="India")
    assert "India heeft 6 van de 10" in alice.text
    alice.say("ja, India heeft verdrag 87 en 98 niet geratificeerd en de wet beperkt bonden")
    assert "union.legal_context" in alice.answers()


def test_the_report_context_carries_the_country(knowledge) -> None:
    info = AssessmentInfo(7, "Zoë BV", "Bangladesh", "", "union", "2026-01-05", "2026-01-05", "nl")
    summary = build_summary(knowledge, info, [], "en")
    fields = dict(context_fields(summary))
    assert fields["ILO conventions in this country"].startswith(
        "Bangladesh has ratified 10 of the 10"
    )
    assert "As of: 2025-11" in summary.context.country_context


def test_a_knowledge_base_without_country_table_still_loads(kb_copy) -> None:
    shutil.rmtree(kb_copy / "countries")
    knowledge, problems = check_knowledge(kb_copy)
    assert problems == []
    assert knowledge is not None
    assert countries.context_note(knowledge, "Bangladesh", "nl") == ""
