"""The aiohttp transport under PTB: proxies from the environment, errors mapped the way
PTB's own HTTPXRequest maps them, JSON bodies and file uploads accepted by a Bot API."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_transport import MAX_KEPT_URLS, AiohttpRequest, _json_body, _proxy_lookup


def test_proxies_come_from_the_environment_and_no_proxy_is_honoured(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert _proxy_lookup("https://api.telegram.org/bot1:x/getMe") == "http://proxy.example:3128"
    assert _proxy_lookup("http://127.0.0.1:8081/bot1:x/getMe") is None


def test_no_proxy_configured_means_direct(monkeypatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert _proxy_lookup("https://api.telegram.org/bot1:x/getMe") is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_refused_connection_is_a_network_error() -> None:
    request = AiohttpRequest(1, connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{_free_port()}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()


async def test_a_slow_server_is_a_timeout_and_a_fast_one_gets_json() -> None:
    seen: list[tuple[str, dict]] = []

    async def handle(http: web.Request) -> web.Response:
        if http.match_info["method"] == "slow":
            await asyncio.sleep(2)
        seen.append((http.content_type, await http.json()))
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot1:x/{method}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    request = AiohttpRequest(2, read_timeout=0.3)
    await request.initialize()
    try:
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", 7),
                RequestParameter.from_input("text", "héllo"),
            ]
        )
        status, body = await request.do_request(
            f"http://127.0.0.1:{port}/bot1:x/sendMessage", "POST", data
        )
        assert status == 200
        assert json.loads(body) == {"ok": True, "result": True}
        assert seen == [("application/json", {"chat_id": 7, "text": "héllo"})]
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/bot1:x/slow", "POST", data)
    finally:
        await request.shutdown()
        await runner.cleanup()


def test_parsed_urls_are_kept_per_method_and_bounded(monkeypatch) -> None:
    """One parse per Bot API method; URLs beyond the bound (files) are parsed each time."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    request = AiohttpRequest(1)
    first = request._target("https://api.telegram.org/bot1:x/sendMessage")
    assert request._target("https://api.telegram.org/bot1:x/sendMessage") is first
    assert (str(first[0]), first[1]) == (
        "https://api.telegram.org/bot1:x/sendMessage",
        "http://proxy.example:3128",
    )
    for n in range(2 * MAX_KEPT_URLS):
        target = request._target(f"https://api.telegram.org/file/bot1:x/photo{n}.jpg")
        assert str(target[0]).endswith(f"photo{n}.jpg")
    assert len(request._targets) == MAX_KEPT_URLS


def test_json_that_orjson_refuses_goes_the_standard_way() -> None:
    """Invalid UTF-8 in an answer is replaced (PTB's reader); a number beyond 64 bits in
    a request is written by json."""
    request = AiohttpRequest(1)
    assert request.parse_json_payload(b'{"ok": true, "result": "caf\\u00e9"}') == {
        "ok": True,
        "result": "café",
    }
    assert request.parse_json_payload(b'{"ok": true, "result": "caf\xe9"}') == {
        "ok": True,
        "result": "caf\ufffd",
    }
    assert json.loads(_json_body({"chat_id": 2**70, "text": "héllo"})) == {
        "chat_id": 2**70,
        "text": "héllo",
    }
    assert _json_body({"text": "héllo"}) == '{"text":"héllo"}'.encode()
