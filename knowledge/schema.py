"""Typed, immutable shapes of the knowledge base (the contract for every YAML file).

Every user-facing text is a ``Text`` with a Dutch and an English version. Models are
frozen pydantic models: they are checked once when the knowledge base loads and never
change afterwards.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES: tuple[str, ...] = ("nl", "en")
MAX_TOPIC_ANSWER_CHARS = 900
MAX_TIP_CHARS = 200
# The ten fundamental ILO conventions (C155 and C187 since 2022), in the order shown.
FUNDAMENTAL_CONVENTIONS: tuple[str, ...] = (
    "C29", "C87", "C98", "C100", "C105", "C111", "C138", "C182", "C155", "C187",
)  # fmt: skip


class Stance(StrEnum):
    """How an answer relates to the question asked."""

    YES = "yes"
    NO = "no"
    PARTLY = "partly"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How serious a finding is; orders findings in summaries."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Frozen(BaseModel):
    """Base for all knowledge models: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class Text(Frozen):
    """A user-facing text in Dutch (first) and English."""

    nl: NonEmpty
    en: NonEmpty

    def get(self, language: str) -> str:
        """Return the text in ``language``, falling back to Dutch."""
        return self.en if language == "en" else self.nl


class Reference(Frozen):
    """A norm or source behind a fact: what it is and where to check it."""

    label: NonEmpty  # e.g. "ILO C87, art. 2" or "UNGP 22"
    source: NonEmpty  # URL or publication a reader can find
    label_nl: str | None = None  # the label in Dutch, when ``label`` has English words

    def label_in(self, language: str) -> str:
        """The label a report in ``language`` shows ("UNGP 16 (beleidsverklaring)")."""
        return self.label_nl if language == "nl" and self.label_nl else self.label


SKIP_IF_PATTERN = r"^[a-z_]+\.[a-z_]+=(yes|no|partly|unknown)$"  # question_id=stance


class FollowUp(Text):
    """A question to ask during a visit, left out when the answers already deny what it
    assumes (``skip_if: ["union.present=no"]``: no question about the union's members
    when there is no union)."""

    skip_if: tuple[
        Annotated[str, Field(pattern=r"^[a-z_]+\.[a-z_]+=(yes|no|partly|unknown)$")], ...
    ] = ()

    def skipped(self, stances: dict[str, str | None]) -> bool:
        """True when one of the given answers (question ID -> stance) denies its premise."""
        return any(stances.get(q) == s for q, _, s in (c.partition("=") for c in self.skip_if))


class HarmKind(StrEnum):
    """What a finding is: harm done to people, or a gap in the company's policy."""

    ABUSE = "abuse"  # forced labour, unsafe work, dismissal for union work, ...
    GAP = "gap"  # no policy, no KPIs, no grievance mechanism, ...


def _reject_boolean(value: Any) -> Any:
    """YAML 1.1 turns unquoted yes/no into booleans; say so instead of guessing."""
    if isinstance(value, bool):
        raise ValueError('got a boolean where a stance is meant; quote it: "yes" or "no"')
    return value


class Question(Frozen):
    """One checklist question with its risk logic, visit questions and norms."""

    id: NonEmpty
    text: Text
    why: Text
    answers: tuple[Stance, ...] = (Stance.YES, Stance.NO, Stance.PARTLY, Stance.UNKNOWN)
    risk_if: Stance
    signal: NonEmpty
    follow_up: Annotated[tuple[FollowUp, ...], Field(min_length=2, max_length=4)]
    references: Annotated[tuple[Reference, ...], Field(min_length=1)]
    topics: tuple[str, ...] = ()

    _no_bool_risk = field_validator("risk_if", mode="before")(_reject_boolean)

    @field_validator("answers", mode="before")
    @classmethod
    def _no_bool_answers(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for item in value:
                _reject_boolean(item)
        return value


class Checklist(Frozen):
    """An ordered list of questions on one theme (policy, union, ungp)."""

    id: NonEmpty
    title: Text
    intro: Text
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]


class Signal(Frozen):
    """A finding: a concern an answer states or implies, with what to do about it."""

    id: NonEmpty
    title: Text
    explanation: Text
    severity: Severity
    # Reports rank abuses before policy gaps, then by harm (10 = gravest, e.g. forced
    # labour; 1 = least), so a confiscated passport never sits below "no policy".
    kind: HarmKind
    harm: Annotated[int, Field(ge=1, le=10)]
    tip: Text  # one line of advice shown right after the answer
    advice: Annotated[tuple[Text, ...], Field(min_length=1)]  # concrete next steps
    # Questions about this finding itself, asked first in visit lists (an abuse typed under
    # another question, e.g. confiscated passports under "free to join", needs its own).
    follow_up: Annotated[tuple[FollowUp, ...], Field(max_length=4)] = ()
    references: Annotated[tuple[Reference, ...], Field(min_length=1)]
    topics: tuple[str, ...] = ()


class DocumentItem(Frozen):
    """One line a letter or visit plan may include (a proposal, a thing to check on site).

    It is included when one of its ``signals`` was found, or when a question that raises
    one of them was answered "don't know"; ``always`` items are in every document.
    """

    id: NonEmpty
    text: Text
    signals: tuple[str, ...] = ()
    always: bool = False


class Topic(Frozen):
    """A knowledge question a user may ask at any moment, answered in one phone screen."""

    id: NonEmpty
    title: Text
    answer: Text
    sources: Annotated[tuple[Reference, ...], Field(min_length=1)]
    related_topics: tuple[str, ...] = ()
    related_questions: tuple[str, ...] = ()
    as_of: str | None = None  # date of the information where the law is still changing
    time_sensitive: bool = False  # the answer states something that changes; needs as_of

    @model_validator(mode="after")
    def _dated_when_time_sensitive(self) -> Topic:
        if self.time_sensitive and not self.as_of:
            raise ValueError("time_sensitive topic needs as_of (the date the facts were checked)")
        return self


RatificationStatus = Literal["ratified", "not_ratified", "unknown"]


class ItucRating(Frozen):
    """What the ITUC Global Rights Index says about a country, in one edition."""

    edition: Annotated[int, Field(ge=2014)]
    rating: str | None = None  # "1".."5+", when the source gives it
    ten_worst: bool = False  # named among the ten worst countries for working people
    source: Reference


class Country(Frozen):
    """Ratification status of the fundamental ILO conventions in one country.

    A convention maps to the year it was ratified (int), ``ratified`` (year not recorded),
    ``not_ratified`` or ``unknown`` (not verified: the bot then points to NORMLEX).
    """

    id: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2
    name: Text
    aliases: tuple[NonEmpty, ...] = ()  # other spellings people type ("Turkije", "VS")
    conventions: dict[str, int | RatificationStatus]
    ituc: ItucRating | None = None
    sources: Annotated[tuple[Reference, ...], Field(min_length=1)]
    as_of: NonEmpty

    @field_validator("conventions")
    @classmethod
    def _all_ten(cls, value: dict[str, int | str]) -> dict[str, int | str]:
        missing = [c for c in FUNDAMENTAL_CONVENTIONS if c not in value]
        extra = [c for c in value if c not in FUNDAMENTAL_CONVENTIONS]
        if missing or extra:
            raise ValueError(
                f"conventions must list exactly {', '.join(FUNDAMENTAL_CONVENTIONS)}"
                f" (missing {missing}, unknown {extra})"
            )
        for key, status in value.items():
            if isinstance(status, bool) or (isinstance(status, int) and status < 1919):
                raise ValueError(f"{key}: a year of ratification or ratified/not_ratified/unknown")
        return value


Language = Literal["nl", "en"]
