"""The write-ahead inbox under fire: `imvo-coach run` killed with SIGKILL again and again,
half the time right after getUpdates handed it a batch. Every step of every person gets
its reply; none is lost. benchmarks/crash_soak.py runs the same with 50 kills."""

from __future__ import annotations

from pathlib import Path

from storage import Store
from storage.inbox import HANDLED, PENDING
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api.crashes import crash_run
from tests.fake_bot_api.process import BotProcess

TOKEN = "991199:inbox-crash-token"


async def test_every_step_is_answered_through_random_kills(
    api: FakeBotApi, tmp_path: Path
) -> None:
    fake = api.add_bot(TOKEN)
    bot = BotProcess(
        fake,
        api.base_url,
        tmp_path,
        LOG_LEVEL="WARNING",
        TELEGRAM_RATE_LIMIT="0",
        USER_RATE_LIMIT="0",
    )
    try:
        result = await crash_run(fake, bot, people=6, kills=6)
        assert await bot.stop() == 0
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.kill()
    assert result.lost == (), bot.read_log()[-3000:]
    assert result.kills_at_fetch == 3
    assert result.steps > 30
    with Store(bot.db) as store:
        unfinished = store._query(
            "SELECT COUNT(*) AS n FROM inbox WHERE state IN (?, ?)", [PENDING, HANDLED]
        )
    assert unfinished[0]["n"] == 0
    assert "Traceback" not in bot.read_log()
