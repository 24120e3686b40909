"""The webhook server for ``imvo-coach run`` with WEBHOOK_URL: store first, then 200.

Telegram posts each update to the webhook and sends it again until it gets a 2xx
answer. This server answers 200 only after the update is in the write-ahead inbox, so a
crash before that makes Telegram send it again. It stores the update as received
(python-telegram-bot reads it later, from the inbox), so one it cannot read is skipped
there like any other instead of being refused, and retried by Telegram, forever; and
its content is never logged. Requests without the secret token get 403.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.web

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes; a Telegram update is a few KB


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, accept: Callable[[list[Any]], Awaitable[None]], secret: str) -> None:
        self.accept = accept
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            update = json.loads(self.request.body)
        except ValueError:
            logger.warning("The webhook received a body that is not JSON")
            self.set_status(400)
            return
        await self.accept([update])  # stored before the 200 below
        self.set_status(200)


def start_webhook_server(
    accept: Callable[[list[Any]], Awaitable[None]], listen: str, port: int, path: str, secret: str
) -> tornado.httpserver.HTTPServer:
    """Listen on ``listen:port`` for POSTs to ``/path``; each update goes to ``accept``."""
    app = tornado.web.Application(
        [(f"/{path.strip('/')}/?", _UpdateHandler, {"accept": accept, "secret": secret})]
    )
    server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)
    server.listen(port, address=listen)
    return server
