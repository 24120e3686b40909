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

``RunningBot`` (harness.py) runs a PTB Application against it and waits until each
update is fully handled, so tests need no sleeps.
"""

from tests.fake_bot_api.formatting import ApiError, check_keyboard, parse_html
from tests.fake_bot_api.harness import RunningBot
from tests.fake_bot_api.server import ApiCall, FakeBot, FakeBotApi
from tests.fake_bot_api.users import FakeUser

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBot",
    "FakeBotApi",
    "FakeUser",
    "RunningBot",
    "check_keyboard",
    "parse_html",
]
