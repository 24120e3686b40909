"""Serving Telegram from the write-ahead inbox: nothing fetched is lost in a crash.

PTB's own Updater tells Telegram an update arrived (by asking for the next offset)
before it has handled it; a crash in between loses it. Here every update is stored in
the inbox (storage/inbox.py) first, and only then acknowledged (with a webhook: answered
200, see telegram_webhook.py):

    getUpdates(offset) -> rate limit per user -> inbox.accept (one transaction)
        -> offset moves on (the next getUpdates tells Telegram) -> per-user queue
        -> PTB parses and handles it (engine effects + "handled" in one transaction)
        -> replies sent -> "answered"

After a restart every unfinished update is handled again, oldest first. Each user's
updates run in order on a queue of their own; different users run at once. An update
PTB cannot read is tried ``MAX_TRIES`` times, then skipped and logged once, without its
content; so is one still unfinished after ``MAX_RESTARTS`` restarts (the bot kept
crashing on it). A user who sends more than ``RATE_BURST`` messages at once (then
USER_RATE_LIMIT a minute) is told to slow down; the excess is not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import warnings
from collections import deque
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.config import DEFAULT_USER_RATE_LIMIT, BotConfig
from bot.telegram_app import ALLOWED_UPDATES, TelegramBot
from bot.telegram_db import close_db_pool, in_thread, set_lock_wait
from bot.telegram_render import language_from_code
from bot.telegram_send import safe
from bot.telegram_webhook import start_webhook_server
from documents import render_worker
from storage import Store
from storage.inbox import SKIPPED, Inbox, InboxItem

logger = logging.getLogger(__name__)
# getUpdates is called raw on purpose: Bot.get_updates parses the whole batch, so one
# update PTB cannot read would fail every fetch and stall every user.
warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)

MAX_TRIES = 3  # an update PTB fails to read or handle this often is skipped
MAX_RESTARTS = 10  # an update unfinished at this many restarts is skipped (a crash loop)
RATE_BURST = 20  # messages one user may send at once
RATE_PER_MINUTE = DEFAULT_USER_RATE_LIMIT  # then this many a minute (USER_RATE_LIMIT)
POLL_RETRY_PAUSE = 1.0  # seconds after a network error, doubling up to POLL_RETRY_MAX
POLL_RETRY_MAX = 30.0
PRUNE_INTERVAL = 60.0  # seconds between forgetting users the rate limiter no longer needs
# Users handled at the same moment; the others wait their turn. More than the HTTP
# connections (CONNECTION_POOL_SIZE): an update spends most of its turn in the engine and
# waiting for the COMMIT it shares with others, not sending. benchmarks/load.py, runs
# taken in turns: 12 at once against 8 gave 1-18% more updates a second (three pairs),
# 16 against 12 another 2-4% (three pairs). Each needs a database thread (DB_THREADS).
MAX_HANDLED_AT_ONCE = 16
STOP_GRACE = 10.0  # seconds running updates may take to finish at shutdown


class RateLimiter:
    """A token bucket per user: ``RATE_BURST`` at once, then ``RATE_PER_MINUTE``."""

    def __init__(self, burst: int = RATE_BURST, per_minute: int = RATE_PER_MINUTE) -> None:
        self.burst = burst
        self.per_second = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, at)
        self._warned: dict[str, float] = {}  # user -> when told to slow down

    def allow(self, user: str, now: float | None = None) -> bool:
        """Take one message from ``user``'s bucket; False when it is empty."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(user, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        if tokens < 1.0:
            self._buckets[user] = (tokens, now)
            return False
        self._buckets[user] = (tokens - 1.0, now)
        return True

    def warn(self, user: str, now: float | None = None) -> bool:
        """True the first time in a minute that ``user`` is over the limit."""
        now = time.monotonic() if now is None else now
        if now - self._warned.get(user, -60.0) < 60.0:
            return False
        self._warned[user] = now
        return True

    def prune(self, now: float | None = None) -> None:
        """Forget users whose bucket is full again (memory stays bounded)."""
        now = time.monotonic() if now is None else now
        full_after = self.burst / self.per_second
        for user in [u for u, (_, at) in self._buckets.items() if now - at > full_after]:
            del self._buckets[user]
        for user in [u for u, at in self._warned.items() if now - at > 60.0]:
            del self._warned[user]


