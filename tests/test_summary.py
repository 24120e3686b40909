"""build_summary: counts, findings, answers, visit questions, sources and report texts."""

from __future__ import annotations

import string
from dataclasses import replace

import pytest
import yaml

from documents.summary import (
    AnswerInfo,
    AssessmentInfo,
    ReportTextsMissing,
    build_summary,
    iso_date,
    report_labels,
)
from documents.summary_model import ReportLabels, Summary
from knowledge.loader import default_knowledge
from knowledge.schema import Reference
from tests.summary_fixture import (
    LONG_ANSWER,
    REPORT_YAML,
    fixture_answers,
    fixture_assessment,
    fixture_knowledge,
)

KNOWLEDGE = fixture_knowledge()


def summarise(answers=None, language: str = "nl", **assessment) -> Summary:
    info = replace(fixture_assessment(), **assessment)
    return build_summary(
        KNOWLEDGE, info, fixture_answers() if answers is None else answers, language
    )


@pytest.fixture(scope="module")
def nl() -> Summary:
    return summarise()


@pytest.fixture(scope="module")
def en() -> Summary:
    return summarise(language="en")


def test_context_is_taken_from_the_assessment_with_plain_dates(nl: Summary) -> None:
    context = nl.context
    assert (context.assessment_id, context.name, context.country) == (
        7,
        "Zoë's Café € — 株式会社",
        "Bangladesh",
    )
    assert (context.checklist_id, context.created, context.updated) == (
        "union",
        "2025-11-20",
        "2025-11-25",
    )
    assert context.checklist_title == "Vakbondsvrijheid bij vestiging en leverancier"
    assert context.language == "nl"


def test_counts_answered_dont_know_open_and_risks_by_severity(nl: Summary) -> None:
    counts = nl.counts
    assert (counts.total, counts.answered, counts.unknown, counts.open) == (40, 25, 4, 11)
    assert counts.answered + counts.unknown + counts.open == counts.total
    assert (counts.risks_high, counts.risks_medium, counts.risks_low) == (4, 2, 1)


def test_findings_are_ranked_by_harm_abuses_before_gaps_not_by_question(nl: Summary) -> None:
    assert [f.signal_id for f in nl.findings] == [
        "child_labour",  # abuse, harm 10, question 14
        "anti_union_dismissal",  # abuse, harm 8, questions 1 and 5
        "intimidation",  # abuse, harm 7, question 18
        "wage_violation",  # abuse, harm 6
        "no_union",  # gap, high, question 1
        "union_restricted",  # gap, medium
        "no_grievance_mechanism",  # gap, low
    ]
    assert [f.kind for f in nl.findings] == ["abuse"] * 4 + ["gap"] * 3


def test_a_finding_collects_its_questions_evidence_advice_and_norms(nl: Summary) -> None:
    dismissal = nl.findings[1]
    assert dismissal.title == "Ontslag om vakbondswerk"
    assert dismissal.question_ids == ("union.q01", "union.q05")
    assert dismissal.evidence == ("ligt eruit", "ontslagen")
    assert dismissal.advice[0] == "Vraag het bedrijf om een verbeterplan met een tijdpad."
    assert [r.label for r in dismissal.references] == ["ILO C87, art. 2", "UNGP 22"]


def test_a_stated_signal_counts_even_when_the_stance_is_not_the_risk(nl: Summary) -> None:
    child_labour = next(f for f in nl.findings if f.signal_id == "child_labour")
    assert child_labour.question_ids == ("union.q14",)
    assert child_labour.evidence == ("kinderen in de hal",)


def test_every_question_is_listed_in_order_with_the_verbatim_answer(nl: Summary) -> None:
    assert [a.number for a in nl.answers] == list(range(1, 41))
    first, fifth, ninth = nl.answers[0], nl.answers[4], nl.answers[8]
    assert first.question == "Is er een onafhankelijke vakbond actief?"
    assert first.answer_text == "Nee, er is geen bond; wie lid wordt, ligt eruit."
    assert (first.stance, first.stance_label) == ("no", "Nee")
    assert first.signals == ("Geen onafhankelijke vakbond", "Ontslag om vakbondswerk")
    assert first.signal_ids == ("no_union", "anti_union_dismissal")
    assert first.confidence == pytest.approx(0.92)
    assert fifth.answer_text.splitlines()[1] == "Ze hadden net een bond opgericht."
    assert ninth.answer_text == LONG_ANSWER


def test_open_and_skipped_questions_have_empty_answers(nl: Summary) -> None:
    open_numbers = [a.number for a in nl.open_questions]
    assert open_numbers == [16, *range(31, 41)]
    skipped = nl.answers[15]
    assert (skipped.answer_text, skipped.stance, skipped.stance_label) == ("", None, "Open")
    assert skipped.signals == ()
    assert skipped.answered_at is None


