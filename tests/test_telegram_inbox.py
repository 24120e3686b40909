"""Serving from the write-ahead inbox (bot/telegram_inbox.py) with the real engine, the
real PTB stack and the fake Bot API: a poison update, a flood from one user and an
outside lock on the database each leave other users answered within 2 s; updates stored
before a crash are handled after the restart; edited messages get one reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import platform
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Update

from bot.config import BotConfig
from bot.telegram_app import build_application
from bot.telegram_db import close_db_pool, in_thread, limit_malloc_arenas
from bot.telegram_inbox import (
    MAX_HANDLED_AT_ONCE,
    MAX_RESTARTS,
    MAX_TRIES,
    RATE_BURST,
    RateLimiter,
    serve,
    without_unread_parts,
)
from conversations.engine import Engine
from knowledge import KnowledgeBase
from storage import Store
from storage.inbox import ANSWERED, PENDING, SKIPPED, Inbox, InboxItem
from tests.fake_bot_api import FakeBot, FakeBotApi
from tests.fake_bot_api.users import FakeUser

TOKEN = "771177:inbox-test-token"
ANSWER_WITHIN = 2.0  # seconds: the issue's bound for other users' replies


@contextlib.asynccontextmanager
async def serving(
    api: FakeBotApi, fake: FakeBot, engine: Engine, knowledge: KnowledgeBase
) -> AsyncIterator[None]:
    """The bot as `imvo-coach run` serves it (long polling from the inbox), in-process."""
    config = BotConfig(token=TOKEN, api_url=api.base_url, poll_timeout=1, rate_limit=0)
    app = build_application(config, engine, knowledge)
    stop = asyncio.Event()
    polled = len(fake.calls_of("getUpdates"))
    task = asyncio.create_task(serve(app, config, stop, handle_signals=False))
    await fake.wait_for(lambda: len(fake.calls_of("getUpdates")) > polled, wait=10)
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def answered(fake: FakeBot, user: FakeUser, before: int, within: float) -> float:
    """Seconds until ``user`` got a message after the first ``before``; fails after ``within``."""
    started = time.perf_counter()
    await fake.wait_for(lambda: len(user.messages()) > before, wait=within)
    return time.perf_counter() - started


@pytest.fixture
def fake(api: FakeBotApi) -> FakeBot:
    return api.add_bot(TOKEN)


async def test_a_poison_update_is_skipped_and_logged_once(
    api: FakeBotApi,
    fake: FakeBot,
    engine: Engine,
    knowledge: KnowledgeBase,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    bob = fake.user(8801, "Bob")
    async with serving(api, fake, engine, knowledge):
        poison = fake.push("message", {"message_id": 1, "text": "Geheim Poisonbedrijf"})
        bob.send("/help")
        await answered(fake, bob, 0, ANSWER_WITHIN)
        await fake.wait_fetched(poison)
        bob.send("/help")  # and the bot goes on
        await answered(fake, bob, 1, ANSWER_WITHIN)
    skipped = [r.getMessage() for r in caplog.records if "Skipped update" in r.getMessage()]
    assert skipped == [f"Skipped update 771177:{poison}: it failed {MAX_TRIES} times"]
    assert "Poisonbedrijf" not in caplog.text
    assert Inbox(store).state_of(f"771177:{poison}") == SKIPPED


async def test_a_flood_from_one_user_leaves_others_answered(
    api: FakeBotApi, fake: FakeBot, engine: Engine, knowledge: KnowledgeBase, store: Store
) -> None:
    flooder, bob = fake.user(8802, "Flo"), fake.user(8803, "Bob")
    async with serving(api, fake, engine, knowledge):
        for number in range(300):
            flooder.send(f"bericht {number}")
        await asyncio.sleep(0.05)
        bob.send("/help")
        await answered(fake, bob, 0, ANSWER_WITHIN)
        await fake.wait_fetched(flooder.last_update_id, wait=10)
        await fake.wait_for(lambda: len(flooder.messages()) > RATE_BURST, wait=30)
    slow_down = knowledge.text("telegram.too_fast", "nl")
    assert flooder.texts().count(slow_down) == 1
    stored = store._query("SELECT COUNT(*) AS n FROM inbox WHERE user = ?", ["tg:8802"])
    assert stored[0]["n"] <= RATE_BURST + 1  # the excess was never stored


async def test_an_outside_lock_leaves_users_answered(
    api: FakeBotApi,
    fake: FakeBot,
    engine: Engine,
    knowledge: KnowledgeBase,
    store: Store,
    db_path: Path,
) -> None:
    bob = fake.user(8804, "Bob")
    async with serving(api, fake, engine, knowledge):
        outside = sqlite3.connect(db_path, isolation_level=None)
        outside.execute("BEGIN IMMEDIATE")  # e.g. another process writing for seconds
        try:
            bob.send("/help")
            await answered(fake, bob, 0, ANSWER_WITHIN)
            assert bob.texts() == [knowledge.text("telegram.busy", "nl")]
            await asyncio.sleep(2.0)
        finally:
            outside.execute("ROLLBACK")
            outside.close()
        await answered(fake, bob, 1, 10)  # the real answer once the lock is gone
    busy = knowledge.text("telegram.busy", "nl")
    assert bob.texts()[1].startswith(knowledge.text("engine.help", "nl")[:20])
    assert bob.texts().count(busy) == 1


async def test_updates_stored_before_a_crash_are_handled_after_it(
    api: FakeBotApi, fake: FakeBot, engine: Engine, knowledge: KnowledgeBase, store: Store
) -> None:
    bob = fake.user(8805, "Bob")
    # Stored by a run that died before handling it; Telegram was already told.
    raw = {"update_id": 5, "message": bob.compose("/help")}
    Inbox(store).accept([InboxItem("771177:5", "tg:8805", raw)])
    async with serving(api, fake, engine, knowledge):
        await answered(fake, bob, 0, 10)
    assert Inbox(store).state_of("771177:5") == ANSWERED


async def test_an_update_the_bot_keeps_crashing_on_is_skipped(
    api: FakeBotApi,
    fake: FakeBot,
    engine: Engine,
    knowledge: KnowledgeBase,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bob = fake.user(8807, "Bob")
    raw = {"update_id": 6, "message": bob.compose("/help")}
    Inbox(store).accept([InboxItem("771177:6", "tg:8807", raw, tries=MAX_RESTARTS - 1)])
    async with serving(api, fake, engine, knowledge):
        bob.send("/help")  # the next one is handled as usual
        await answered(fake, bob, 0, 10)
    assert Inbox(store).state_of("771177:6") == SKIPPED
    assert f"Skipped update 771177:6: unfinished at {MAX_RESTARTS} restarts" in caplog.text


async def test_an_edited_message_gets_one_reply(
    api: FakeBotApi, fake: FakeBot, engine: Engine, knowledge: KnowledgeBase
) -> None:
    bob = fake.user(8806, "Bob")
    async with serving(api, fake, engine, knowledge):
        message = bob.compose("nee")
        fake.push("edited_message", {**message, "text": "ja", "edit_date": message["date"]})
        await answered(fake, bob, 0, 10)
        await asyncio.sleep(0.3)
    assert bob.texts() == [knowledge.text("telegram.edit_not_read", "nl")]


async def test_updates_handled_at_once_and_the_inbox_each_get_a_database_thread() -> None:
    """Each update being handled keeps a thread until the COMMIT that holds its answer;
    with the inbox's intake and flush besides, all must run at the same time (asyncio's
    default pool has six threads on two cores: updates waited for one)."""
    together = MAX_HANDLED_AT_ONCE + 2
    all_in = threading.Barrier(together, timeout=5)
    await asyncio.gather(*(in_thread(all_in.wait) for _ in range(together)))


async def test_closing_the_database_threads_waits_for_running_work() -> None:
    """At shutdown the store closes after the last database work, not under it."""
    started, finished = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        time.sleep(0.2)
        finished.set()

    running = asyncio.ensure_future(in_thread(slow))
    await asyncio.to_thread(started.wait, 5)
    await asyncio.to_thread(close_db_pool)
    assert finished.is_set()
    await running
    assert await in_thread(lambda: "a new pool") == "a new pool"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_the_heaps_of_the_threads_are_limited_unless_the_operator_chose(monkeypatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not limit_malloc_arenas()
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert limit_malloc_arenas()


def test_the_rate_limiter_allows_a_burst_then_a_steady_pace() -> None:
    limiter = RateLimiter(burst=3, per_minute=60)
    assert [limiter.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now=0.0)  # others are not affected
    assert limiter.allow("a", now=1.0)  # one a second again
    assert not limiter.allow("a", now=1.0)
    assert limiter.warn("a", now=1.0)
    assert not limiter.warn("a", now=2.0)
    limiter.prune(now=100.0)
    assert limiter._buckets == {}
    assert limiter._warned == {}


async def test_pending_rows_count_a_try_per_restart(store: Store) -> None:
    inbox = Inbox(store)
    inbox.accept([InboxItem("1:1", "tg:1", {"update_id": 1})])
    inbox.count_try(["1:1"])
    assert [item.tries for item in inbox.unfinished()] == [1]
    assert inbox.state_of("1:1") == PENDING


async def test_the_webhook_answers_200_only_after_storing(
    api: FakeBotApi,
    fake: FakeBot,
    engine: Engine,
    knowledge: KnowledgeBase,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket

    import aiohttp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = BotConfig(
        token=TOKEN,
        api_url=api.base_url,
        rate_limit=0,
        webhook_url="https://bot.example.org/tg/hook",
        webhook_secret="s3cret",
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    app = build_application(config, engine, knowledge)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, stop, handle_signals=False))
    await fake.wait_for(lambda: bool(fake.webhook["url"]), wait=10)
    assert fake.webhook == {"url": "https://bot.example.org/tg/hook", "secret_token": "s3cret"}
    bob = fake.user(8808, "Bob")
    url = f"http://127.0.0.1:{port}/tg/hook"
    poison = {"update_id": 40, "message": {"message_id": 1, "text": "Geheim Giftbedrijf"}}
    update = {"update_id": 41, "message": bob.compose("/help")}
    right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    statuses, stored = [], []
    try:
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json=update, headers=wrong) as response:
                statuses.append(response.status)
            for body in (poison, update):
                async with session.post(url, json=body, headers=right) as response:
                    statuses.append(response.status)
                    stored.append(Inbox(store).state_of(f"771177:{body['update_id']}"))
        await answered(fake, bob, 0, 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    assert statuses == [403, 200, 200]
    assert None not in stored  # in the inbox before Telegram got its 200
    assert Inbox(store).state_of("771177:40") == SKIPPED  # unreadable: skipped, not refused
    assert Inbox(store).state_of("771177:41") == ANSWERED
    assert "Giftbedrijf" not in caplog.text


def test_answered_updates_keep_no_content_and_only_the_latest_keys(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.inbox

    monkeypatch.setattr(storage.inbox, "FINISHED_KEPT", 10)
    inbox = Inbox(store)
    secret = {"update_id": 1, "message": {"text": "Geheim BV ontslaat bondsleden"}}
    inbox.accept([InboxItem(f"1:{n}", "tg:1", {**secret, "update_id": n}) for n in range(30)])
    inbox.finish([f"1:{n}" for n in range(25)])
    rows = store._query("SELECT key, payload, state FROM inbox ORDER BY rowid", [])
    assert [row["key"] for row in rows] == [f"1:{n}" for n in range(20, 30)]
    assert all(row["payload"] is None for row in rows if row["state"] == ANSWERED)
    assert [item.key for item in inbox.unfinished()] == [f"1:{n}" for n in range(25, 30)]
    assert inbox.accept([InboxItem("1:22", "tg:1", secret)]) == []  # a late redelivery


def test_a_button_press_is_read_without_its_keyboard_and_the_stored_update_kept() -> None:
    """What the handlers read of a press is the same with and without the message's
    keyboard; the inbox's stored payload is not changed."""
    keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "a:q1:yes"}]]}
    message = {
        "message_id": 7,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Anna"},
        "text": "Vraag 1: beleid?",
        "entities": [{"type": "bold", "offset": 0, "length": 7}],
        "reply_markup": keyboard,
    }
    person = {"id": 42, "is_bot": False, "first_name": "Anna", "language_code": "nl"}
    raw = {
        "update_id": 3,
        "callback_query": {
            "id": "9",
            "from": person,
            "chat_instance": "c",
            "message": message,
            "data": "a:q1:yes",
        },
    }
    slim = without_unread_parts(raw)
    assert "reply_markup" not in slim["callback_query"]["message"]
    assert raw["callback_query"]["message"]["reply_markup"] == keyboard
    full, read = (Update.de_json(payload, None).callback_query for payload in (raw, slim))
    assert (read.data, read.message.message_id, read.message.chat.id) == ("a:q1:yes", 7, 42)
    assert read.message.text_html == full.message.text_html == "<b>Vraag 1</b>: beleid?"
    text = {"update_id": 4, "message": {**message, "from": person}}
    assert without_unread_parts(text) is text  # only a press's message loses its keyboard
