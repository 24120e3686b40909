"""The fake Bot API server: per-token state, the methods the bot calls, and HTTP routing."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_bot_api.formatting import (
    MAX_ANSWER_TEXT,
    MAX_CAPTION,
    MAX_TEXT,
    MAX_UPLOAD,
    NOT_MODIFIED,
    ApiError,
    check_keyboard,
    formatted,
)
from tests.fake_bot_api.users import FakeUser

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
        self.sent: dict[int, dict[str, Any]] = {}  # update_id -> every update ever queued
        self.again: list[dict[str, Any]] = []  # updates to deliver once more
        self._again_fetched_by = -1  # index in calls of the getUpdates that returned them
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}  # chat -> message_id -> message
        self.commands: dict[str, list[dict[str, str]]] = {}  # language_code ("" default)
        self.webhook: dict[str, Any] = {"url": ""}
        self.open_queries: set[str] = set()
        self.failures: list[tuple[str, ApiError]] = []
        self.stalls: list[str] = []  # methods whose next call hangs (see stall_next)
        self.stalled: list[ApiCall] = []
        self.released = asyncio.Event()  # set when the server stops: stalled calls end
        self.on_message: list[Callable[[int, dict[str, Any]], None]] = []  # (chat, message)
        self.closed = False  # set when the server stops: long polls return at once
        self.batches = 0  # getUpdates calls that handed the bot at least one update
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

    def stall_next(self, method: str) -> None:
        """Make the next call of ``method`` hang until the server stops, as if the bot
        were killed while Telegram was handling the request."""
        self.stalls.append(method.lower())

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue one update for getUpdates; return its update_id."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self.sent[update_id] = self.updates[-1]
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def redeliver(self, update_id: int) -> int:
        """Deliver update ``update_id`` once more, with the same ID, as Telegram does when
        the bot did not confirm it (it crashed) or a webhook call failed."""
        self.again.append(copy.deepcopy(self.sent[update_id]))
        self._again_fetched_by = -1
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    async def wait_redelivered(self, wait: float = 5.0) -> None:
        """Wait until the bot fetched the redelivered updates and polled again after them."""

        def confirmed() -> bool:
            start = self._again_fetched_by
            return start >= 0 and any(c.method == "getUpdates" for c in self.calls[start + 1 :])

        await self.wait_for(confirmed, wait)

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
        if call.method.lower() in self.stalls:
            self.stalls.remove(call.method.lower())
            self.stalled.append(call)
            await self._notify()
            await self.released.wait()
            raise ApiError(502, "Bad Gateway")
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
            while (
                not self.updates
                and not self.again
                and not self.closed
                and time.monotonic() < deadline
            ):
                try:
                    await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        # Redelivered updates come first, so the last update_id stays the newest.
        batch = [*self.again, *self.updates[: int(params.get("limit") or 100)]]
        if self.again:
            self._again_fetched_by = len(self.calls) - 1
            self.again = []
        if batch:
            self.batches += 1
        return batch

    async def api_sendmessage(self, params: dict, files: dict) -> Any:
        fields = formatted(params, "text", MAX_TEXT, required=True)
        return self._store(params["chat_id"], fields, check_keyboard(params.get("reply_markup")))

    async def api_senddocument(self, params: dict, files: dict) -> Any:
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        name, content = files["document"]
        if not content or len(content) > MAX_UPLOAD:
            raise ApiError(400, "Bad Request: file must be non-empty and at most 50 MB")
        fields = formatted(params, "caption", MAX_CAPTION, required=False)
        fields["document"] = {
            "file_id": f"doc{len(self.calls)}",
            "file_unique_id": "u",
            "file_name": name,
            "file_size": len(content),
        }
        return self._store(params["chat_id"], fields, check_keyboard(params.get("reply_markup")))

    async def api_editmessagetext(self, params: dict, files: dict) -> Any:
        message = self._message(params)
        fields = formatted(params, "text", MAX_TEXT, required=True)
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
        for hook in self.on_message:
            hook(chat_id, message)
        return dict(message)


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
            bot.closed = True
            bot.released.set()
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
        await bot._notify()  # a long-polling getUpdates must already count as "fetched"
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