def sender_of(raw: dict[str, Any]) -> tuple[str, int | None, str | None]:
    """(inbox user key, private chat id or None, language code) of a raw update."""
    for kind in ("message", "edited_message", "callback_query"):
        body = raw.get(kind)
        if not isinstance(body, dict):
            continue
        person = body.get("from") if isinstance(body.get("from"), dict) else {}
        chat = body.get("chat") if isinstance(body.get("chat"), dict) else {}
        if kind == "callback_query":
            message = body.get("message") if isinstance(body.get("message"), dict) else {}
            chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        who = person.get("id", chat.get("id"))
        if isinstance(who, int):
            private = chat.get("id") if chat.get("type") == "private" else None
            return f"tg:{who}", private, person.get("language_code")
    return "tg:?", None, None


def without_unread_parts(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` without the keyboard of a pressed button's message, which the bot never
    reads: PTB makes an object of every button, about 40% of the time it takes to read a
    button press (measured with the crowd's updates)."""
    query = raw.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict) or "reply_markup" not in message:
        return raw
    slim = {key: value for key, value in message.items() if key != "reply_markup"}
    return {**raw, "callback_query": {**query, "message": slim}}


class InboxRunner:
    """Fetches, stores and handles the updates of one bot."""

    def __init__(self, app: Application, adapter: TelegramBot, store: Store) -> None:
        self.app = app
        self.adapter = adapter
        self.inbox = Inbox(store)
        adapter.inbox = self.inbox
        set_lock_wait(store.db.conn)
        per_minute = adapter.config.user_rate_limit
        self.limiter = RateLimiter(per_minute=per_minute) if per_minute else None
        self.bot_id = adapter.bot_id
        self._queues: dict[str, deque[InboxItem]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._answered: list[str] = []
        self._flush_wanted = asyncio.Event()
        self._closed = False  # set by drain: the flusher ends once all is marked
        self._pruned = time.monotonic()
        self._slots = asyncio.Semaphore(MAX_HANDLED_AT_ONCE)

    # -- intake ---------------------------------------------------------------------------
    async def accept(self, raw_updates: list[Any]) -> None:
        """Store the updates (within the rate limit) and queue the new ones for handling."""
        items: list[InboxItem] = []
        if self.limiter is not None and time.monotonic() - self._pruned > PRUNE_INTERVAL:
            self._pruned = time.monotonic()
            self.limiter.prune()
        for raw in raw_updates:
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                logger.warning("Ignored an update without an update_id")
                continue
            user, chat, language = sender_of(raw)
            if self.limiter is not None and not self.limiter.allow(user):
                await self._too_fast(raw, user, chat, language)
                continue
            items.append(InboxItem(f"{self.bot_id}:{raw['update_id']}", user, raw))
        if not items:
            return

        async def busy() -> None:
            for item in items:
                _, chat, language = sender_of(item.payload)
                if chat is not None:
                    await self.adapter.tell_busy(self.app.bot, chat, self._language(language))

        for item in await in_thread(lambda: self.inbox.accept(items), busy):
            self.dispatch(item)

    async def _too_fast(
        self, raw: dict[str, Any], user: str, chat: int | None, language: str | None
    ) -> None:
        query = raw.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str):
            await safe(self.app.bot.answer_callback_query(query["id"]), "answer button")
        if chat is not None and self.limiter is not None and self.limiter.warn(user):
            logger.info("Too many messages from %s; not read", self.adapter.user_tag(chat))
            text = self.adapter.knowledge.text("telegram.too_fast", self._language(language))
            await safe(self.app.bot.send_message(chat, text), "too-fast notice")

    def _language(self, code: str | None) -> str:
        return language_from_code(code, self.adapter.config.default_language)

    async def poll(self, stop: asyncio.Event, poll_seconds: int) -> None:
        """Long-poll getUpdates until ``stop``; the offset moves on only after storing."""
        offset = 0
        pause = POLL_RETRY_PAUSE
        await self.app.bot.delete_webhook()
        while not stop.is_set():
            try:
                raw = await self.app.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": poll_seconds,
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                    read_timeout=poll_seconds + 10,
                )
            except InvalidToken:
                raise
            except (NetworkError, TelegramError) as error:
                logger.warning("getUpdates failed, trying again in %.0f s: %s", pause, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, POLL_RETRY_MAX)
                continue
            pause = POLL_RETRY_PAUSE
            if not isinstance(raw, list) or not raw:
                continue
            await self.accept(raw)
            ids = [u["update_id"] for u in raw if isinstance(u, dict)]
            ids = [i for i in ids if isinstance(i, int)]
            if ids:
                offset = max(offset, max(ids) + 1)

    # -- handling ---------------------------------------------------------------------------
    async def recover(self) -> None:
        """Queue every update a previous run stored but did not finish (a try each)."""
        items = await in_thread(self.inbox.unfinished)
        if not items:
            return
        await in_thread(lambda: self.inbox.count_try([item.key for item in items]))
        logger.info("Handling %d updates received before the restart", len(items))
        for item in items:
            if item.tries + 1 >= MAX_RESTARTS:
                logger.warning(
                    "Skipped update %s: unfinished at %d restarts", item.key, item.tries + 1
                )
                await in_thread(lambda key=item.key: self.inbox.finish([key], SKIPPED))
                continue
            self.dispatch(item)

    def dispatch(self, item: InboxItem) -> None:
        """Queue ``item`` behind the same user's earlier updates."""
        queue = self._queues.get(item.user)
        if queue is not None:
            queue.append(item)
            return
        self._queues[item.user] = deque([item])
        worker = asyncio.get_running_loop().create_task(self._work(item.user))
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _work(self, user: str) -> None:
        queue = self._queues[user]
        try:
            while queue:
                async with self._slots:
                    await self._handle(queue[0])
                queue.popleft()
        finally:
            del self._queues[user]

    async def _handle(self, item: InboxItem) -> None:
        for attempt in range(1, MAX_TRIES + 1):
            try:
                update = Update.de_json(without_unread_parts(item.payload), self.app.bot)
                await self.app.process_update(update)
            except Exception as error:  # PTB could not read it: try again, then skip
                logger.debug("Update %s failed (try %d): %r", item.key, attempt, error)
                continue
            self._finished(item.key)
            return
        logger.warning("Skipped update %s: it failed %d times", item.key, MAX_TRIES)
        await in_thread(lambda: self.inbox.finish([item.key], SKIPPED))

    def _finished(self, key: str) -> None:
        self._answered.append(key)
        self._flush_wanted.set()

    async def flush(self) -> None:
        """Mark answered updates, many in one transaction when many finish at once;
        returns after ``drain`` once everything is marked."""
        while not (self._closed and not self._answered):
            if not self._answered:
                await self._flush_wanted.wait()
            self._flush_wanted.clear()
            keys, self._answered = self._answered, []
            if keys:
                await in_thread(lambda keys=keys: self.inbox.finish(keys))

    async def drain(self) -> None:
        """Let running updates finish (at shutdown); the rest wait in the inbox."""
        for queue in self._queues.values():
            while len(queue) > 1:
                queue.pop()
        if self._workers:
            await asyncio.wait(set(self._workers), timeout=STOP_GRACE)
        self._closed = True
        self._flush_wanted.set()


def run(app: Application, config: BotConfig) -> None:
    """Serve until SIGINT/SIGTERM: a webhook when WEBHOOK_URL is set, else long polling."""
    # uvloop (libuv) runs the event loop's networking in C: a large share of the bot's CPU
    # under load went to asyncio's own Python code. Where it is missing, plain asyncio.
    try:
        import uvloop
    except ImportError:
        uvloop = None
    # PDF and Word files are made in a worker process: the bot itself stays small
    with render_worker.worker_process():
        try:
            if uvloop is None:
                asyncio.run(serve(app, config))
            else:
                uvloop.run(serve(app, config))
        finally:
            close_db_pool()


async def serve(
    app: Application,
    config: BotConfig,
    stop: asyncio.Event | None = None,
    *,
    handle_signals: bool = True,
) -> None:
    """Start ``app`` (built by build_application with a store), serve from the inbox until
    ``stop`` is set (or SIGINT/SIGTERM), then stop cleanly."""
    adapter: TelegramBot = app.bot_data["adapter"]
    if adapter.store is None:
        raise ValueError("serving from the inbox needs a store")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM) if handle_signals else ():
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal_number, stop.set)
    runner = InboxRunner(app, adapter, adapter.store)
    try:
        await app.initialize()
    except BaseException:
        await app.bot.shutdown()  # close the HTTP sessions opened before getMe failed
        raise
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        flusher = asyncio.create_task(runner.flush())
        await runner.recover()
        if config.webhook_url:
            logger.info("Starting the webhook server on port %d", config.webhook_port)
            server = start_webhook_server(
                runner.accept,
                config.webhook_listen,
                config.webhook_port,
                config.webhook_path,
                config.webhook_secret or "",
            )
            await app.bot.set_webhook(
                config.webhook_url,
                secret_token=config.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            await stop.wait()
            server.stop()
        else:
            logger.info("Starting long polling")
            poller = asyncio.create_task(runner.poll(stop, config.poll_timeout))
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({poller, stopped}, return_when=asyncio.FIRST_COMPLETED)
            poller.cancel()
            stopped.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller  # raises what ended it (a rejected token)
        stop.set()
        await runner.drain()
        await asyncio.wait_for(flusher, STOP_GRACE)
    finally:
        stop.set()
        if app.running:
            await app.stop()
        await app.shutdown()
