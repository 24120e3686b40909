"""`imvo-coach run` as a child process against the fake Bot API: start, kill, restart.

The process gets its settings from the environment like a deployment, and writes its log
to a file (a pipe nobody reads would fill up and block the bot at LOG_LEVEL=DEBUG).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import ENVIRONMENT_VARIABLES
from tests.fake_bot_api.server import FakeBot

STARTUP_SECONDS = 30.0  # importing PTB and loading the knowledge base, on a slow machine


def command() -> list[str]:
    """The installed console script, else the module."""
    script = Path(sys.executable).with_name("imvo-coach")
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot.cli", "run"]


class BotProcess:
    """One ``imvo-coach run`` at a time on one database; ``log`` collects every run's log."""

    def __init__(
        self,
        fake: FakeBot,
        api_url: str,
        folder: Path,
        argv: list[str] | None = None,
        **settings: str,
    ) -> None:
        self.fake = fake
        self.argv = argv or command()  # another bot program for benchmarks' baselines
        self.folder = folder
        self.log = folder / "bot.log"
        self.env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_VARIABLES}
        self.env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_URL=api_url,
            IMVO_COACH_DB=str(folder / "data" / "coach.db"),
            POLL_TIMEOUT="1",
            NO_PROXY="127.0.0.1,localhost",
            **settings,
        )
        self.process: asyncio.subprocess.Process | None = None

    @property
    def db(self) -> Path:
        return Path(self.env["IMVO_COACH_DB"])

    async def start(self) -> None:
        """Start the bot and wait until it polls for updates."""
        polled = len(self.fake.calls_of("getUpdates"))
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                env=self.env,
                cwd=self.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        try:
            await self.fake.wait_for(
                lambda: len(self.fake.calls_of("getUpdates")) > polled, wait=STARTUP_SECONDS
            )
        except TimeoutError:
            raise AssertionError(f"the bot did not start:\n{self.read_log()[-3000:]}") from None

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, like a power cut or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, as Docker sends it; returns the exit code."""
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 15)

    def read_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
