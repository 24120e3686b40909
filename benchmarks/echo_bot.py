"""A bare python-telegram-bot echo bot: the baseline for benchmarks/load.py.

Long polling with PTB's defaults, every text answered with the same text, nothing else:
what PTB and the network cost on this machine without the assistant. Settings come from
the same environment variables as ``imvo-coach run`` (TELEGRAM_BOT_TOKEN,
TELEGRAM_API_URL, POLL_TIMEOUT).
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await context.bot.send_message(message.chat_id, message.text)


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_URL"])
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=int(os.environ.get("POLL_TIMEOUT", "1")))


if __name__ == "__main__":
    main()
