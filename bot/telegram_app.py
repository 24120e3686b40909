"""The Telegram adapter: Updates become engine Events, engine Replies become messages.

The engine (``conversations/``) decides everything and keeps the dialogue position in
SQLite, so this module holds no conversation state of its own and a restarted bot
resumes every chat. In production updates come from the write-ahead inbox
(telegram_inbox.py): different users at once, each user's updates in order, because each
answer depends on the position the previous one left. Database work runs in a worker
thread (telegram_db.py), never on the event loop.

Handlers, first match wins (after the access gate, see telegram_access.py)::

    not on ALLOWED_USER_IDS               -> one polite refusal, nothing stored
    group/channel: command or bot added  -> "private chats only", nothing else
    private: /stats from an admin         -> counts only (others: an unknown command)
    private: /command (English or Dutch alias) -> Event(COMMAND)
    private: other /word                  -> Event(TEXT): the engine names it unknown
    private: text                         -> Event(TEXT)
    private: photo, voice, sticker, ...   -> "I can only read text"
    private: an edited message            -> "edits are not read; send it again"
    button press                          -> answer, Event(CHOICE), mark the question answered

Each event carries the update_id, so an update Telegram delivers twice (after a crash,
or a webhook retry) changes nothing the second time. A daily job (and one at start)
deletes what was untouched for RETENTION_DAYS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Protocol

from telegram import BotCommand, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import BotConfig
from bot.telegram_access import AccessGate, stats_text
from bot.telegram_db import in_thread
from bot.telegram_logging import UserHasher, quiet_request_logs
from bot.telegram_render import language_from_code
from bot.telegram_send import ChatSender, is_not_modified, raw_call, safe
from bot.telegram_transport import AiohttpRequest
from conversations.commands import COMMANDS, DUTCH_ALIASES, command_name
from conversations.events import Event, EventKind, Reply
from knowledge.loader import KnowledgeBase
from storage import Store
from storage.inbox import Inbox

logger = logging.getLogger(__name__)

# The commands in Telegram's menu, in this order, described by UI text telegram.command.<name>.
# fmt: off
MENU_COMMANDS = (
    "start", "help", "new", "list", "summary", "export", "documents", "invite", "team",
    "language", "stop",
    "forget",
)
# fmt: on
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
HEARTBEAT_INTERVAL = 30  # seconds; the Docker HEALTHCHECK allows 120 without a touch
RATE_LIMIT_RETRIES = 3  # RetryAfter (flood control) is retried by AIORateLimiter
RETENTION_INTERVAL = 24 * 60 * 60  # seconds between retention purges
CHAT_DATA_IDLE = 60 * 60  # seconds: PTB's chat_data of a chat idle this long is dropped
PRUNE_INTERVAL = 10 * 60  # seconds between chat_data prunes
CONNECTION_POOL_SIZE = 8  # HTTP connections to the Bot API for sending
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection
BUSY_NOTICE_INTERVAL = 60.0  # seconds: "one moment, I am busy" at most this often per chat


class DialogueEngine(Protocol):
    """What the adapter needs from conversations.engine.Engine."""

    def handle(self, event: Event) -> list[Reply]: ...


class TelegramBot:
    """Routes one bot's updates to the engine and sends the replies back."""

    def __init__(
        self,
        engine: DialogueEngine,
        knowledge: KnowledgeBase,
        config: BotConfig,
        store: Store | None = None,
    ) -> None:
        self.engine = engine
        self.knowledge = knowledge
        self.config = config
        # For /stats and retention; by default the engine's own store.
        self.store: Store | None = store or getattr(engine, "store", None)
        self.user_tag = UserHasher(config.log_salt)
        self.gate = AccessGate(config, knowledge, self.user_tag)
        self.bot_id = config.token.split(":", 1)[0] if config.token else "bot"
        # Set by the write-ahead runner: handled updates are marked with their effects.
        self.inbox: Inbox | None = None
        self.last_seen: dict[int, float] = {}  # chat id -> monotonic time of its last update
        self._busy_told: dict[int, float] = {}  # chat id -> when "I am busy" was sent

    # -- wiring ---------------------------------------------------------------------------
    def register(self, app: Application) -> None:
        """Add every handler and the error handler to ``app``."""
        new_messages = filters.UpdateType.MESSAGE  # edited messages are ignored on purpose
        private = filters.ChatType.PRIVATE & new_messages
        elsewhere = ~filters.ChatType.PRIVATE & new_messages
        names = [*COMMANDS, *DUTCH_ALIASES]  # other /words reach the engine as text
        app.add_handler(TypeHandler(Update, self.seen), group=-2)
        app.add_handler(TypeHandler(Update, self.gate.check), group=-1)
        app.add_handlers(
            [
                MessageHandler(
                    elsewhere & (filters.COMMAND | filters.StatusUpdate.NEW_CHAT_MEMBERS),
                    self.on_group,
                ),
                CommandHandler("stats", self.on_stats, filters=private),
                CommandHandler(names, self.on_command, filters=private),
                MessageHandler(private & filters.TEXT, self.on_text),
                MessageHandler(private & filters.ATTACHMENT, self.on_non_text),
                MessageHandler(
                    filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE, self.on_edited
                ),
                CallbackQueryHandler(self.on_button),
            ]
        )
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Register the command menu in Dutch and English (the default for other languages),
        and give the engine the bot's invitation link (its username comes from getMe)."""
        if app.bot.username and hasattr(self.engine, "invite_link"):
            # A deep link: Telegram opens the chat and sends "/start CODE" for the user.
            self.engine.invite_link = f"https://t.me/{app.bot.username}?start={{code}}"
        for language_code, language in (("", "en"), ("nl", "nl")):
            commands = [
                BotCommand(name, self.knowledge.text(f"telegram.command.{name}", language))
                for name in MENU_COMMANDS
            ]
            try:
                await app.bot.set_my_commands(commands, language_code=language_code or None)
            except TelegramError as error:  # the menu is a convenience, not worth dying for
                logger.warning("Could not set the %s command menu: %s", language, error)
        if self.config.heartbeat_file and app.job_queue is not None:
            # Touch once now: a job due before the JobQueue starts would count as missed.
            await self.heartbeat(None)
            app.job_queue.run_repeating(self.heartbeat, HEARTBEAT_INTERVAL)
        if self.store is not None and app.job_queue is not None:
            await self.purge(None)  # once at start, then daily
            app.job_queue.run_repeating(self.purge, RETENTION_INTERVAL, first=RETENTION_INTERVAL)
        if app.job_queue is not None:
            app.job_queue.run_repeating(self.prune_chat_data, PRUNE_INTERVAL, first=PRUNE_INTERVAL)

    async def seen(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Note when each chat was last active (for pruning PTB's in-memory chat_data)."""
        if isinstance(update, Update) and update.effective_chat is not None:
            self.last_seen.pop(update.effective_chat.id, None)
            self.last_seen[update.effective_chat.id] = time.monotonic()

    async def prune_chat_data(
        self, context: ContextTypes.DEFAULT_TYPE, *, idle: float = CHAT_DATA_IDLE
    ) -> int:
        """Drop PTB's chat_data of chats idle for ``idle`` seconds; returns how many.

        It only holds the open question's message id: after pruning, an old keyboard
        stays visible, and the engine refuses a press on it as it does after a restart.
        """
        cutoff = time.monotonic() - idle
        for chat in [chat for chat, seen in self.last_seen.items() if seen < cutoff]:
            del self.last_seen[chat]
            self._busy_told.pop(chat, None)
        application = context.application
        dropped = [chat for chat in list(application.chat_data) if chat not in self.last_seen]
        for chat in dropped:
            application.drop_chat_data(chat)
        return len(dropped)

    async def tell_busy(self, bot: Any, chat_id: int, language: str) -> None:
        """Tell a user whose message waits for a locked database that it arrived."""
        now = time.monotonic()
        if now - self._busy_told.get(chat_id, -BUSY_NOTICE_INTERVAL) < BUSY_NOTICE_INTERVAL:
            return
        self._busy_told[chat_id] = now
        text = self.knowledge.text("telegram.busy", language)
        await safe(ChatSender(bot, chat_id, {}).text(text), "busy notice")

    async def purge(self, context: ContextTypes.DEFAULT_TYPE | None) -> None:
        """Delete what was untouched for RETENTION_DAYS; log the counts only."""
        if self.store is None:
            return
        store = self.store
        try:
            counts = await in_thread(lambda: store.purge_untouched(self.config.retention_days))
        except Exception:  # a locked or broken database must not stop the bot
            logger.exception("Retention purge failed")
            return
        logger.info(
            "Retention (%d days): deleted %d assessments, %d answers, %d positions, %d users",
            self.config.retention_days,
            counts.assessments,
            counts.answers,
            counts.positions,
            counts.users,
        )

    async def heartbeat(self, context: ContextTypes.DEFAULT_TYPE | None) -> None:
        """Touch the heartbeat file the container's HEALTHCHECK watches."""
        path = self.config.heartbeat_file
        if path is None:
            return
        try:
            await asyncio.to_thread(Path(path).touch)
        except OSError as error:
            logger.warning("Cannot touch heartbeat file %s: %s", path, error)

    # -- handlers -------------------------------------------------------------------------
    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sends a /command (or its Dutch alias) to the engine."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        name = command_name(message.text.split()[0])
        argument = " ".join(context.args or ())
        logger.info("Command /%s from %s", name, self._tag(update))
        await self._run(update, context, self._event(update, EventKind.COMMAND, name, argument))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sends an admin the counts; for anyone else /stats is an unknown command."""
        user = update.effective_user
        if user is None or user.id not in self.config.admin_user_ids or self.store is None:
            await self.on_text(update, context)
            return
        logger.info("Stats for admin %s", self._tag(update))
        language = await self._language(update)
        counts = await in_thread(self.store.counts)
        text = stats_text(self.knowledge, counts, language, self.config.retention_days)
        chat = update.effective_chat
        assert chat is not None
        await ChatSender(context.bot, chat.id, context.chat_data).text(text)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sends typed text (an answer, a question, an unknown /word) to the engine."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        # Never the text itself: OR members write about their employer.
        logger.info("Text (%d chars) from %s", len(message.text), self._tag(update))
        await self._run(update, context, self._event(update, EventKind.TEXT, message.text))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answers the press at once, sends the choice to the engine, closes the question."""
        query = update.callback_query
        assert query is not None
        # the spinner on the phone stops while the engine works
        answering = asyncio.ensure_future(
            safe(
                raw_call(context.bot, "answerCallbackQuery", callback_query_id=query.id),
                "answer button",
            )
        )
        try:
            chat = update.effective_chat
            if chat is None or chat.type != ChatType.PRIVATE:
                return  # we never send buttons elsewhere; a forged press gets nothing
            logger.info("Button from %s", self._tag(update))
            event = self._event(update, EventKind.CHOICE, query.data or "")
            replies = await self._handle(event, context.bot, chat.id)
            sender = ChatSender(context.bot, chat.id, context.chat_data)
            message = query.message
            closing = None
            if isinstance(message, Message):  # not too old for Telegram to show it to us
                if message.text:
                    label = _answered(replies)
                    closing = sender.closing(
                        message.message_id, message.text_html, message.text, label
                    )
                else:  # a file with buttons: no text to add the answer to
                    closing = sender.closing(message.message_id, "", "", None)
            await sender.answer(replies, closing)
        finally:
            await answering

    async def on_non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Explains that photos, voice messages, stickers and files cannot be read."""
        logger.info("Non-text message from %s", self._tag(update))
        await self._say(update, context, "telegram.only_text")

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Explains that an edited message is not read again (the answer stays as sent)."""
        logger.info("Edited message from %s", self._tag(update))
        await self._say(update, context, "telegram.edit_not_read")

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Explains, in a group, that the assistant works in private chats only."""
        message = update.effective_message
        assert message is not None
        if message.new_chat_members and not any(
            member.id == context.bot.id for member in message.new_chat_members
        ):
            return  # someone else joined: not our business
        logger.info("Refused a %s chat", message.chat.type)
        await self._say(
            update, context, "telegram.private_only", bot_username=context.bot.username
        )

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Logs the traceback and sends the user one short apology in their language."""
        error = context.error
        if is_not_modified(error):
            return  # a double tap on the same button: nothing to do
        tag = self._tag(update) if isinstance(update, Update) else "-"
        if isinstance(error, Forbidden):
            logger.warning("Cannot write to %s: %s", tag, error.message)
            return
        logger.error("Update failed for %s", tag, exc_info=error)
        if (
            isinstance(update, Update)
            and update.effective_chat is not None
            and update.effective_chat.type == ChatType.PRIVATE
        ):
            await safe(self._say(update, context, "telegram.apology"), "apology")

    # -- helpers --------------------------------------------------------------------------
    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> None:
        """Hand one event to the engine and show what it answers."""
        chat = update.effective_chat
        assert chat is not None
        replies = await self._handle(event, context.bot, chat.id)
        sender = ChatSender(context.bot, chat.id, context.chat_data)
        label = _answered(replies)
        closing = sender.closing_open_question(label) if label is not None else None
        await sender.answer(replies, closing)

    async def _handle(self, event: Event, bot: Any, chat_id: int) -> list[Reply]:
        """The engine's replies to ``event``, computed in a worker thread; the update's
        inbox row is marked handled in the same transaction as the event's effects."""
        store, inbox = self.store, self.inbox

        def work() -> list[Reply]:
            if store is None:
                return self.engine.handle(event)
            with store.transaction():
                replies = self.engine.handle(event)
                if inbox is not None and event.delivery_id:
                    inbox.mark_handled(event.delivery_id)
            return replies

        async def busy() -> None:
            await self.tell_busy(bot, chat_id, event.language_hint or "nl")

        return await in_thread(work, busy)

    async def _say(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, **values: Any
    ) -> None:
        """Send one of the adapter's own texts in the user's language."""
        chat = update.effective_chat
        assert chat is not None
        text = self.knowledge.text(key, await self._language(update), **values)
        await ChatSender(context.bot, chat.id, context.chat_data).text(text)

    def _event(self, update: Update, kind: EventKind, data: str, argument: str = "") -> Event:
        return Event(
            self._user_id(update),
            kind,
            data,
            argument,
            self._language_hint(update),
            delivery_id=f"{self.bot_id}:{update.update_id}",
        )

    # -- who is talking -------------------------------------------------------------------
    @staticmethod
    def _user_id(update: Update) -> str:
        user = update.effective_user
        assert user is not None
        return f"tg:{user.id}"

    def _tag(self, update: Update) -> str:
        user = update.effective_user
        return self.user_tag(user.id if user else None)

    def _language_hint(self, update: Update) -> str:
        user = update.effective_user
        code = user.language_code if user else None
        return language_from_code(code, self.config.default_language)

    async def _language(self, update: Update) -> str:
        """The user's chosen language when the engine knows it, else the Telegram hint."""
        language_of = getattr(self.engine, "language_of", None)
        if callable(language_of) and update.effective_user is not None:
            user_id = self._user_id(update)
            try:
                chosen = await in_thread(lambda: language_of(user_id))
            except Exception:  # the apology path must not fail on a broken store
                logger.exception("Could not read the language of %s", self._tag(update))
                chosen = None
            if chosen in ("nl", "en"):
                return str(chosen)
        return self._language_hint(update)


def _answered(replies: list[Reply]) -> str | None:
    """The label of the answer the engine recorded, if any reply carries one."""
    return next((reply.answered for reply in replies if reply.answered), None)


def build_application(
    config: BotConfig,
    engine: DialogueEngine,
    knowledge: KnowledgeBase,
    store: Store | None = None,
) -> Application:
    """A PTB Application talking to ``config.api_url`` with every handler registered."""
    if not config.token:
        raise ValueError("build_application needs a token")
    quiet_request_logs()
    adapter = TelegramBot(engine, knowledge, config, store)
    builder = Application.builder()
    if config.rate_limit:  # 0: no limiter at all (a self-hosted Bot API, load tests)
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=config.rate_limit, max_retries=RATE_LIMIT_RETRIES)
        )
    app = (
        builder.token(config.token)
        .base_url(config.api_url)
        .base_file_url(config.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Few pooled connections, waited for, over aiohttp (bot/telegram_transport.py):
        # httpx's per-request cost was most of the bot's CPU with hundreds of chats.
        .request(AiohttpRequest(CONNECTION_POOL_SIZE, pool_timeout=POOL_TIMEOUT))
        .get_updates_request(AiohttpRequest(1, pool_timeout=POOL_TIMEOUT))
        .concurrent_updates(False)
        .post_init(adapter.post_init)
        .build()
    )
    adapter.register(app)
    app.bot_data["adapter"] = adapter
    return app
