"""A fake Telegram Bot API server on 127.0.0.1 for tests that run the real PTB stack.

The bot reaches it through ``base_url`` (``TELEGRAM_API_URL``), so httpx, request
encoding, the Updater's long polling with offsets and PTB's error mapping all run for
real. The fake answers with real Bot API JSON, enforces the limits Telegram enforces
(text length, callback data bytes, HTML that must parse) and records every call.

Per bot token it keeps a ``FakeBot``: queued updates, the messages of every chat (so a
button press carries the message the bot really sent) and scripted failures::

    api = FakeBotApi(); await api.start()
    bot = api.add_bot("123:abc")
    anna = bot.user(1001, "Anna", "nl")
    anna.send("/start"); anna.click("Ja"); bot.fail_next("sendMessage", 429, retry_after=1)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON_FIELDS = {
    "allowed_updates",
    "caption_entities",
    "commands",
    "entities",
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "scope",
}
INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "max_connections"}
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA, MAX_ANSWER_TEXT = 4096, 1024, 64, 200
MAX_UPLOAD = 50 * 1024 * 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
}
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|&(#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<>&]"
)


class ApiError(Exception):
    """Raised inside the fake to answer a call with ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into plain text and entities, refusing what Telegram refuses."""
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, str, int]] = []
    offset, position = 0, 0

    def fail(reason: str) -> ApiError:
        return ApiError(400, f"Bad Request: can't parse entities: {reason}")

    for match in _HTML_TOKEN.finditer(source):
        literal = source[position : match.start()]
        plain.append(literal)
        offset += _utf16_len(literal)
        position = match.end()
        closing, name, attrs, entity = match.group(1), match.group(2), match.group(3), match[4]
        if name is not None:
            name = name.lower()
            if name not in _TAGS:
                raise fail(f'Unsupported start tag "{name}" at byte offset {match.start()}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise fail(f'Can\'t find end tag corresponding to end tag "{name}"')
                _, kind_attrs, start = stack.pop()
                if offset > start:
                    item: dict[str, Any] = {
                        "type": _TAGS[name],
                        "offset": start,
                        "length": offset - start,
                    }
                    if name == "a":
                        item["url"] = kind_attrs
                    entities.append(item)
                continue
            if name == "span" and "tg-spoiler" not in attrs:
                raise fail('Unsupported start tag "span"')
            href = re.search(r'href="([^"]*)"', attrs)
            if name == "a" and not href:
                raise fail('Tag "a" must have an attribute "href"')
            stack.append((name, href.group(1) if href else "", offset))
        elif entity is not None:
            if entity.startswith("#"):
                char = chr(int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:]))
            elif entity in _ENTITIES:
                char = _ENTITIES[entity]
            else:
                raise fail(f'Unsupported HTML entity "&{entity};"')
            plain.append(char)
            offset += _utf16_len(char)
        else:
            raise fail(f'Unescaped "{match.group(0)}" at byte offset {match.start()}')
    plain.append(source[position:])
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def check_keyboard(markup: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard; return it, or None when it has no buttons."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if sum(len(row) for row in rows) > 100 or any(len(row) > 8 for row in rows):
        raise ApiError(400, "Bad Request: BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if any(rows) else None


def _formatted(params: dict[str, Any], key: str, limit: int, required: bool) -> dict[str, Any]:
    """Parse text or caption by parse_mode; return the Message fields it becomes."""
    raw = str(params.get(key, ""))
    if params.get("parse_mode", "").upper() == "HTML":
        plain, entities = parse_html(raw)
    elif params.get("parse_mode"):
        raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
    else:
        plain, entities = raw, []
    if required and not plain.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(plain) > limit:
        too_long = "message is too long" if key == "text" else "message caption is too long"
        raise ApiError(400, f"Bad Request: {too_long}")
    fields: dict[str, Any] = {key: plain} if plain else {}
    if entities:
        fields["entities" if key == "text" else "caption_entities"] = entities
    return fields


@dataclass
class ApiCall:
    """One request the bot made, as the fake understood it."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    error: str | None = None