def test_an_answer_that_was_not_understood_is_answered_but_unclear(nl: Summary) -> None:
    sixth = nl.answers[5]
    assert sixth.answer_text == '=HYPERLINK("http://x")'
    assert (sixth.stance, sixth.stance_label) == (None, "Niet duidelijk")
    assert sixth not in nl.open_questions


def test_english_summary_uses_english_texts_throughout(en: Summary) -> None:
    assert en.context.checklist_title == "Trade-union freedom at site and supplier"
    assert en.answers[0].question == "Is an independent union active?"
    assert en.answers[0].stance_label == "No"
    assert en.answers[0].answer_text.startswith("Nee, er is geen bond")  # verbatim stays
    assert en.findings[1].title == "Dismissal for union work"
    assert en.labels.findings_heading == "Findings"
    assert "not legal advice" in en.disclaimer


def test_the_full_visit_list_comes_from_risks_then_unclear_then_open(nl: Summary) -> None:
    full = nl.all_visit_questions
    reasons = [v.reason for v in full]
    assert reasons == sorted(reasons, key=["risk", "unknown", "open"].index)
    by_reason = {
        reason: [v.question_id for v in full if v.reason == reason]
        for reason in ("risk", "unknown", "open")
    }
    # gravest finding first: child labour's own question (told under q14), then every
    # follow-up of the dismissal question (q5; the dismissal typed under q1 adds none)
    assert by_reason["risk"][:4] == ["union.q14"] + ["union.q05"] * 3
    assert full[0].text == "Hoe controleert u de leeftijd van nieuwe werknemers?"
    # the first two follow-ups of "not understood" (q6, intimidation: harm 7) and
    # "don't know" answers (q3, collective bargaining: harm 3), gravest first
    unknown = by_reason["unknown"]
    assert unknown[:2] == ["union.q06", "union.q06"]
    assert unknown.count("union.q03") == 2
    assert unknown.index("union.q06") < unknown.index("union.q03")
    # the first follow-up of each open question
    assert sorted(by_reason["open"]) == ["union.q16", *(f"union.q{n}" for n in range(31, 41))]
    texts = [v.text for v in full]
    assert len(texts) == len(set(texts))


def test_the_visit_list_is_ten_questions_on_ten_subjects_gravest_first(nl: Summary) -> None:
    short = nl.visit_questions
    assert len(short) == 10
    # one per subject before a second (child labour's own question counts as q14)
    assert len({v.text.split("(")[-1] for v in short}) == 10
    assert short == tuple(v for v in nl.all_visit_questions if v in short)  # ranked order
    assert short[0].question_id == "union.q14"  # child labour
    assert [v.harm for v in short if v.reason == "risk"][:2] == [10, 8]


def test_sources_are_deduplicated(nl: Summary) -> None:
    assert [(s.label, s.source) for s in nl.sources] == [
        ("ILO C87, art. 2", "https://normlex.ilo.org/c087"),
        ("UNGP 22", "https://www.ohchr.org/ungp"),
    ]


def test_references_to_one_source_become_one_entry_listing_every_label() -> None:
    no_union = KNOWLEDGE.signals["no_union"]
    article_11 = Reference(label="ILO C87, art. 11", source="https://normlex.ilo.org/c087")
    signals = {
        **KNOWLEDGE.signals,
        "no_union": no_union.model_copy(update={"references": (article_11, *no_union.references)}),
    }
    knowledge = replace(KNOWLEDGE, signals=signals)
    summary = build_summary(knowledge, fixture_assessment(), fixture_answers(), "nl")
    assert [(s.label, s.source) for s in summary.sources] == [
        ("ILO C87, art. 2; ILO C87, art. 11", "https://normlex.ilo.org/c087"),
        ("UNGP 22", "https://www.ohchr.org/ungp"),
    ]


def test_disclaimer_says_what_it_is_not_and_where_to_get_help(nl: Summary) -> None:
    text = nl.disclaimer
    for phrase in (
        "geen juridisch advies",
        "vakbond",
        "CNV Internationaal",
        "Nationaal Contactpunt",
    ):
        assert phrase in text


def test_the_latest_of_two_answers_to_one_question_wins() -> None:
    answers = [
        AnswerInfo("union.q01", "Ja", "yes", answered_at="2025-11-21T10:00:00"),
        AnswerInfo("union.q01", "Nee toch", "no", answered_at="2025-11-22T10:00:00"),
        AnswerInfo("union.q02", "Nee", "no", answered_at="2025-11-22T10:00:00"),
        AnswerInfo("union.q02", "Ja", "yes", answered_at="2025-11-21T10:00:00"),
    ]
    summary = summarise(answers)
    assert [a.answer_text for a in summary.answers[:2]] == ["Nee toch", "Nee"]


