"""What the knowledge base says, checked as a reader would: short sentences (B1), the
questions people really ask reach the right topic, dated facts carry their date, and the
two Dutch union solidarity organisations are named side by side."""

from __future__ import annotations

import re

import pytest

from knowledge.schema import LANGUAGES
from tests.kb_helpers import edit_yaml, problems_of

MAX_SENTENCE_WORDS = 25  # B1: a sentence a reader takes in at once
# A full stop ends a sentence, except after an abbreviation such as "art." or "bijv.".
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\bart\.)(?<!\bnr\.)(?<!\bno\.)(?<!\bbijv\.)(?<!\be\.g\.)"
    r"\s+(?=[A-Z0-9'\"(‘])"
)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (a numbered step such as "1." counts as its own)."""
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def test_sentences_split_as_a_reader_reads_them() -> None:
    assert sentences("Nee. Alleen bonden (art. 2 WOR). 2. Vraag het na!") == [
        "Nee.",
        "Alleen bonden (art. 2 WOR).",
        "2.",
        "Vraag het na!",
    ]


def test_no_sentence_in_a_chat_answer_is_longer_than_25_words(knowledge) -> None:
    texts = [(f"topic {t.id}", t.answer) for t in knowledge.topics.values()]
    texts += [(key, text) for key, text in knowledge.ui.items() if key.startswith("country.")]
    too_long = [
        f"{name} ({lang}, {len(sentence.split())} words): {sentence}"
        for name, text in texts
        for lang in LANGUAGES
        for sentence in sentences(text.get(lang))
        if len(sentence.split()) > MAX_SENTENCE_WORDS
    ]
    assert too_long == []


ISSUE_QUESTIONS = [
    ("wat is een cao?", "cao"),
    ("waar kan ik een schending melden?", "violations_route"),
    ("kan ik zelf klagen bij de ILO?", "ilo_complaint"),
    ("wat is het verschil tussen C87 en C98?", "c87_c98"),
    ("wat moet de OR doen als er kinderarbeid is?", "child_labour_norms"),
    ("what should I do if union members are fired at a supplier?", "violations_route"),
    ("wat is de Wet zorgplicht kinderarbeid?", "child_labour_law"),
    ("is er een wet verantwoord en duurzaam internationaal ondernemen?", "imvo_bill"),
    ("what is the EU forced labour regulation?", "eu_forced_labour"),
    ("wat is de ILO MNE-verklaring?", "mne_declaration"),
    (
        "mag de directie dreigen met verplaatsen tijdens de cao-onderhandelingen?",
        "relocation_threats",
    ),
    ("wat is een Europese ondernemingsraad?", "ewc"),
    ("what is Fair Wear?", "msi"),
    ("wat is het Internationaal Accord?", "msi"),
    ("what does directly linked mean?", "cause_contribute_link"),
    ("hoe belegt ons pensioenfonds?", "pension_funds"),
    ("wat is een O+O-fonds?", "sector_funds"),
    ("wat zijn de internationale sociale voorwaarden?", "public_procurement"),
    ("hoe vaak moet het IMVO-beleid herzien worden?", "policy_review"),
    ("wat spreken we af bij uitbesteden naar het buitenland?", "outsourcing_framework"),
    ("can the works council hire an expert?", "works_council_limits"),
    ("wat is het verschil tussen minimumloon en leefbaar loon?", "living_wage"),
]


@pytest.mark.parametrize(("question", "topic"), ISSUE_QUESTIONS)
def test_the_questions_people_ask_reach_the_right_topic(understanding, question, topic) -> None:
    match = understanding.lookup(question)
    assert match is not None, question
    assert match.topic_id == topic


def test_the_ilo_complaint_answer_leads_with_the_direct_answer(knowledge) -> None:
    answer = knowledge.topics["ilo_complaint"].answer
    assert answer.nl.startswith("Nee. Alleen een organisatie")
    assert answer.en.startswith("No. Only an organisation")


def test_smart_means_the_same_in_dutch_and_english(knowledge) -> None:
    answer = knowledge.topics["smart_kpis"].answer
    assert "specifiek, meetbaar, haalbaar maar ambitieus, realistisch en tijdgebonden" in answer.nl
    assert "specific, measurable, achievable but ambitious, realistic and time-bound" in answer.en


def _user_texts(knowledge):
    for topic in knowledge.topics.values():
        yield f"topic {topic.id}", topic.answer
    for signal in knowledge.signals.values():
        for part in (signal.explanation, signal.tip, *signal.advice):
            yield f"signal {signal.id}", part
    yield from knowledge.ui.items()


def test_mondiaal_fnv_is_named_wherever_cnv_internationaal_is(knowledge) -> None:
    alone = [
        f"{name} ({lang})"
        for name, text in _user_texts(knowledge)
        for lang in LANGUAGES
        if "CNV Internationaal" in text.get(lang) and "Mondiaal FNV" not in text.get(lang)
    ]
    assert alone == []


def test_time_sensitive_topics_carry_as_of(knowledge) -> None:
    for topic_id in ("csddd", "csrd", "c87", "imvo_bill", "child_labour_law", "eu_forced_labour"):
        topic = knowledge.topics[topic_id]
        assert topic.time_sensitive, topic_id
        assert topic.as_of, topic_id


def test_validate_refuses_a_time_sensitive_topic_without_as_of(kb_copy) -> None:
    def undate(topics) -> None:
        for topic in topics:
            topic.pop("as_of", None)

    edit_yaml(kb_copy / "topics" / "law.yaml", undate)
    problems = problems_of(kb_copy)
    assert any("imvo_bill" in p and "time_sensitive topic needs as_of" in p for p in problems)


def test_validate_refuses_a_dated_fact_without_as_of(kb_copy) -> None:
    def date_it(topics) -> None:
        topics[0]["answer"]["en"] += " This applies since 1 January 2026."

    edit_yaml(kb_copy / "topics" / "policy.yaml", date_it)
    problems = problems_of(kb_copy)
    assert any("date-bound fact" in p and "add as_of" in p for p in problems)


def test_a_time_sensitive_answer_is_shown_with_its_date(chat) -> None:
    alice = chat("alice")
    alice.command("start")
    alice.say("wat is de Wet zorgplicht kinderarbeid?")
    assert "Stand van zaken: 2026-05" in alice.replies[0].text
