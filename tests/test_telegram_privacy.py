"""Privacy through the real stack (PTB polling the fake Bot API, the real engine and
store): the allowlist, /stats for admins, retention at start and daily, forged updates,
other users' assessments out of reach, /forget, and reports sent from memory."""

from __future__ import annotations

import copy
import logging
import os
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import BotConfig
from bot.telegram_access import stats_text
from bot.telegram_app import RETENTION_INTERVAL, build_application
from conversations.engine import Engine
from knowledge import KnowledgeBase
from storage import AnswerRecord, Store
from tests.fake_bot_api import FakeBot, FakeBotApi, FakeUser, RunningBot
from tests.test_privacy_engine import forged_presses

TOKEN = "616161:privacy-test"
COMPANY = "Zwijgstaal BV"


@pytest.fixture
def fake(api: FakeBotApi) -> FakeBot:
    return api.add_bot(TOKEN)


class Bots:
    """Builds Applications on one database; closes every store afterwards."""

    def __init__(self, api: FakeBotApi, fake: FakeBot, knowledge, understanding, db: Path):
        self.api, self.fake, self.knowledge, self.understanding = (
            api,
            fake,
            knowledge,
            understanding,
        )
        self.db = db
        self.stores: list[Store] = []

    @property
    def store(self) -> Store:
        return self.stores[-1]

    def app(self, **settings: object) -> Application:
        settings.setdefault("rate_limit", 0)  # Telegram's 30/s would only slow the tests
        store = Store(self.db)
        self.stores.append(store)
        config = BotConfig(TOKEN, self.api.base_url, self.db, **settings)  # type: ignore[arg-type]
        engine = Engine(self.knowledge, store, self.understanding)
        return build_application(config, engine, self.knowledge)

    def running(self, **settings: object) -> RunningBot:
        return RunningBot(self.app(**settings), self.fake)


@pytest.fixture
def bots(api, fake, knowledge, understanding, tmp_path: Path) -> Iterator[Bots]:
    made = Bots(api, fake, knowledge, understanding, tmp_path / "bot.db")
    yield made
    for store in made.stores:
        store.close()


async def start_checklist(bot: RunningBot, user: FakeUser, name: str = "") -> None:
    """/new, the union checklist, a name (or skipped) and skipped country and sector."""
    await bot.say(user, "/new")
    await bot.tap(user, "cl:union")
    if name:
        await bot.say(user, name)
    else:
        await bot.tap(user, "cx:")
    await bot.tap(user, "cx:")
    await bot.tap(user, "cx:")


async def answer(bot: RunningBot, user: FakeUser, stance: str) -> None:
    data = next(d for d in user.button_data() if d.startswith("a:") and d.endswith(stance))
    await bot.tap(user, data)


def rows_mentioning(store: Store, text: str) -> list[tuple[str, dict]]:
    return [
        (table, row)
        for table in store.db.table_names()
        for row in store.db[table].rows
        if text in str(row.values())
    ]


async def test_the_allowlist_refuses_politely_and_stores_nothing(
    bots: Bots, fake: FakeBot, knowledge: KnowledgeBase
) -> None:
    anna, admin = fake.user(1001, "Anna", "nl"), fake.user(42, "Root", "en")
    stranger, visitor = fake.user(2002, "Sanne", "nl"), fake.user(2003, "Sam", "en-US")
    async with bots.running(
        allowed_user_ids=frozenset({1001}), admin_user_ids=frozenset({42})
    ) as bot:
        await start_checklist(bot, anna)
        await bot.say(admin, "/start")
        refusal = [knowledge.text("telegram.not_allowed", "nl")]
        assert await bot.say(stranger, "/start") == refusal
        # Told once; later messages and forged presses are dropped without a word.
        assert await bot.say(stranger, "Ik werk bij Geheim BV en wij hebben geen OR") == []
        refusal_message = copy.deepcopy(stranger.messages()[-1])
        refusal_message["reply_markup"] = anna.messages()[-1]["reply_markup"]  # a forged press
        await bot.settle(stranger.click(anna.buttons()[0], refusal_message, anna.button_data()[0]))
        await bot.settle(stranger.click(anna.buttons()[0], anna.messages()[-1]))  # Anna's chat
        assert stranger.texts() == refusal
        assert await bot.say(visitor, "hello") == [knowledge.text("telegram.not_allowed", "en")]
    assert fake.open_queries == set()  # the stranger's press was answered too
    store = bots.store
    assert {row["id"] for row in store.db["users"].rows} == {"tg:1001", "tg:42"}
    assert rows_mentioning(store, "2002") == rows_mentioning(store, "2003") == []
    assert store.list_assessments("tg:1001")  # the allowed user works as usual


async def test_stats_are_counts_for_admins_and_unknown_to_others(
    bots: Bots, fake: FakeBot, knowledge: KnowledgeBase
) -> None:
    anna, admin = fake.user(1001, "Anna", "nl"), fake.user(42, "Root", "nl")
    async with bots.running(admin_user_ids=frozenset({42}), retention_days=90) as bot:
        await start_checklist(bot, anna, name=COMPANY)
        await answer(bot, anna, ":no")
        await answer(bot, anna, ":yes")
        shown = await bot.say(admin, "/stats")
        not_for_anna = await bot.say(anna, "/stats")
    expected = stats_text(knowledge, bots.store.counts(), "nl", 90)
    assert shown == [expected]
    assert (
        "Gebruikers: 1\nChecklists: 1 (1 bezig, 0 gepauzeerd, 0 klaar)\nAntwoorden: 2" in expected
    )
    assert "• Vakbondsvrijheid: 1 checklists, 2 antwoorden" in expected
    assert "90 dagen" in expected
    assert COMPANY not in expected
    assert not_for_anna[0].startswith("/stats ken ik niet.")
    assert bots.store.get_user("tg:42") is None  # /stats stored nothing about the admin


