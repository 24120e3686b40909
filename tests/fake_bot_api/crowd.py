"""Many simulated people using the bot at once, through the fake Bot API.

Each person starts the union checklist (``/new``, the checklist, a company name of their
own, skipping country and sector) and answers questions, alternating buttons and typed
words, in a pattern of their own. Like a person, each waits for the bot's answer before
the next step; all of them at the same time. ``Crowd.check`` then proves that nothing was
lost or crossed: every answer in the right person's checklist, every chat only showing
that person's company.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from storage import Store
from tests.fake_bot_api.server import FakeBot
from tests.fake_bot_api.users import FakeUser, asks

STEP_TIMEOUT = 120.0  # seconds one person waits for one answer before giving up
TYPED = {"yes": "ja", "no": "nee"}
SETUP_STEPS = 5  # /new, checklist, name, skip country, skip sector


def stance_of(user_id: int, question: int) -> str:
    """Each person's own answer pattern, so a crossed answer shows up."""
    return "yes" if (user_id >> question) & 1 else "no"


def company_of(user_id: int) -> str:
    return f"Firma {user_id}"


@dataclass
class Person:
    """One simulated user and the moments they waited for the bot."""

    user: FakeUser
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    waits: list[float] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.user.data["id"])

    def last(self) -> dict:
        messages = self.user.messages()
        return messages[-1] if messages else {}

    def data(self, prefix: str, suffix: str = "") -> str | None:
        return next(
            (
                d
                for d in self.user.button_data(self.last())
                if d.startswith(prefix) and d.endswith(suffix)
            ),
            None,
        )

    async def step(self, send: int, done) -> None:
        """After update ``send`` was queued, wait until ``done()``; record the wait."""
        started = time.perf_counter()
        while not done():
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), STEP_TIMEOUT)
        self.waits.append(time.perf_counter() - started)

    async def run(self, answers: int) -> None:
        await self.step(self.user.send("/new"), lambda: bool(self.data("cl:union")))
        await self.step(self.user.tap("cl:union"), lambda: bool(self.data("cx:name")))
        await self.step(self.user.send(company_of(self.id)), lambda: bool(self.data("cx:country")))
        await self.step(self.user.tap("cx:country"), lambda: bool(self.data("cx:sector")))
        await self.step(self.user.tap("cx:sector"), lambda: self._asked(1))
        for index in range(answers):
            stance = stance_of(self.id, index)
            if index % 2:
                sent = self.user.send(TYPED[stance])
            else:
                sent = self.user.tap(self.data("a:", f":{stance}") or "a:")
            await self.step(sent, lambda number=index + 2: self._asked(number))

    async def export(self, formats: tuple[str, ...]) -> None:
        """Ask for the report in each of ``formats`` ("pdf", "docx", ...), one at a time."""
        for fmt in formats:
            sent_before = self._documents()
            await self.step(self.user.send("/export"), lambda: bool(self.data("fmt:")))
            tapped = self.user.tap(self.data("fmt:", f":{fmt}") or "fmt:")
            await self.step(tapped, lambda before=sent_before: self._documents() > before)

    def _documents(self) -> int:
        return sum(1 for message in self.user.messages() if "document" in message)

    def _asked(self, number: int) -> bool:
        return asks(self.last(), number)


@dataclass(frozen=True)
class CrowdResult:
    """What the run measured."""

    people: int
    updates: int
    seconds: float
    waits: tuple[float, ...]  # every step's wait for the bot's answer, in seconds
    bot_calls: int  # Bot API calls other than getUpdates
    chat_calls: int  # calls into a chat (messages, edits, chat actions): what limiters count
    messages: int  # sendMessage and sendDocument calls

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.waits)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Crowd:
    """``people`` users, IDs from ``first_id``, each answering ``answers`` questions."""

    def __init__(self, fake: FakeBot, people: int, answers: int, first_id: int = 5_000_000):
        self.fake = fake
        self.answers = answers
        self.people = [Person(fake.user(first_id + n, f"Persoon{n}", "nl")) for n in range(people)]
        by_chat = {person.user.chat_id: person for person in self.people}

        def arrived(chat_id: int, message: dict) -> None:
            person = by_chat.get(chat_id)
            if person is not None:
                person.arrived.set()

        fake.on_message.append(arrived)

    async def run(self) -> CrowdResult:
        """Everyone at once; returns when each has had every answer."""
        calls_before = len(self.fake.calls)
        started = time.perf_counter()
        await asyncio.gather(*(person.run(self.answers) for person in self.people))
        seconds = time.perf_counter() - started
        calls = [c for c in self.fake.calls[calls_before:] if c.method != "getUpdates"]
        return CrowdResult(
            people=len(self.people),
            updates=len(self.people) * (SETUP_STEPS + self.answers),
            seconds=seconds,
            waits=tuple(wait for person in self.people for wait in person.waits),
            bot_calls=len(calls),
            chat_calls=sum(1 for c in calls if "chat_id" in c.params),
            messages=sum(1 for c in calls if c.method in ("sendMessage", "sendDocument")),
        )

    def check(self, store: Store, question_ids: list[str]) -> list[str]:
        """Every problem found: lost, doubled or crossed answers, other people's names."""
        problems = []
        for person in self.people:
            user_id = f"tg:{person.id}"
            assessments = store.list_assessments(user_id)
            if [a.name for a in assessments] != [company_of(person.id)]:
                problems.append(f"{user_id}: assessments {[a.name for a in assessments]}")
                continue
            history = store.answer_history(user_id, assessments[0].id)
            expected = [(question_ids[i], stance_of(person.id, i)) for i in range(self.answers)]
            if [(a.question, a.stance) for a in history] != expected:
                problems.append(f"{user_id}: answers {[(a.question, a.stance) for a in history]}")
            shown = "\n".join(person.user.texts())
            names = set(word for word in shown.split() if word.isdigit() and len(word) > 6)
            if names - {str(person.id)}:
                problems.append(f"{user_id}: saw {sorted(names - {str(person.id)})}")
        return problems