def test_answers_to_unknown_questions_are_kept_not_lost() -> None:
    answers = [
        AnswerInfo("union.q01", "Ja", "yes"),
        AnswerInfo("union.removed", "Er werken kinderen", None, [("child_labour", "kinderen")]),
        AnswerInfo("union.empty", "", None),
    ]
    summary = summarise(answers)
    assert len(summary.answers) == 41
    kept = summary.answers[-1]
    assert (kept.number, kept.question_id, kept.question) == (41, "union.removed", "union.removed")
    assert kept.answer_text == "Er werken kinderen"
    assert [f.signal_id for f in summary.findings] == ["child_labour"]
    assert (summary.counts.total, summary.counts.answered, summary.counts.open) == (40, 1, 39)


def test_bad_input_is_tolerated() -> None:
    answers = [
        AnswerInfo("union.q01", "misschien", "maybe", [("no_such_signal", "x")], float("nan")),
        AnswerInfo("union.q02", "Ja", "yes", [], 7.5),
        AnswerInfo("union.q03", None, "no"),  # type: ignore[arg-type]
    ]
    summary = summarise(answers, language="de", name=None, country=None, created="gisteren")
    first, second, third = summary.answers[:3]
    assert (first.stance, first.stance_label, first.confidence) == (None, "Niet duidelijk", None)
    assert first.signal_ids == ()
    assert second.confidence == 1.0
    assert (third.answer_text, third.stance) == ("", "no")
    assert summary.context.language == "nl"
    assert (summary.context.name, summary.context.country) == ("", "")
    assert summary.context.created == "gisteren"
    assert summary.counts.answered == 3


def test_an_unknown_checklist_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        summarise(checklist_id="nope")


def test_missing_report_texts_are_named() -> None:
    ui = dict(KNOWLEDGE.ui)
    del ui["report.findings_heading"], ui["report.disclaimer"]
    with pytest.raises(ReportTextsMissing) as error:
        report_labels(fixture_knowledge(ui), "nl")
    assert error.value.keys == ("report.findings_heading", "report.disclaimer")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-25T16:40:00+01:00", "2025-11-25"),
        ("2025-11-24T23:30:00+00:00", "2025-11-25"),  # UTC from the store, 00:30 in Amsterdam
        ("2025-11-25 16:40:00", "2025-11-25"),
        ("2025-11-25", "2025-11-25"),
        ("", ""),
        (None, ""),
        ("onbekend", "onbekend"),
    ],
)
def test_iso_date(value, expected) -> None:
    assert iso_date(value) == expected


def test_report_yaml_has_exactly_the_report_labels_and_the_disclaimer() -> None:
    keys = set(yaml.safe_load(REPORT_YAML.read_text(encoding="utf-8")))
    assert keys == {*ReportLabels.keys(), "report.disclaimer"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_report_texts_fill_in_with_the_placeholders_renderers_pass(language: str) -> None:
    values = {
        "name": "X", "page": 1, "pages": 2, "day": 1, "month": "mei", "year": 2025,
        "answered": 1, "total": 2, "open": 1, "unknown": 1, "high": 0, "medium": 0, "low": 0,
        "part": 1, "parts": 2, "count": 3,
    }  # fmt: skip
    labels = report_labels(KNOWLEDGE, language)
    for key, text in vars(labels).items():
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert used <= set(values), key
        text.format(**values)
    assert len(labels.months.split()) == 12
    assert labels.date("2025-05-01") in {"1 mei 2025", "1 May 2025"}


def test_implied_finding_shows_no_stance_word_as_evidence() -> None:
    """A button answer raises the question's signal; the report must not quote "yes"."""
    knowledge = default_knowledge()
    question = next(q for q in knowledge.questions.values() if q.risk_if == "yes")
    info = AssessmentInfo(
        id=1,
        name="Test BV",
        country="",
        sector="",
        checklist_id=question.id.split(".")[0],
        created="2026-11-25T10:00:00+00:00",
        updated="2026-11-25T10:00:00+00:00",
        language="nl",
    )
    answer = AnswerInfo(
        question_id=question.id,
        text="Ja",
        stance="yes",
        signals=[(question.signal, "yes")],
        confidence=1.0,
        answered_at="2026-11-25T10:00:00+00:00",
    )
    summary = build_summary(knowledge, info, [answer], "nl")
    finding = next(f for f in summary.findings if f.signal_id == question.signal)
    assert finding.evidence == ()
