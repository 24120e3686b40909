"""A hand-built 40-question assessment for summary and export tests (no test cases here).

The knowledge base is small and self-made (one checklist "union" of 40 questions, eight
signals) so the tests do not depend on the shipped content; the report texts are the
real ``knowledge/data/ui/report.yaml``. The answers mix every stance, stated signals,
an answer that was not understood, open questions, and text that tends to break
renderers: Dutch diacritics, €, a non-Latin company name, Markdown and CSV characters,
line breaks and a very long answer.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import yaml

from documents.summary import AnswerInfo, AssessmentInfo
from knowledge.loader import DEFAULT_KNOWLEDGE_DIR, KnowledgeBase
from knowledge.schema import Checklist, FollowUp, Question, Reference, Signal, Text

COMPANY = "Zoë's Café € — 株式会社"
REPORT_YAML = DEFAULT_KNOWLEDGE_DIR / "ui" / "report.yaml"
ILO_C87 = Reference(label="ILO C87, art. 2", source="https://normlex.ilo.org/c087")
UNGP_22 = Reference(label="UNGP 22", source="https://www.ohchr.org/ungp")

# (nl, en) question texts; each is asked about the site (1-20) and a supplier (21-40).
THEMES = [
    ("Is er een onafhankelijke vakbond actief?", "Is an independent union active?"),
    (
        "Kunnen werknemers zonder angst lid worden van een vakbond?",
        "Can workers join a union without fear?",
    ),
    ("Is er een cao (collectieve arbeidsovereenkomst)?", "Is there a collective agreement (CBA)?"),
    (
        "Krijgen vakbondsvertegenwoordigers tijd en faciliteiten?",
        "Do union representatives get time and facilities?",
    ),
    (
        "Zijn er werknemers ontslagen vanwege vakbondswerk?",
        "Were workers dismissed for union activity?",
    ),
    (
        "Worden vakbondsleden bedreigd of geïntimideerd?",
        "Are union members threatened or intimidated?",
    ),
    ("Bemoeit het management zich met de vakbond?", "Does management interfere with the union?"),
    ("Mogen uitzendkrachten en migranten lid worden?", "May agency and migrant workers join?"),
    (
        "Is er een gekozen werknemersvertegenwoordiging?",
        "Is there an elected worker representation?",
    ),
    (
        "Is er een klachtenregeling die werknemers vertrouwen?",
        "Is there a grievance mechanism workers trust?",
    ),
    (
        "Beperkt de wet de vrijheid van vakvereniging?",
        "Does the law restrict freedom of association?",
    ),
    (
        "Heeft het moederbedrijf beleid over vakbondsvrijheid?",
        "Does the parent company have a freedom-of-association policy?",
    ),
    ("Kennen werknemers hun rechten?", "Do workers know their rights?"),
    (
        "Verdienen werknemers minstens € 250 per maand, het leefbaar loon?",
        "Do workers earn at least € 250 a month, the living wage?",
    ),
    ("Worden overuren vrijwillig gewerkt en betaald?", "Is overtime voluntary and paid?"),
    (
        "Is de werkplek veilig (nooduitgangen, brandblussers)?",
        "Is the workplace safe (exits, fire extinguishers)?",
    ),
    ("Worden vrouwen gelijk behandeld en betaald?", "Are women treated and paid equally?"),
    (
        "Houdt het bedrijf paspoorten van werknemers in?",
        "Does the company keep workers' passports?",
    ),
    (
        "Werken er kinderen onder de wettelijke leeftijd?",
        "Do children below the legal age work there?",
    ),
    (
        "Publiceert het bedrijf zijn productielocaties?",
        "Does the company publish its production sites?",
    ),
]
RISKY_WHEN_YES = {4, 5, 6, 10, 17, 18}  # theme indexes asked so that "yes" is the risk
THEME_SIGNALS = [
    *("no_union", "union_restricted", "no_collective_bargaining", "no_union"),
    *("anti_union_dismissal", "intimidation", "union_restricted", "union_restricted"),
    *("no_collective_bargaining", "no_grievance_mechanism", "union_restricted"),
    *("no_grievance_mechanism", "no_grievance_mechanism", "wage_violation", "wage_violation"),
    *("no_grievance_mechanism", "wage_violation", "intimidation", "intimidation"),
    "no_grievance_mechanism",
]


def _text(nl: str, en: str) -> Text:
    return Text(nl=nl, en=en)


def _signal(
    signal_id: str,
    severity: str,
    nl: str,
    en: str,
    kind: str = "gap",
    harm: int = 3,
    follow_up: tuple[FollowUp, ...] = (),
) -> Signal:
    return Signal(
        id=signal_id,
        kind=kind,
        harm=harm,
        follow_up=follow_up,
        title=_text(nl, en),
        explanation=_text(
            f"Dit wijst erop dat {nl.lower()} een risico is voor de rechten van werknemers.",
            f"This suggests that {en.lower()} is a risk to workers' rights.",
        ),
        severity=severity,
        tip=_text(f"Vraag door over: {nl.lower()}.", f"Ask more about: {en.lower()}."),
        advice=(
            _text(
                "Vraag het bedrijf om een verbeterplan met een tijdpad.",
                "Ask the company for an improvement plan with a timeline.",
            ),
            _text(
                "Bespreek het met je vakbond en met CNV Internationaal.",
                "Discuss it with your union and with CNV Internationaal.",
            ),
        ),
        references=(ILO_C87, UNGP_22) if severity == "high" else (ILO_C87,),
    )


SIGNALS = [
    _signal("no_union", "high", "Geen onafhankelijke vakbond", "No independent union"),
    _signal(
        "anti_union_dismissal",
        "high",
        "Ontslag om vakbondswerk",
        "Dismissal for union work",
        "abuse",
        8,
    ),
    _signal(
        "intimidation",
        "high",
        "Intimidatie van vakbondsleden",
        "Intimidation of members",
        "abuse",
        7,
    ),
    _signal("union_restricted", "medium", "Vakbondsvrijheid beperkt", "Union freedom restricted"),
    _signal("no_collective_bargaining", "medium", "Geen cao-overleg", "No collective bargaining"),
    _signal(
        "wage_violation", "medium", "Loon te laag of te laat", "Wages too low or late", "abuse", 6
    ),
    _signal("no_grievance_mechanism", "low", "Geen klachtenregeling", "No grievance mechanism"),
    _signal(
        "child_labour",
        "high",
        "Kinderarbeid",
        "Child labour",
        "abuse",
        10,
        (
            FollowUp(
                nl="Hoe controleert u de leeftijd van nieuwe werknemers?",
                en="How do you check the age of new workers?",
            ),
        ),
    ),
]


def _question(number: int) -> Question:
    theme = (number - 1) % len(THEMES)
    nl, en = THEMES[theme]
    if number > len(THEMES):
        nl, en = f"Bij de leverancier: {nl[0].lower()}{nl[1:]}", f"At the supplier: {en}"
    return Question(
        id=f"union.q{number:02d}",
        text=_text(nl, en),
        why=_text("Dit raakt aan vakbondsvrijheid.", "This concerns freedom of association."),
        risk_if="yes" if theme in RISKY_WHEN_YES else "no",
        signal=THEME_SIGNALS[theme],
        follow_up=(
            FollowUp(
                nl=f"Kunt u laten zien hoe dit geregeld is (vraag {number})?",
                en=f"Can you show how this is arranged (question {number})?",
            ),
            FollowUp(
                nl=f"Wie is verantwoordelijk voor punt {number}, en sinds wanneer?",
                en=f"Who is responsible for point {number}, and since when?",
            ),
            FollowUp(
                nl=f"Welke verbeteringen staan gepland voor punt {number}?",
                en=f"Which improvements are planned for point {number}?",
            ),
        ),
        references=(ILO_C87,) if number % 2 else (UNGP_22, ILO_C87),
    )


def report_texts() -> dict[str, Text]:
    """The real report texts from ``knowledge/data/ui/report.yaml``."""
    raw = yaml.safe_load(REPORT_YAML.read_text(encoding="utf-8"))
    return {key: Text.model_validate(value) for key, value in raw.items()}


def fixture_knowledge(ui: dict[str, Text] | None = None) -> KnowledgeBase:
    """A knowledge base with the 40-question checklist "union" and the report texts."""
    checklist = Checklist(
        id="union",
        title=_text("Vakbondsvrijheid bij vestiging en leverancier",
                    "Trade-union freedom at site and supplier"),
        intro=_text("Veertig vragen over vakbondsvrijheid.", "Forty questions on union freedom."),
        questions=tuple(_question(n) for n in range(1, 41)),
    )  # fmt: skip
    return KnowledgeBase(
        directory=Path("fixture"),
        taxonomy=MappingProxyType({}),
        checklists=(checklist,),
        signals=MappingProxyType({s.id: s for s in SIGNALS}),
        topics=MappingProxyType({}),
        ui=MappingProxyType(report_texts() if ui is None else ui),
    )


def fixture_assessment(name: str = COMPANY, assessment_id: int = 7) -> AssessmentInfo:
    return AssessmentInfo(
        id=assessment_id,
        name=name,
        country="Bangladesh",
        sector="Kleding en textiel",
        checklist_id="union",
        created="2025-11-20T09:15:00+01:00",
        updated="2025-11-25T16:40:00+01:00",
        language="nl",
    )


LONG_ANSWER = (
    "Volgens de ondernemingsraad is het beeld gemengd: in de naaiafdeling zijn de meeste "
    "mensen lid, maar in de verzendhal durft bijna niemand zich aan te sluiten. " * 12
).strip()


def fixture_answers() -> list[AnswerInfo]:
    """Answers to 30 of the 40 questions; questions 31-40 stay open."""

    def at(number: int) -> str:
        return f"2025-11-{20 + number // 8:02d}T10:{number:02d}:00+01:00"

    special = {
        1: AnswerInfo("union.q01", "Nee, er is geen bond; wie lid wordt, ligt eruit.", "no",
                      [("no_union", "geen bond"), ("anti_union_dismissal", "ligt eruit")], 0.92,
                      at(1)),
        2: AnswerInfo("union.q02", "Deels — alleen de vaste krachten; "
                      "*uitzendkrachten* | niet", "partly", [], 0.7, at(2)),
        3: AnswerInfo("union.q03", "weet ik niet", "unknown", [], 0.95, at(3)),
        5: AnswerInfo("union.q05", "Ja, drie collega's zijn vorige maand ontslagen.\n"
                      "Ze hadden net een bond opgericht.", "yes",
                      [("anti_union_dismissal", "ontslagen")], 0.9, at(5)),
        6: AnswerInfo("union.q06", "=HYPERLINK(\"http://x\")", None, [], 0.2, at(6)),
        9: AnswerInfo("union.q09", LONG_ANSWER, "partly", [], 0.6, at(9)),
        14: AnswerInfo("union.q14", "Nee, ze krijgen € 95; soms ook kinderen in de hal.", "no",
                       [("child_labour", "kinderen in de hal")], 0.85, at(14)),
        16: AnswerInfo("union.q16", "", None, [], None, at(16)),  # skipped: stays open
    }  # fmt: skip
    answers = []
    stances = ["yes", "no", "partly", "unknown", "yes", "yes"]
    for number in range(1, 31):
        if number in special:
            answers.append(special[number])
            continue
        stance = stances[number % len(stances)]
        label = {"yes": "Ja", "no": "Nee", "partly": "Deels", "unknown": "Weet ik niet"}[stance]
        answers.append(AnswerInfo(f"union.q{number:02d}", label, stance, [], 1.0, at(number)))
    return answers
