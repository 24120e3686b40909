"""Country context: which fundamental ILO conventions a country has ratified.

The table lives in ``knowledge/data/countries/``; this module finds a country and the
conventions named in typed text ("Heeft Bangladesh C87 geratificeerd"), and writes the
dated answer from UI texts (``country.*`` in ``ui/engine.yaml``). A country that is not
in the table is never guessed: the answer points to NORMLEX instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge.loader import KnowledgeBase
from knowledge.schema import FUNDAMENTAL_CONVENTIONS, Country

NORMLEX_COUNTRIES = "https://normlex.ilo.org/dyn/normlex/en/f?p=NORMLEXPUB:11001:0::NO:::"
_NUMBERS = "|".join(c.removeprefix("C") for c in FUNDAMENTAL_CONVENTIONS)
# "c87", "verdrag 87 en 98", "ilo-conventie nr. 138", "conventions 87 and 98"
_CONVENTIONS = re.compile(
    r"\b(?:c|ilo|verdrag(?:en)?|conventie(?:s)?|conventions?|nr|no)\s*0*(\d{2,3})\b"
    r"((?:\s*(?:en|and|of|or|,|/|&)?\s*(?:c\s*)?0*\d{2,3}\b)*)"
)
_NUMBER = re.compile(r"\d{2,3}")
_RATIFY = re.compile(r"\b(?:ratifi\w*|geratificeerd|ondertekend|signed)\b")
_QUESTION_START = re.compile(
    r"^ (?:heeft|hebben|had|is|zijn|welke|wat|hoe|has|have|did|does|which|what|how|en)\b"
)
_TREATY = re.compile(r"\b(?:verdrag\w*|conventie\w*|conventions?|ilo)\b")


def normalise(text: str) -> str:
    """Lower case, accents removed, everything but letters and digits a single space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split()) + " "


@dataclass(frozen=True)
class CountryQuestion:
    """What a typed text asks about ratification: the country (or None) and conventions."""

    country: Country | None
    conventions: tuple[str, ...]


_INDEX: dict[int, tuple[object, list[tuple[str, Country]]]] = {}


def _name_index(knowledge: KnowledgeBase) -> list[tuple[str, Country]]:
    """(normalised name, country), longest names first so "zuid korea" beats "korea";
    built once per country table (the knowledge base is immutable)."""
    table = knowledge.countries
    cached = _INDEX.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    pairs = [
        (normalise(name).strip(), country)
        for country in table.values()
        for name in (country.name.nl, country.name.en, *country.aliases)
    ]
    index = sorted(pairs, key=lambda pair: -len(pair[0]))
    _INDEX.clear()  # one table in use at a time; tests that load copies do not pile up
    _INDEX[id(table)] = (table, index)
    return index


def find_country(knowledge: KnowledgeBase, text: str) -> Country | None:
    """The table's country named in ``text`` (a whole word or phrase), or None."""
    plain = normalise(text)
    for name, country in _name_index(knowledge):
        if f" {name} " in plain:
            return country
    return None


def find_conventions(text: str) -> tuple[str, ...]:
    """The fundamental conventions named in ``text`` ("C87", "verdrag 98"), in order."""
    found: list[str] = []
    for match in _CONVENTIONS.finditer(normalise(text)):
        for number in [match[1], *_NUMBER.findall(match[2] or "")]:
            code = f"C{int(number)}"
            if code in FUNDAMENTAL_CONVENTIONS and code not in found:
                found.append(code)
    return tuple(found)


def ratification_question(knowledge: KnowledgeBase, text: str) -> CountryQuestion | None:
    """What ``text`` asks about ratification, or None when it is not such a question.

    A table country plus a convention, a treaty word or a ratification word asks about that
    country; a ratification word with a convention but no table country asks about a
    country we do not know (answered with NORMLEX, never a guess).
    """
    plain = normalise(text)
    conventions = find_conventions(text)
    ratify = bool(_RATIFY.search(plain))
    country = find_country(knowledge, text)
    if country is not None and (conventions or ratify or _TREATY.search(plain)):
        return CountryQuestion(country, conventions)
    if country is None and ratify and (conventions or _TREATY.search(plain)):
        return CountryQuestion(None, conventions)
    return None


