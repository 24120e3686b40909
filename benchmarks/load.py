"""Load benchmark: many people answering at once through `imvo-coach run`.

    .venv/bin/python benchmarks/load.py [--people 500] [--answers 6] [--rate-limit 0]

Starts the fake Telegram Bot API (tests/fake_bot_api) on 127.0.0.1 and the bot as its own
process, exactly as deployed, then lets every person start the union checklist and
answer questions at the same time, each waiting for the bot's reply before the next step
(buttons and typed answers alternate). Afterwards it checks that no answer was lost,
doubled or crossed, and reports the updates per second the bot handled, the wait for a
reply (p50, p99, max), and how that compares with Telegram's own limit of about 30
messages per second per bot. ``--rate-limit 30`` switches the bot's flood-control
limiter back on (it is off by default here to measure the bot itself). Not part of the
test suite (tests/test_telegram_load.py runs 50 people).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import default_knowledge  # noqa: E402
from storage import Store  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402
from tests.fake_bot_api.crowd import Crowd, CrowdResult  # noqa: E402
from tests.fake_bot_api.process import BotProcess  # noqa: E402

TOKEN = "424200:load-benchmark"
TELEGRAM_LIMIT = 30  # messages per second per bot (Telegram's FAQ; PTB FloodLimit)


async def measure(people: int, answers: int, rate_limit: int) -> tuple[CrowdResult, list[str]]:
    api = FakeBotApi()
    await api.start()
    fake = api.add_bot(TOKEN)
    with tempfile.TemporaryDirectory() as folder:
        bot = BotProcess(
            fake,
            api.base_url,
            Path(folder),
            LOG_LEVEL="WARNING",
            TELEGRAM_RATE_LIMIT=str(rate_limit),
        )
        crowd = Crowd(fake, people, answers)
        await bot.start()
        try:
            result = await crowd.run()
        finally:
            await bot.stop()
            await api.stop()
        questions = [q.id for q in default_knowledge().checklist("union").questions]
        with Store(bot.db) as store:
            problems = crowd.check(store, questions)
        log = bot.read_log().strip()
        if log:
            problems.append(f"the bot logged:\n{log[-2000:]}")
    return result, problems


def report(result: CrowdResult, rate_limit: int) -> str:
    per_update = result.messages / result.updates
    telegram_updates = TELEGRAM_LIMIT / per_update
    lines = [
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"people at once: {result.people}, updates: {result.updates}, "
        f"limiter: {f'{rate_limit}/s' if rate_limit else 'off'}",
        f"handled: {result.updates_per_second:.0f} updates/s in {result.seconds:.1f} s",
        f"wait for the reply: p50 {result.percentile(0.5) * 1000:.0f} ms, "
        f"p99 {result.percentile(0.99) * 1000:.0f} ms, max {max(result.waits) * 1000:.0f} ms",
        f"Bot API calls per update: {result.bot_calls / result.updates:.1f}, of which "
        f"{result.chat_calls / result.updates:.1f} into a chat and {per_update:.1f} messages "
        f"sent ({result.messages / result.seconds:.0f} messages/s)",
    ]
    if rate_limit:
        lines.append(
            f"the limiter holds the bot to {rate_limit} chat calls/s "
            f"(measured {result.chat_calls / result.seconds:.0f}/s)"
        )
    else:
        lines.append(
            f"Telegram allows about {TELEGRAM_LIMIT} messages/s per bot: at {per_update:.1f} "
            f"messages per update that is about {telegram_updates:.0f} updates/s, "
            f"{result.updates_per_second / telegram_updates:.0f}x less than this machine "
            "handles, so Telegram's limit, not the bot, is the bottleneck."
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--answers", type=int, default=6, help="questions each person answers")
    parser.add_argument(
        "--rate-limit", type=int, default=0, help="the bot's messages/s limiter (0: off)"
    )
    args = parser.parse_args()
    result, problems = asyncio.run(measure(args.people, args.answers, args.rate_limit))
    print(report(result, args.rate_limit))
    if problems:
        print(f"\n{len(problems)} PROBLEMS:", *problems[:20], sep="\n")
        return 1
    print("checked: every answer in the right person's checklist, none lost, none doubled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
