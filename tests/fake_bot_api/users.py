"""Fake Telegram users: each action queues the update Telegram would send the bot."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from tests.fake_bot_api.formatting import utf16_len

if TYPE_CHECKING:
    from tests.fake_bot_api.server import FakeBot


def question_numbers(text: str) -> list[int]:
    """Numbers of the questions a message asks ("Vraag 3 van 13" opening a paragraph): the
    bot sends what it says about an answer and the next question in one message."""
    found = re.findall(r"(?:^|\n\n)Vraag (\d+) van ", text)
    return [int(number) for number in found]


def asks(message: dict[str, Any], number: int) -> bool:
    """Whether ``message`` asks question ``number``."""
    return number in question_numbers(message.get("text", ""))


class FakeUser:
    """A person writing to the bot; each action queues the update Telegram would send."""

    def __init__(
        self,
        bot: FakeBot,
        user_id: int,
        first_name: str,
        language_code: str | None,
        chat: dict[str, Any] | None,
    ) -> None:
        self.bot = bot
        self.data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.data["language_code"] = language_code
        self.chat = chat or {"id": user_id, "type": "private", "first_name": first_name}
        self.last_update_id = 0

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    def compose(self, text: str) -> dict[str, Any]:
        """The Message Telegram makes of ``text`` (a leading /word is a bot_command)."""
        fields: dict[str, Any] = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]+(@\w+)?", text)
        if command:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}
            ]
        return self._record(**fields)

    def _record(self, **fields: Any) -> dict[str, Any]:
        chat = self.bot.chats.setdefault(self.chat_id, {})
        message = {
            "message_id": self.bot.new_message_id(self.chat_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.data,
            **fields,
        }
        chat[message["message_id"]] = message
        return message

    def _message(self, **fields: Any) -> int:
        self.last_update_id = self.bot.push("message", self._record(**fields))
        return self.last_update_id

    def send(self, text: str) -> int:
        """Type ``text``; queues the message update and returns its update_id."""
        self.last_update_id = self.bot.push("message", self.compose(text))
        return self.last_update_id

    def send_media(self, kind: str) -> int:
        """Send a photo, voice, sticker, document or location instead of text."""
        file = {"file_id": f"{kind}-file", "file_unique_id": f"{kind}-u"}
        payloads = {
            "photo": [{**file, "width": 90, "height": 90, "file_size": 900}],
            "voice": {**file, "duration": 2},
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "document": {**file, "file_name": "notes.pdf"},
            "location": {"latitude": 52.37, "longitude": 4.89},
        }
        return self._message(**{kind: payloads[kind]})

    def join_group(self) -> int:
        """Add the bot to this (group) chat, as the service message Telegram sends."""
        return self._message(new_chat_members=[self.bot.me])

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this chat, in their current (edited) state."""
        chat = self.bot.chats.get(self.chat_id, {})
        return [m for _, m in sorted(chat.items()) if m["from"]["id"] == self.bot.me["id"]]

    def texts(self) -> list[str]:
        return [m.get("text") or m.get("caption", "") for m in self.messages()]

    def buttons(self, message: dict[str, Any] | None = None) -> list[str]:
        """Button labels of ``message`` (default: the bot's last message with buttons)."""
        message = message or self._last_with_buttons()
        rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]

    def _last_with_buttons(self) -> dict[str, Any] | None:
        with_buttons = [m for m in self.messages() if m.get("reply_markup")]
        return with_buttons[-1] if with_buttons else None

    def button_data(self, message: dict[str, Any] | None = None) -> list[str]:
        """Callback data of the buttons of ``message`` (default: the last one with buttons)."""
        message = message or self._last_with_buttons()
        rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        return [button["callback_data"] for row in rows for button in row]

    def tap(self, prefix: str) -> int:
        """Press the first button of the last keyboard whose data starts with ``prefix``."""
        message = self._last_with_buttons()
        rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        for button in (b for row in rows for b in row):
            if button["callback_data"].startswith(prefix):
                return self.click(button["text"], message, button["callback_data"])
        raise AssertionError(f"no button with data {prefix!r}...; buttons: {self.button_data()}")

    def click(
        self, label: str, message: dict[str, Any] | None = None, data: str | None = None
    ) -> int:
        """Press the button ``label`` on ``message`` (default: the last one with buttons)."""
        message = message or self._last_with_buttons()
        rows = (message or {}).get("reply_markup", {}).get("inline_keyboard", [])
        found = [b for row in rows for b in row if b["text"] == label]
        if message is None or not found:
            raise AssertionError(f"no button {label!r}; buttons: {self.buttons(message)}")
        query_id = str(next(self.bot._query_ids))
        self.bot.open_queries.add(query_id)
        self.last_update_id = self.bot.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.data,
                "chat_instance": f"ci{self.chat_id}",
                "message": dict(message),
                "data": data or found[0]["callback_data"],
            },
        )
        return self.last_update_id
