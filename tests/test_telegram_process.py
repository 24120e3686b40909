"""`imvo-coach run` as its own process against the fake Bot API: a whole checklist.

This is the deployment path (console script, settings from the environment, logging
setup, SIGTERM handling) with nothing replaced but Telegram's address.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.config import ENVIRONMENT_VARIABLES
from bot.telegram_render import split_text
from bot.telegram_send import join_texts
from conversations.engine import Engine
from conversations.events import Event, EventKind
from knowledge import default_knowledge
from storage import Store
from tests.fake_bot_api import FakeBot, FakeBotApi, FakeUser

TOKEN = "777001:process-test-token"
SECRET_WORD = "Zwijgzaam"  # typed by the user; must never reach the log
STARTUP_SECONDS = 20.0  # importing PTB and loading the knowledge base, on a slow machine
STEP_SECONDS = 5.0


def _command() -> list[str]:
    script = Path(sys.executable).with_name("imvo-coach")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot.cli", "run"]


class Session:
    """One user talking to the bot process; each step checked against a twin engine."""

    def __init__(self, fake: FakeBot, user: FakeUser, twin: Engine) -> None:
        self.fake, self.user, self.twin = fake, user, twin

    async def step(self, action: int, kind: EventKind, data: str, shown: int) -> None:
        """Wait until the bot showed, after the first ``shown`` messages, what the twin says."""
        replies = self.twin.handle(Event(f"tg:{self.user.data['id']}", kind, data, "", "nl"))
        expected = [part for reply in join_texts(replies) for part in split_text(reply.text)]
        await self.fake.wait_fetched(action, wait=STEP_SECONDS)
        target = shown + len(expected)
        await self.fake.wait_for(lambda: len(self.user.messages()) >= target, wait=STEP_SECONDS)
        assert self.user.texts()[shown:] == expected

    async def say(self, text: str) -> None:
        shown = len(self.user.messages())
        if text.startswith("/"):
            await self.step(self.user.send(text), EventKind.COMMAND, text[1:], shown)
        else:
            await self.step(self.user.send(text), EventKind.TEXT, text, shown)

    async def tap(self, prefix: str, suffix: str = "") -> None:
        shown = len(self.user.messages())
        data = next(
            d for d in self.user.button_data() if d.startswith(prefix) and d.endswith(suffix)
        )
        await self.step(self.user.tap(data), EventKind.CHOICE, data, shown)


async def test_imvo_coach_run_completes_a_checklist(api: FakeBotApi, tmp_path: Path) -> None:
    fake = api.add_bot(TOKEN)
    knowledge = default_knowledge()
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_VARIABLES}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.base_url,
        IMVO_COACH_DB=str(tmp_path / "data" / "coach.db"),
        HEARTBEAT_FILE=str(tmp_path / "heartbeat"),
        POLL_TIMEOUT="1",
        LOG_LEVEL="INFO",
        NO_PROXY="127.0.0.1,localhost",
    )
    process = await asyncio.create_subprocess_exec(
        *_command(),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    twin_store = Store(tmp_path / "twin.db")
    try:
        await fake.wait_for(lambda: bool(fake.calls_of("getUpdates")), wait=STARTUP_SECONDS)
        assert (tmp_path / "heartbeat").exists()
        assert {c["command"] for c in fake.commands["nl"]} >= {"start", "new", "forget"}
        anna = Session(fake, fake.user(1001, "Anna", "nl"), Engine(knowledge, twin_store))
        await anna.say("/start")
        await anna.say("/new")
        await anna.tap("cl:union")
        await anna.say(f"{SECRET_WORD} Metaal BV")  # the name of the company
        await anna.tap("cx:")
        await anna.tap("cx:")
        for index in range(len(knowledge.checklist("union").questions)):
            await anna.tap("a:", ":yes" if index % 3 else ":no")
        await anna.say("/summary")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), STEP_SECONDS * 2)
        twin_store.close()
    log = stderr.decode()
    assert process.returncode == 0, log[-3000:]
    assert stdout == b""
    assert "Starting long polling" in log
    assert TOKEN not in log
    assert SECRET_WORD not in log
    assert "1001" not in log  # users only as a salted hash
    with Store(tmp_path / "data" / "coach.db") as store:
        (assessment,) = store.list_assessments("tg:1001")
        answers = store.answers_for("tg:1001", assessment.id)
    assert len(answers) == len(knowledge.checklist("union").questions)


@pytest.mark.parametrize(
    ("token", "reachable", "message"),
    [
        ("999:unknown-to-telegram", True, "Error: Telegram does not accept this bot token"),
        (TOKEN, False, "Error: cannot reach the Telegram Bot API at http://127.0.0.1:"),
    ],
    ids=["refused-token", "unreachable-api"],
)
async def test_startup_problems_are_one_clear_line(
    api: FakeBotApi, tmp_path: Path, token: str, reachable: bool, message: str
) -> None:
    api.add_bot(TOKEN)
    url = api.base_url
    if not reachable:
        await api.stop()  # nothing listens there any more
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_VARIABLES}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=url,
        IMVO_COACH_DB=str(tmp_path / "coach.db"),
        NO_PROXY="127.0.0.1,localhost",
    )
    process = await asyncio.create_subprocess_exec(
        *_command(), env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), STARTUP_SECONDS)
    last_line = stderr.decode().strip().splitlines()[-1]
    assert process.returncode == 1
    assert last_line.startswith(message)
    assert token not in stderr.decode()  # PTB logs the traceback above it, redacted
