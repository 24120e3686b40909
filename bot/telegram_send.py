"""Send engine replies into one Telegram chat, robust against the usual Bot API trouble.

Network errors are retried here; ``RetryAfter`` (flood control) is retried by PTB's
``AIORateLimiter``; "message is not modified" (a double tap) is ignored; an edit or a
button answer that Telegram refuses never stops the reply itself.

A chat has at most one message with live buttons (the open question). Its id lives in
PTB's in-memory ``chat_data``: losing it on a restart only means an old keyboard stays
visible, and the engine rejects a press on an old question anyway.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.request import RequestData

from bot.telegram_render import (
    MAX_CAPTION,
    MAX_TEXT,
    Keyboard,
    answered_html,
    escape,
    keyboard,
    split_text,
)
from conversations.events import Attachment, Reply

logger = logging.getLogger(__name__)
T = TypeVar("T")

SEND_ATTEMPTS = 3
RETRY_PAUSE = 0.2  # seconds, times the attempt number
OPEN_QUESTION = "open_question"  # chat_data key -> (message_id, html, plain text)


async def retry(call: Callable[[], Awaitable[T]]) -> T:
    """Retry network trouble (not Telegram refusing the request) a few times."""
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except BadRequest:  # a subclass of NetworkError, but retrying will not help
            raise
        except NetworkError as error:
            if attempt == SEND_ATTEMPTS:
                raise
            logger.warning("Network error (attempt %d), retrying: %s", attempt, error)
            await asyncio.sleep(RETRY_PAUSE * attempt)
    raise AssertionError("unreachable")


async def safe(call: Awaitable[Any], what: str) -> None:
    """Await a call whose failure must not stop the reply (button answer, edit, apology)."""
    try:
        await call
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            logger.warning("%s refused: %s", what, error.message)
    except TelegramError as error:
        logger.warning("%s failed: %s", what, error)


async def raw_call(bot: Bot, method: str, **params: Any) -> Any:
    """Call ``method`` and return Telegram's JSON result as is: the bot's hot path
    (sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery) goes here,
    not through PTB's own methods.

    PTB's own methods turn every returned message into objects (~0.1 ms each, 1.9 per
    update) that the bot never reads but for a sent message's id; and PTB's preparation of
    a call (defaults, every parameter converted, a warning for ``do_api_request``) took
    another ~70 us. Here the JSON-ready parameters go to the bot's own request object:
    PTB's ``BaseRequest.post`` still turns error answers into PTB's errors, and the bot's
    rate limiter, when it has one, still paces the call.
    """
    data = {name: value for name, value in params.items() if value is not None}
    limiter = getattr(bot, "rate_limiter", None)
    if limiter is None:
        return await _post(bot, method, data)
    return await limiter.process_request(
        callback=_post,
        args=(bot, method, data),
        kwargs={},
        endpoint=method,
        data=data,
        rate_limit_args=None,
    )


async def _post(bot: Bot, method: str, data: dict[str, Any]) -> Any:
    return await bot.request.post(f"{bot.base_url}/{method}", JsonParameters(data))


class JsonParameters(RequestData):
    """Parameters that are JSON already (no files): PTB's ``RequestData`` without its
    per-parameter conversion."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__()
        self.values = values

    @property
    def parameters(self) -> dict[str, Any]:
        return self.values

    @property
    def json_parameters(self) -> dict[str, str]:
        return {
            name: value if isinstance(value, str) else json.dumps(value)
            for name, value in self.values.items()
        }


def is_not_modified(error: BaseException | None) -> bool:
    """True for Telegram's answer to an edit that changes nothing."""
    return isinstance(error, BadRequest) and "not modified" in error.message.lower()


def join_texts(replies: Sequence[Reply]) -> list[Reply]:
    """Join a plain text reply to the one after it when both fit in one message.

    The engine often says something ("Opgeslagen.", a tip) and then asks the next question;
    one message instead of two means one notification on the phone and one Bot API call
    less (Telegram allows about 30 messages a second per bot).
    """
    joined: list[Reply] = []
    for reply in replies:
        before = joined[-1] if joined else None
        if (
            before is not None
            and not before.choices
            and before.attachment is None
            and reply.attachment is None
            and before.text.strip()
            and reply.text.strip()
            and len(before.text) + 2 + len(reply.text) <= MAX_TEXT
        ):
            text = f"{before.text}\n\n{reply.text}"
            joined[-1] = replace(reply, text=text, answered=reply.answered or before.answered)
        else:
            joined.append(reply)
    return joined