def is_asked(text: str) -> bool:
    """True when ``text`` is phrased as a question ("?" or "Heeft ...", "Has ..."), so that
    an answer to a checklist question that names a country is not taken for a question."""
    return text.rstrip().endswith(("?", "？", "؟")) or bool(_QUESTION_START.match(normalise(text)))


def convention_label(knowledge: KnowledgeBase, code: str, language: str) -> str:
    """ "verdrag 87" / "Convention 87"."""
    return knowledge.text("country.convention", language, number=code.removeprefix("C"))


def overview(knowledge: KnowledgeBase, country: Country, language: str) -> str:
    """All ten conventions of ``country`` in a few short sentences, with ITUC and date."""
    status = country.conventions
    ratified = [c for c in FUNDAMENTAL_CONVENTIONS if status[c] not in ("not_ratified", "unknown")]
    missing = [c for c in FUNDAMENTAL_CONVENTIONS if status[c] == "not_ratified"]
    unknown = [c for c in FUNDAMENTAL_CONVENTIONS if status[c] == "unknown"]
    name = country.name.get(language)
    shown = [f"{c} ({status[c]})" if isinstance(status[c], int) else c for c in ratified]
    lines = [
        knowledge.text(
            "country.overview",
            language,
            country=name,
            count=len(ratified),
            conventions=", ".join(shown),
        )
    ]
    if missing:
        lines.append(
            knowledge.text("country.overview_missing", language, conventions=", ".join(missing))
        )
        lines.append(knowledge.text("country.not_ratified_note", language))
    if unknown:
        lines.append(
            knowledge.text("country.overview_unknown", language, conventions=", ".join(unknown))
        )
    lines.extend(_context_lines(knowledge, country, language))
    return "\n".join(lines)


def one_convention(knowledge: KnowledgeBase, country: Country, code: str, language: str) -> str:
    """The direct answer for one convention: yes (with the year when known), no, or unsure."""
    status = country.conventions[code]
    values = {
        "country": country.name.get(language),
        "convention": convention_label(knowledge, code, language),
    }
    if isinstance(status, int):
        return knowledge.text("country.ratified_in", language, year=status, **values)
    return knowledge.text(f"country.{status}", language, **values)


def answer(knowledge: KnowledgeBase, question: CountryQuestion, language: str) -> str:
    """The chat answer to a ratification question: direct first, then date and source."""
    if question.country is None:
        return knowledge.text("country.not_in_table", language, normlex=NORMLEX_COUNTRIES)
    country = question.country
    if not question.conventions:
        return overview(knowledge, country, language)
    lines = [one_convention(knowledge, country, code, language) for code in question.conventions]
    if any(country.conventions[code] == "not_ratified" for code in question.conventions):
        lines.append(knowledge.text("country.not_ratified_note", language))
    lines.extend(_context_lines(knowledge, country, language))
    return "\n".join(lines)


def _context_lines(knowledge: KnowledgeBase, country: Country, language: str) -> list[str]:
    lines = []
    if country.ituc is not None and country.ituc.ten_worst:
        lines.append(
            knowledge.text(
                "country.ituc_ten_worst",
                language,
                country=country.name.get(language),
                edition=country.ituc.edition,
            )
        )
    lines.append(
        knowledge.text(
            "country.dated",
            language,
            date=country.as_of,
            source=country.sources[-1].label,
            normlex=NORMLEX_COUNTRIES,
        )
    )
    return lines


def context_note(knowledge: KnowledgeBase, country_text: str, language: str) -> str:
    """One paragraph for a report or the first union question about the typed country.

    Empty when nothing was typed or the knowledge base has no country table; a pointer to
    NORMLEX when the country is not in the table.
    """
    if not country_text.strip() or not knowledge.countries:
        return ""
    country = find_country(knowledge, country_text)
    if country is None:
        return knowledge.text(
            "country.context_unknown",
            language,
            country=country_text.strip(),
            normlex=NORMLEX_COUNTRIES,
        )
    return overview(knowledge, country, language)
