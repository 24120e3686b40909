"""A crash run: people answering through `imvo-coach run` while it is killed again and again.

Each person starts the union checklist, then walks through its questions: an answer
(a button or typed "ja"/"nee") moves to the next question, "/terug" moves back, and
after question ``TURN`` the walk goes back to the start. Every step has exactly one
right reply, the question "Vraag N van ..." it leads to, so the messages the bot sent
between one step and the next show whether a reply was lost (none came within
``REPLY_WAIT``) or doubled (it came twice). Meanwhile the bot is killed with SIGKILL at
random moments, half of them right when getUpdates has handed it a batch (between
fetch and handling), and started again. Used by tests/test_telegram_inbox_crash.py
and benchmarks/crash_soak.py.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from tests.fake_bot_api.process import BotProcess
from tests.fake_bot_api.server import FakeBot
from tests.fake_bot_api.users import FakeUser, question_numbers

REPLY_WAIT = 45.0  # seconds a person waits for a reply (a restart takes a few)
TURN = 8  # the walk turns back after this question
SETUP_WAIT = 60.0


@dataclass
class Walker:
    """One person walking up and down the checklist, counting the replies to each step."""

    user: FakeUser
    steps: int = 0
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    marks: list[tuple[int, int, str]] = field(default_factory=list)  # (first msg, N, step)

    def prompts(self, start: int, end: int | None = None) -> list[int]:
        """Question numbers of the "Vraag N van" messages from message index ``start``."""
        numbers = []
        for message in self.user.messages()[start:end]:
            numbers.extend(question_numbers(message.get("text", "")))
        return numbers

    async def until(self, done, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while not done():
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                return done()
        return True

    def last_data(self, prefix: str) -> str | None:
        return next((d for d in self.user.button_data() if d.startswith(prefix)), None)

    async def setup(self) -> bool:
        user = self.user
        for action, ready in (
            (lambda: user.send("/new"), "cl:union"),
            (lambda: user.tap("cl:union"), "cx:name"),
            (lambda: user.send(f"Firma {user.data['id']}"), "cx:country"),
            (lambda: user.tap("cx:country"), "cx:sector"),
        ):
            action()
            if not await self.until(lambda r=ready: bool(self.last_data(r)), SETUP_WAIT):
                return False
        start = len(user.messages())
        user.tap("cx:sector")
        return await self.until(lambda: 1 in self.prompts(start), SETUP_WAIT)

    async def walk(self, stop: asyncio.Event) -> None:
        """Step until ``stop``; each step waits for its reply."""
        rng = random.Random(int(self.user.data["id"]))
        question, forward = 1, True
        while not stop.is_set():
            if question == TURN:
                forward = False
            elif question == 1:
                forward = True
            start = len(self.user.messages())
            if forward:
                target = question + 1
                stance = rng.choice(("yes", "no"))
                if rng.random() < 0.5 and self.last_data("a:"):
                    self.user.tap(self.last_data("a:") or "a:")  # any answer button
                    label = "button"
                else:
                    self.user.send("ja" if stance == "yes" else "nee")
                    label = "typed"
            else:
                target = question - 1
                self.user.send("/terug")
                label = "back"
            step = f"{self.user.data['id']}#{self.steps} {label} {question}->{target}"
            self.steps += 1
            self.marks.append((start, target, step))
            if not await self.until(lambda s=start, t=target: t in self.prompts(s), REPLY_WAIT):
                self.lost.append(step)
                return
            question = target

    def count_doubles(self) -> None:
        """After the run: a step whose question was shown more than once was doubled."""
        ends = [start for start, _, _ in self.marks[1:]] + [len(self.user.messages())]
        for (start, target, step), end in zip(self.marks, ends, strict=True):
            shown = [n for n in self.prompts(start, end) if n == target]
            if len(shown) > 1:
                self.doubled.append(step)


@dataclass(frozen=True)
class CrashResult:
    kills: int
    kills_at_fetch: int
    steps: int
    lost: tuple[str, ...]
    doubled: tuple[str, ...]
    seconds: float


async def crash_run(
    fake: FakeBot, bot: BotProcess, people: int, kills: int, seed: int = 14
) -> CrashResult:
    """``people`` walk while the bot is killed ``kills`` times; returns what was seen."""
    rng = random.Random(seed)
    walkers = [Walker(fake.user(6_000_000 + n, f"Loper{n}", "nl")) for n in range(people)]
    by_chat = {walker.user.chat_id: walker for walker in walkers}
    fake.on_message.append(
        lambda chat, message: by_chat[chat].arrived.set() if chat in by_chat else None
    )
    started = time.perf_counter()
    await bot.start()
    ready = await asyncio.gather(*(walker.setup() for walker in walkers))
    assert all(ready), "setup failed before any kill"
    stop = asyncio.Event()
    walking = [asyncio.create_task(walker.walk(stop)) for walker in walkers]
    at_fetch = 0
    for number in range(kills):
        if number % 2:
            batches = fake.batches
            await fake.wait_for(lambda b=batches: fake.batches > b, wait=30.0)
            await asyncio.sleep(rng.uniform(0.0, 0.03))
            at_fetch += 1
        else:
            await asyncio.sleep(rng.uniform(0.05, 1.5))
        await bot.kill()
        await asyncio.sleep(rng.uniform(0.0, 0.3))
        await bot.start()
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*walking)
    await asyncio.sleep(0.5)  # a late double would arrive now
    for walker in walkers:
        walker.count_doubles()
    return CrashResult(
        kills=kills,
        kills_at_fetch=at_fetch,
        steps=sum(walker.steps for walker in walkers),
        lost=tuple(step for walker in walkers for step in walker.lost),
        doubled=tuple(step for walker in walkers for step in walker.doubled),
        seconds=time.perf_counter() - started,
    )
