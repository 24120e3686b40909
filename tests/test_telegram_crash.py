"""`imvo-coach run` killed with SIGKILL mid-checklist and restarted, logging at DEBUG:
every acknowledged answer survives, nothing is stored twice when Telegram delivers an
update again, the user resumes at the right question, and the log never holds the token
nor, at INFO and above, what the user typed or their name (users only as a salted hash).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bot.telegram_logging import UserHasher
from knowledge import KnowledgeBase
from storage import Store
from tests.fake_bot_api import FakeBot, FakeBotApi
from tests.fake_bot_api.process import BotProcess
from tests.fake_bot_api.users import asks

TOKEN = "880088:crash-test-token-s3cret"
USER_ID = 770077123
SALT = "crash-test-salt"
COMPANY = "Geheimstaal Noord BV"
TYPED = (
    "nee, de wet laat vakbonden vrij volgens Pietersen",
    "ja, er is een vakbond; Marieke Jansen is er voorzitter",
    "nee hoor",
)
PRIVATE_WORDS = ("Geheimstaal", "Pietersen", "Marieke", "Zoltanna", "Kwiatkowska", "zoltanna_or")
STEP_SECONDS = 10.0
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


class Anna:
    """The user: waits, like a person, until the bot has answered each step."""

    def __init__(self, fake: FakeBot) -> None:
        self.fake = fake
        self.user = fake.user(USER_ID, "Zoltanna", "nl")
        self.user.data.update(last_name="Kwiatkowska", username="zoltanna_or")

    def last(self) -> dict:
        messages = self.user.messages()
        return messages[-1] if messages else {}

    def data(self, prefix: str) -> str | None:
        return next((d for d in self.user.button_data(self.last()) if d.startswith(prefix)), None)

    async def until(self, done: Callable[[], bool]) -> None:
        await self.fake.wait_for(done, wait=STEP_SECONDS)

    async def question(self, number: int, after: int = 0) -> None:
        """Wait until question ``number`` is the bot's last message (after ``after`` messages)."""
        await self.until(lambda: len(self.user.messages()) > after and asks(self.last(), number))

    async def tap(self, prefix: str, suffix: str = "") -> int:
        data = next(
            d for d in self.user.button_data() if d.startswith(prefix) and d.endswith(suffix)
        )
        return self.user.tap(data)

    async def answer_typed(self, text: str, number: int) -> None:
        """Type an answer to question ``number``; confirm it if the bot asks."""
        self.user.send(text)
        await self.until(lambda: asks(self.last(), number + 1) or bool(self.data("ok:")))
        if not asks(self.last(), number + 1):
            await self.tap("ok:")
            await self.question(number + 1)

    async def start_checklist(self) -> None:
        self.user.send("/new")
        await self.until(lambda: bool(self.data("cl:union")))
        await self.tap("cl:union")
        await self.until(lambda: bool(self.data("cx:name")))
        self.user.send(COMPANY)
        await self.until(lambda: bool(self.data("cx:country")))
        await self.tap("cx:country")
        await self.until(lambda: bool(self.data("cx:sector")))
        await self.tap("cx:sector")
        await self.question(1)


def records(log: str) -> list[tuple[str, str]]:
    """(level, text) of every log record; traceback lines belong to their record."""
    found: list[tuple[str, str]] = []
    for line in log.splitlines():
        match = RECORD.match(line)
        if match:
            found.append((match.group(1), line))
        elif found:
            found[-1] = (found[-1][0], f"{found[-1][1]}\n{line}")
    return found


async def test_sigkill_mid_checklist_loses_no_acknowledged_answer(
    api: FakeBotApi, tmp_path: Path, knowledge: KnowledgeBase
) -> None:
    fake = api.add_bot(TOKEN)
    bot = BotProcess(
        fake, api.base_url, tmp_path, LOG_LEVEL="DEBUG", LOG_SALT=SALT, TELEGRAM_RATE_LIMIT="0"
    )
    anna = Anna(fake)
    try:
        await bot.start()
        await anna.start_checklist()
        await anna.answer_typed(TYPED[0], 1)
        await anna.answer_typed(TYPED[1], 2)
        await anna.tap("a:", ":no")
        await anna.question(4)
        # Question 4: the answer is committed, then the bot dies while marking the question.
        fake.stall_next("editMessageText")
        in_flight = await anna.tap("a:", ":yes")
        await anna.until(lambda: bool(fake.stalled))
        await bot.kill()

        shown = len(anna.user.messages())
        await bot.start()
        # The press waited in the inbox: handled again, it shows where Anna is.
        await anna.question(5, after=shown)
        shown = len(anna.user.messages())
        fake.redeliver(in_flight)  # Telegram sends it again: not stored twice
        await fake.wait_redelivered()
        await anna.answer_typed(TYPED[2], 5)
        await bot.kill()  # right after the acknowledgement

        await bot.start()
        shown = len(anna.user.messages())
        anna.user.send("/start")
        await anna.question(6, after=shown)
        assert await bot.stop() == 0
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.kill()

    questions = [q.id for q in knowledge.checklist("union").questions]
    with Store(bot.db) as store:
        (assessment,) = store.list_assessments(f"tg:{USER_ID}")
        history = store.answer_history(f"tg:{USER_ID}", assessment.id)
        position = store.load_position(f"tg:{USER_ID}")
    assert [answer.question for answer in history] == questions[:5]  # each exactly once
    assert [history[0].text, history[1].text, history[4].text] == list(TYPED)
    assert [history[2].stance, history[3].stance] == ["no", "yes"]
    assert assessment.position == 5
    assert assessment.name == COMPANY
    assert position is not None
    assert position.state == "question"

    log = bot.read_log()
    assert TOKEN not in log
    assert TOKEN.split(":", 1)[1] not in log
    found = records(log)
    assert any(level == "DEBUG" for level, _ in found)  # DEBUG really was on
    loud = "\n".join(text for level, text in found if level != "DEBUG")
    for word in (*PRIVATE_WORDS, *TYPED, str(USER_ID)):
        assert word not in loud, word
    assert UserHasher(SALT)(USER_ID) in loud  # users appear only as the salted hash
    assert not [text for level, text in found if level in ("ERROR", "CRITICAL")]