async def test_retention_runs_at_start_and_then_daily(
    bots: Bots, fake: FakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    with Store(bots.db) as setup:
        for user in ("tg:1", "tg:2"):
            setup.add_user(user, "nl")
            assessment = setup.create_assessment(user, "union")
            setup.save_answer(user, assessment.id, AnswerRecord("union.present", "Nee", "no"))
        with setup.transaction():
            setup.db.execute(
                "UPDATE assessments SET updated = '2020-01-01T00:00:00+00:00' WHERE user = 'tg:1'"
            )
    app = bots.app(retention_days=30)
    with caplog.at_level(logging.INFO):
        async with RunningBot(app, fake):
            jobs = [job for job in app.job_queue.jobs() if job.name == "purge"]
            assert [job.job.trigger.interval for job in jobs] == [
                timedelta(seconds=RETENTION_INTERVAL)
            ]
            assert bots.store.list_assessments("tg:1") == []
            assert len(bots.store.list_assessments("tg:2")) == 1
    assert "Retention (30 days): deleted 1 assessments, 1 answers, 0 positions, 0 users" in (
        caplog.text
    )


async def test_a_private_chat_update_from_someone_else_is_dropped(
    bots: Bots, fake: FakeBot
) -> None:
    anna = fake.user(1001, "Anna", "nl")
    intruder = fake.user(2002, "Eve", "nl", chat=anna.chat)  # Anna's chat, Eve as sender
    async with bots.running() as bot:
        await bot.say(anna, "/start")
        shown = len(anna.messages())
        await bot.settle(intruder.send("/forget"))
        await bot.settle(intruder.send("ja"))
        assert len(anna.messages()) == shown
    assert bots.store.get_user("tg:2002") is None
    assert bots.store.get_user("tg:1001") is not None


async def test_another_users_assessments_are_out_of_reach(bots: Bots, fake: FakeBot) -> None:
    anna, bob = fake.user(1001, "Anna", "nl"), fake.user(1002, "Bob", "en")
    async with bots.running() as bot:
        await start_checklist(bot, anna, name=COMPANY)
        await answer(bot, anna, ":no")
        await start_checklist(bot, bob, name="Bob Ltd")
        store = bots.store
        (target,) = store.list_assessments("tg:1001")
        before = (
            target,
            store.answer_history("tg:1001", target.id),
            store.load_position("tg:1001"),
        )
        own_keyboard = copy.deepcopy(bob.messages()[-1])  # as it was, with its buttons
        label = bob.buttons(own_keyboard)[0]
        for data in forged_presses(target.id, target.position):
            await bot.settle(bob.click(label, own_keyboard, data))
        await bot.say(bob, "/resume 1")
        await bot.say(bob, f"/edit {target.id}")
    after = (
        store.assessment("tg:1001", target.id),
        store.answer_history("tg:1001", target.id),
        store.load_position("tg:1001"),
    )
    assert after == before
    assert not [text for text in bob.texts() if "Zwijgstaal" in text]
    assert not [c for c in fake.calls_of("sendDocument") if c.params["chat_id"] == 1002]


async def test_forget_deletes_every_row_of_the_user(bots: Bots, fake: FakeBot) -> None:
    anna, bob = fake.user(1001, "Anna", "nl"), fake.user(1002, "Bob", "en")
    async with bots.running() as bot:
        await start_checklist(bot, anna, name=COMPANY)
        await answer(bot, anna, ":no")
        await start_checklist(bot, bob)
        await bot.say(anna, "/vergeet")
        await bot.tap(anna, "fy")
    assert anna.texts()[-1].startswith("Alles is gewist.")
    store = bots.store
    assert rows_mentioning(store, "tg:1001") == []
    assert rows_mentioning(store, "Zwijgstaal") == []
    assert rows_mentioning(store, "tg:1002")  # Bob's data stays


def listing(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


_WRITES: list[tuple[str, object]] = []
_WATCHING: list[bool] = [False]


def _audit(event: str, args: tuple) -> None:
    """Records every file opened for writing while a test watches (Python-level opens)."""
    if not _WATCHING[0] or event != "open":
        return
    path, mode, flags = [*args, None, None, None][:3]
    writes = bool(mode and any(c in str(mode) for c in "wax+"))
    writes |= bool(isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writes:
        _WRITES.append((str(path), mode))


sys.addaudithook(_audit)


async def test_reports_are_sent_from_memory_and_never_written_to_disk(
    bots: Bots, fake: FakeBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = fake.user(1001, "Anna", "nl")
    monkeypatch.chdir(tmp_path)
    async with bots.running() as bot:
        await start_checklist(bot, anna, name=COMPANY)
        await answer(bot, anna, ":no")
        formats = ("pdf", "docx", "md", "csv", "json")
        files_before = listing(tmp_path)
        _WRITES.clear()
        _WATCHING[0] = True
        try:
            for fmt in formats:
                await bot.say(anna, "/export")
                data = next(d for d in anna.button_data() if d.endswith(f":{fmt}"))
                await bot.tap(anna, data)
        finally:
            _WATCHING[0] = False
    assert _WRITES == []
    assert listing(tmp_path) == files_before
    documents = fake.calls_of("sendDocument")
    assert [Path(c.files["document"][0]).suffix for c in documents] == [f".{f}" for f in formats]
    assert all(content for _, content in (c.files["document"] for c in documents))