class ChatSender:
    """Sends replies into one chat and keeps at most one live keyboard there."""

    def __init__(self, bot: Bot, chat_id: int, chat_data: MutableMapping[str, Any]) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.chat_data = chat_data

    async def deliver(self, replies: Sequence[Reply]) -> None:
        """Send each reply: long text split, buttons on the last part, files as documents."""
        for reply in join_texts(replies):
            markup = keyboard(reply.choices)
            parts = split_text(reply.text) if reply.text.strip() else []
            if reply.attachment is not None:
                caption = parts.pop() if parts and len(parts[-1]) <= MAX_CAPTION else None
                for part in parts:
                    await self.text(part)
                await self.document(reply.attachment, caption, markup)
                continue
            if not parts:
                continue
            if markup is not None:
                closing = self.closing_open_question(None)
                if closing is not None:
                    await closing
            for part in parts[:-1]:
                await self.text(part)
            sent = await self.text(parts[-1], markup)
            if markup is not None:
                self.chat_data[OPEN_QUESTION] = (sent, escape(parts[-1]), parts[-1])

    async def text(self, text: str, markup: Keyboard | None = None) -> int:
        """Send plain ``text`` (escaped here) as one HTML message; returns its message id."""
        params: dict[str, Any] = {
            "chat_id": self.chat_id,
            "text": escape(text),
            "parse_mode": ParseMode.HTML,
        }
        if markup is not None:
            params["reply_markup"] = markup
        sent = await retry(lambda: raw_call(self.bot, "sendMessage", **params))
        return int(sent["message_id"])

    async def document(
        self, attachment: Attachment, caption: str | None, markup: Keyboard | None
    ) -> None:
        """Send an exported file, with the reply text as caption when it fits."""
        await safe(
            self.bot.send_chat_action(self.chat_id, ChatAction.UPLOAD_DOCUMENT), "chat action"
        )
        await retry(
            lambda: self.bot.send_document(
                self.chat_id,
                InputFile(attachment.content, filename=attachment.filename),
                caption=escape(caption) if caption else None,
                parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
            )
        )
        logger.info("Sent a %d-byte %s", len(attachment.content), attachment.mime_type)

    def closing(
        self, message_id: int, question_html: str, question_plain: str, label: str | None
    ) -> Awaitable[None]:
        """Take a question's buttons away: the chat has no open question from now on, and
        the returned edit (the chosen answer shown under it when known) can run while the
        replies go out, so the next question shows a round trip sooner on the phone."""
        open_question = self.chat_data.get(OPEN_QUESTION)
        if open_question and open_question[0] == message_id:
            del self.chat_data[OPEN_QUESTION]
        new_html = answered_html(question_html, question_plain, label) if label else None

        def edit() -> Awaitable[Any]:
            where = {"chat_id": self.chat_id, "message_id": message_id}
            if new_html is not None:
                return raw_call(
                    self.bot, "editMessageText", text=new_html, parse_mode=ParseMode.HTML, **where
                )
            return raw_call(self.bot, "editMessageReplyMarkup", **where)

        return safe(retry(edit), "edit question")

    def closing_open_question(self, label: str | None) -> Awaitable[None] | None:
        """``closing`` for the chat's open question (answered by typing, or replaced by a
        new one); None when there is none."""
        if OPEN_QUESTION not in self.chat_data:
            return None
        message_id, question_html, question_plain = self.chat_data[OPEN_QUESTION]
        return self.closing(message_id, question_html, question_plain, label)

    async def answer(self, replies: Sequence[Reply], closing: Awaitable[None] | None) -> None:
        """Deliver ``replies`` while the ``closing`` edit (if any) goes out alongside."""
        if closing is None:
            await self.deliver(replies)
        else:
            await asyncio.gather(closing, self.deliver(replies))
