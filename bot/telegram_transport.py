"""PTB's Bot API requests over aiohttp instead of httpx.

Why: under load the bot is CPU-bound, and profiling `benchmarks/load.py` showed httpx,
httpcore and h11 taking most of the event loop's time (about 30% of all samples, more
than the dialogue and the database together). aiohttp parses HTTP in C and reuses its
pooled connections cheaply. PTB supports this through its ``BaseRequest`` interface; the
rest of the stack (Bot, Application, handlers, rate limiter) is unchanged.

Errors are mapped the way PTB's own ``HTTPXRequest`` maps them: timeouts raise
``TimedOut``, any other transport error ``NetworkError``; HTTP status codes are left to
PTB (``BaseRequest._request_wrapper``).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
import orjson
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

DEFAULT_TIMEOUT = 5.0  # seconds, as PTB's HTTPXRequest
MEDIA_WRITE_TIMEOUT = 20.0  # uploading an exported report
MAX_KEPT_URLS = 64  # parsed request URLs kept: one per Bot API method the bot calls


class AiohttpRequest(BaseRequest):
    """One aiohttp session with at most ``connections`` pooled connections."""

    def __init__(
        self,
        connections: int,
        *,
        read_timeout: float = DEFAULT_TIMEOUT,
        write_timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
        pool_timeout: float = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}
        self._targets: dict[str, tuple[URL, str | None]] = {}

    def _proxy_for(self, url: str) -> str | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:
            self._proxies[origin] = _proxy_lookup(url)
        return self._proxies[origin]

    def _target(self, url: str) -> tuple[URL, str | None]:
        """The parsed URL and its proxy. Parsed once per Bot API method: aiohttp parses a
        URL given as text on every request, a quarter of its CPU time per request here
        (measured: 111-123 us against 86 us). Files' URLs are not kept (no bound)."""
        target = self._targets.get(url)
        if target is None:
            target = (URL(url), self._proxy_for(url))
            if len(self._targets) < MAX_KEPT_URLS:
                self._targets[url] = target
        return target

    def parse_json_payload(self, payload: bytes) -> Any:
        """Telegram's answer read by orjson (in C; getUpdates batches included); what it
        refuses (invalid UTF-8) goes to PTB's own reader, which replaces or reports it."""
        try:
            return orjson.loads(payload)
        except orjson.JSONDecodeError:
            return super().parse_json_payload(payload)

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (inside the running event loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            # proxies from HTTPS_PROXY/NO_PROXY like httpx, looked up once per host
            # (aiohttp's trust_env would also read ~/.netrc on every request)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the HTTP status and the body for PTB to read."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        fields = request_data.json_parameters if files and request_data else {}
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, MEDIA_WRITE_TIMEOUT if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        # aiohttp has no separate write timeout: a request may take as long as writing
        # and reading together; waiting for a pooled connection counts as connecting.
        timeout = aiohttp.ClientTimeout(
            total=None if read is None or write is None else read + write,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        # without files: one JSON body (Bot API accepts application/json), cheaper to make
        # than a form whose every field is JSON-encoded and then URL-quoted
        headers = {"User-Agent": self.USER_AGENT}
        body: aiohttp.FormData | bytes | None = None
        if request_data is not None and not files:
            body = _json_body(request_data.parameters)
            headers["Content-Type"] = "application/json"
        if files:
            body = aiohttp.FormData(quote_fields=False)
            for name, value in fields.items():
                body.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        target, proxy = self._target(url)
        try:
            async with self._session.request(
                method,
                target,
                data=body,
                proxy=proxy,
                headers=headers,
                timeout=timeout,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _json_body(parameters: dict[str, Any]) -> bytes:
    """The request's JSON body, made by orjson; json for what orjson cannot write."""
    try:
        return orjson.dumps(parameters)
    except TypeError:
        return json.dumps(parameters, ensure_ascii=False).encode()


def _proxy_lookup(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY, NO_PROXY), if any."""
    parts = urlsplit(url)
    if parts.hostname and proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme)


def _given(value: float | object | None, default: float) -> float | None:
    """PTB passes DEFAULT_NONE for "use this request's own default"."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return value if isinstance(value, int | float) or value is None else default