class FakeBot:
    """Server-side state of one bot token: updates, chats, calls and scripted failures."""

    def __init__(self, token: str, username: str) -> None:
        bot_id = int(token.split(":", 1)[0])
        self.token = token
        self.me = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "IMVO-coach",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.updates: list[dict[str, Any]] = []
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> message_id -> message
        self.commands: dict[str, list[dict[str, str]]] = {}  # language_code ("" default)
        self.webhook: dict[str, Any] = {"url": ""}
        self.open_queries: set[str] = set()
        self.failures: list[tuple[str, ApiError]] = []
        self.changed = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)

    # -- scripting from tests -------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "Anna",
        language_code: str | None = "nl",
        chat: dict[str, Any] | None = None,
    ) -> FakeUser:
        """A Telegram user who talks to this bot (in a private chat unless ``chat`` given)."""
        return FakeUser(self, user_id, first_name, language_code, chat)

    def fail_next(
        self, method: str, code: int, description: str = "", retry_after: int = 0, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail like Telegram would."""
        default = {
            400: "Bad Request: query is too old",
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
            502: "Bad Gateway",
        }
        error = ApiError(code, description or default.get(code, "Error"), retry_after or None)
        self.failures.extend([(method.lower(), error)] * times)

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue one update for getUpdates; return its update_id."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def calls_of(self, method: str) -> list[ApiCall]:
        """Successful calls of ``method`` in order."""
        return [c for c in self.calls if c.method == method and c.error is None]

    async def wait_for(self, predicate: Callable[[], bool], wait: float = 5.0) -> None:
        """Wait until ``predicate()`` holds (checked after every call the bot makes)."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(predicate), wait)

    async def wait_fetched(self, update_id: int, wait: float = 5.0) -> None:
        """Wait until the bot confirmed ``update_id`` by polling with a higher offset."""

        def confirmed() -> bool:
            return any(
                c.method == "getUpdates" and int(c.params.get("offset") or 0) > update_id
                for c in self.calls
            )

        await self.wait_for(confirmed, wait)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    # -- the Bot API methods ----------------------------------------------------------------
    async def dispatch(self, call: ApiCall) -> Any:
        for index, (method, error) in enumerate(self.failures):
            if method == call.method.lower():
                del self.failures[index]
                raise error
        handler = getattr(self, f"api_{call.method.lower()}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return await handler(call.params, call.files)

    async def api_getme(self, params: dict, files: dict) -> Any:
        return self.me

    async def api_deletewebhook(self, params: dict, files: dict) -> Any:
        if params.get("drop_pending_updates") in (True, "true"):
            self.updates.clear()
        self.webhook = {"url": ""}
        return True

    async def api_setwebhook(self, params: dict, files: dict) -> Any:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return True

    async def api_getwebhookinfo(self, params: dict, files: dict) -> Any:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def api_getupdates(self, params: dict, files: dict) -> Any:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 30.0)
        async with self.changed:
            while not self.updates and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return self.updates[: int(params.get("limit") or 100)]

    async def api_sendmessage(self, params: dict, files: dict) -> Any:
        fields = _formatted(params, "text", MAX_TEXT, required=True)
        return self._store(params["chat_id"], fields, check_keyboard(params.get("reply_markup")))

    async def api_senddocument(self, params: dict, files: dict) -> Any:
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, content = files["document"]
        if not content or len(content) > MAX_UPLOAD:
            raise ApiError(400, "Bad Request: file must be non-empty and at most 50 MB")
        fields = _formatted(params, "caption", MAX_CAPTION, required=False)
        fields["document"] = {
            "file_id": f"doc{len(self.calls)}",
            "file_unique_id": "u",
            "file_name": name,
            "file_size": len(content),
        }
        return self._store(params["chat_id"], fields, check_keyboard(params.get("reply_markup")))

    async def api_editmessagetext(self, params: dict, files: dict) -> Any:
        message = self._message(params)
        fields = _formatted(params, "text", MAX_TEXT, required=True)
        markup = check_keyboard(params.get("reply_markup"))
        old = (message.get("text"), message.get("entities"), message.get("reply_markup"))
        if old == (fields.get("text"), fields.get("entities"), markup):
            raise ApiError(400, NOT_MODIFIED)
        for key in ("text", "entities", "reply_markup"):
            message.pop(key, None)
        message.update(fields, edit_date=int(time.time()))
        if markup:
            message["reply_markup"] = markup
        return dict(message)

    async def api_editmessagereplymarkup(self, params: dict, files: dict) -> Any:
        message = self._message(params)
        markup = check_keyboard(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return dict(message)

    async def api_deletemessage(self, params: dict, files: dict) -> Any:
        self._message(params)
        del self.chats[params["chat_id"]][params["message_id"]]
        return True

    async def api_answercallbackquery(self, params: dict, files: dict) -> Any:
        if len(str(params.get("text", ""))) > MAX_ANSWER_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query_id = str(params.get("callback_query_id"))
        if query_id not in self.open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or "
                "query ID is invalid",
            )
        self.open_queries.discard(query_id)
        return True

    async def api_sendchataction(self, params: dict, files: dict) -> Any:
        return True

    async def api_setmycommands(self, params: dict, files: dict) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code", "")] = commands
        return True

    async def api_getmycommands(self, params: dict, files: dict) -> Any:
        return self.commands.get(params.get("language_code", ""), [])

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.chats.get(params.get("chat_id"), {}).get(params.get("message_id"))
        if message is None or message["from"]["id"] != self.me["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _store(self, chat_id: int, fields: dict[str, Any], markup: Any) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        any_message = next(iter(chat.values()))
        message = {
            "message_id": self.new_message_id(chat_id),
            "date": int(time.time()),
            "chat": any_message["chat"],
            "from": self.me,
            **fields,
        }
        if markup:
            message["reply_markup"] = markup
        chat[message["message_id"]] = message
        return dict(message)


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

    def _message(self, **fields: Any) -> int:
        chat = self.bot.chats.setdefault(self.chat_id, {})
        message = {
            "message_id": self.bot.new_message_id(self.chat_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.data,
            **fields,
        }
        chat[message["message_id"]] = message
        self.last_update_id = self.bot.push("message", message)
        return self.last_update_id

    def send(self, text: str) -> int:
        """Type ``text``; a leading /word becomes a bot_command entity as in Telegram."""
        fields: dict[str, Any] = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]+(@\w+)?", text)
        if command:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
            ]
        return self._message(**fields)

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


class FakeBotApi:
    """The HTTP side: ``POST /bot<token>/<method>`` answered by that token's FakeBot."""

    def __init__(self) -> None:
        self.bots: dict[str, FakeBot] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def add_bot(self, token: str, username: str = "imvo_coach_test_bot") -> FakeBot:
        self.bots[token] = FakeBot(token, username)
        return self.bots[token]

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for bot in self.bots.values():
            bot.updates.clear()
            await bot._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        bot = self.bots.get(request.match_info["token"])
        if bot is None:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params, files = await _read_params(request)
        call = ApiCall(request.match_info["method"], params, files)
        bot.calls.append(call)
        try:
            result = await bot.dispatch(call)
        except ApiError as error:
            call.error = error.description
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after:
                body["parameters"] = {"retry_after": error.retry_after}
            await bot._notify()
            return web.json_response(body, status=error.code)
        await bot._notify()
        return web.json_response({"ok": True, "result": result})


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """Decode form, multipart or JSON bodies the way the Bot API does."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        params.update(await request.json())
        return params, files
    if request.can_read_body:
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key, value in list(params.items()):
        if key in JSON_FIELDS and isinstance(value, str):
            params[key] = json.loads(value)
        elif key in INT_FIELDS and isinstance(value, str):
            params[key] = int(value)
    return params, files
