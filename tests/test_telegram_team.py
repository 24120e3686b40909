"""Three colleagues fill in one checklist together through the real Telegram stack (PTB
polling the fake Bot API): an invitation link, answers that differ, the summary and every
export format showing the disagreement; a removed member and a stranger with forged
buttons or an old link see nothing."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from bot.config import BotConfig
from bot.telegram_app import build_application
from conversations.engine import Engine
from knowledge import KnowledgeBase, default_knowledge
from storage import Store
from tests.fake_bot_api import FakeBotApi, FakeUser, RunningBot

TOKEN = "616161:team-test"
TALLY = "2× nee, 1× deels"


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture
def running(api: FakeBotApi, knowledge: KnowledgeBase, tmp_path: Path) -> Iterator[tuple]:
    fake = api.add_bot(TOKEN)
    store = Store(tmp_path / "bot.db")
    config = BotConfig(token=TOKEN, api_url=api.base_url, db_path=tmp_path / "bot.db")
    app = build_application(config, Engine(knowledge, store), knowledge)
    yield fake, RunningBot(app, fake), store
    store.close()


async def invite_link(bot: RunningBot, owner: FakeUser) -> str:
    texts = await bot.say(owner, "/invite")
    if "naam" in texts[-1] and "https://t.me/" not in "\n".join(texts):
        texts = await bot.say(owner, "Anna")
    match = re.search(r"https://t\.me/(\w+)\?start=([A-Z0-9]{10})", "\n".join(texts))
    assert match, texts
    return match[2]


async def join_by_link(bot: RunningBot, user: FakeUser, code: str, name: str) -> None:
    # Opening https://t.me/<bot>?start=CODE makes Telegram send "/start CODE".
    texts = await bot.say(user, f"/start {code}")
    assert any("Zoë BV" in t and "Anna" in t for t in texts), texts
    await bot.tap(user, "jy")
    texts = await bot.say(user, name)
    assert any(f"Welkom in het team van Zoë BV, {name}" in t for t in texts), texts


async def test_three_colleagues_fill_in_one_checklist_and_see_where_they_differ(
    running, knowledge: KnowledgeBase
) -> None:
    fake, bot, store = running
    anna = fake.user(2001, "Anna Jansen", "nl")
    bram = fake.user(2002, "Bram", "nl")
    bram.data["username"] = "bram_or"
    cor = fake.user(2003, "Cor", "nl")
    dave = fake.user(2004, "Dave", "nl")
    async with bot:
        await bot.say(anna, "/start")
        await bot.say(anna, "/new")
        await bot.tap(anna, "cl:union")
        await bot.say(anna, "Zoë BV")
        await bot.tap(anna, "cx:")
        await bot.tap(anna, "cx:")
        first = await invite_link(bot, anna)
        await join_by_link(bot, bram, first, "Bram")
        second = await invite_link(bot, anna)
        await join_by_link(bot, cor, second, "Cor")

        await bot.tap(anna, next(d for d in anna.button_data() if d.endswith(":no")))
        await bot.say(bram, "nee joh, een bond? die is hier niet")
        await bot.tap(cor, next(d for d in cor.button_data() if d.endswith(":partly")))

        summary = "\n".join(await bot.say(bram, "/summary"))
        assert TALLY in summary
        assert "Punten om te bespreken" in summary
        assert "Bram: “nee joh, een bond? die is hier niet”" in summary
        assert "Ingevuld door: Anna, Bram, Cor" in summary
        for private in ("Anna Jansen", "bram_or", "2001", "2002"):
            assert private not in summary  # chosen names only, never Telegram's

        for fmt in ("pdf", "docx", "md", "csv", "json"):
            await bot.say(cor, "/export")
            await bot.tap(cor, next(d for d in cor.button_data() if d.endswith(f":{fmt}")))
            _, content = fake.calls_of("sendDocument")[-1].files["document"]
            assert TALLY in text_of(fmt, content), fmt

        # A team works through private chats: in a group the link is refused.
        group = fake.user(2005, "Eva", "nl", chat={"id": -5001, "type": "group", "title": "OR"})
        code = await invite_link(bot, anna)
        texts = await bot.say(group, f"/start {code}")
        assert texts == [
            knowledge.text("telegram.private_only", "nl", bot_username=fake.me["username"])
        ]
        assert store.find_invitation(code) is not None  # still unused
        # An old link, a forged code and a stranger's forged buttons show nothing.
        texts = await bot.say(dave, f"/start {first}")
        assert not any("Zoë BV" in t for t in texts)
        texts = await bot.say(dave, "/join ABCDEFGHJK")
        assert not any("Zoë BV" in t for t in texts)
        assessment = store.list_assessments("tg:2001")[0].id
        for data in (f"sum:{assessment}", f"a:{assessment}:1:yes", f"tm:{assessment}", "jy"):
            before = len(dave.messages())
            await bot.settle(dave.click(dave.buttons()[0], None, data))
            assert not any("Zoë BV" in t for t in dave.texts()[before:]), data

        # The owner removes Cor: Cor's old question buttons and /summary show nothing.
        await bot.say(anna, "/team")
        await bot.press(anna, "Cor verwijderen")
        await bot.tap(anna, "ty:")
        assert store.find_assessment("tg:2003", assessment) is None
        texts = await bot.say(cor, "/summary")
        assert not any("Zoë BV" in t for t in texts)
        # Cor's question buttons from before (one live keyboard: pressed as data).
        for data in (f"a:{assessment}:1:yes", f"sum:{assessment}", f"exp:{assessment}"):
            before = len(cor.messages())
            await bot.settle(cor.click(cor.buttons()[0], None, data))
            assert not any("Zoë BV" in t for t in cor.texts()[before:]), data
        assert len(store.answers_for("tg:2003", assessment)) == 0
    answers = store.team_answers("tg:2001", assessment)
    assert sorted(a.user for a in answers) == ["tg:2001", "tg:2002", "tg:2003"]  # Cor's stays


def text_of(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        pages = PdfReader(io.BytesIO(content)).pages
        return " ".join(" ".join(page.extract_text() for page in pages).split())
    if fmt == "docx":
        document = docx.Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return content.decode("utf-8-sig")
