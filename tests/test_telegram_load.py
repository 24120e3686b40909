"""Many people at once through `imvo-coach run` as its own process: no answer lost,
doubled or crossed, and reports exported without the bot growing. A smaller version of
benchmarks/load.py (which runs 500)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from knowledge import KnowledgeBase
from storage import Store
from tests.fake_bot_api import FakeBotApi
from tests.fake_bot_api.crowd import Crowd
from tests.fake_bot_api.process import BotProcess

TOKEN = "990099:load-test-token"
PEOPLE = 50
ANSWERS = 6


async def test_fifty_people_at_once_lose_and_cross_nothing(
    api: FakeBotApi, tmp_path: Path, knowledge: KnowledgeBase
) -> None:
    fake = api.add_bot(TOKEN)
    # No flood-control limiter: this measures the bot, not Telegram's 30 messages/s.
    bot = BotProcess(fake, api.base_url, tmp_path, LOG_LEVEL="WARNING", TELEGRAM_RATE_LIMIT="0")
    crowd = Crowd(fake, PEOPLE, ANSWERS)
    await bot.start()
    try:
        result = await crowd.run()
        # three of them take their report home as PDF and Word, made by the render worker
        await asyncio.gather(*(person.export(("pdf", "docx")) for person in crowd.people[:3]))
        assert bot.process is not None
        assert not _loaded(bot.process.pid, "lxml")  # python-docx's XML library: not here
    finally:
        code = await bot.stop()
    assert code == 0, bot.read_log()[-3000:]
    assert bot.read_log() == ""  # not one warning
    questions = [q.id for q in knowledge.checklist("union").questions]
    with Store(bot.db) as store:
        assert crowd.check(store, questions) == []
        assert store.counts().answers == PEOPLE * ANSWERS
    assert result.updates == PEOPLE * (5 + ANSWERS)
    assert [c.error for c in fake.calls if c.error] == []
    names = [c.files["document"][0] for c in fake.calls_of("sendDocument")]
    assert sorted(name.rsplit(".", 1)[1] for name in names) == ["docx"] * 3 + ["pdf"] * 3


def _loaded(pid: int, library: str) -> bool:
    """Whether the process ``pid`` has a shared library of ``library`` mapped (Linux)."""
    maps = Path(f"/proc/{pid}/maps")
    return maps.exists() and f"/{library}/" in maps.read_text()
