"""Crash soak: people answering through `imvo-coach run` while it is killed again and again.

    .venv/bin/python benchmarks/crash_soak.py [--kills 50] [--people 12] [--seed 14]

Starts the fake Telegram Bot API (tests/fake_bot_api) on 127.0.0.1 and the bot as its own
process, lets every person walk up and down the union checklist (each step has exactly
one right reply, see tests/fake_bot_api/crashes.py) and kills the bot with SIGKILL at
random moments, half of them right after getUpdates handed it a batch (between fetch and
handling), restarting it each time. Reports the steps, the replies lost (target: 0) and
doubled. Not part of the test suite (tests/test_telegram_inbox_crash.py runs 6 kills).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotApi  # noqa: E402
from tests.fake_bot_api.crashes import CrashResult, crash_run  # noqa: E402
from tests.fake_bot_api.process import BotProcess  # noqa: E402

TOKEN = "515151:crash-soak"


async def measure(kills: int, people: int, seed: int) -> tuple[CrashResult, str]:
    api = FakeBotApi()
    await api.start()
    fake = api.add_bot(TOKEN)
    with tempfile.TemporaryDirectory() as folder:
        bot = BotProcess(
            fake,
            api.base_url,
            Path(folder),
            LOG_LEVEL="WARNING",
            TELEGRAM_RATE_LIMIT="0",
            USER_RATE_LIMIT="0",
        )
        try:
            result = await crash_run(fake, bot, people, kills, seed)
            await bot.stop()
        finally:
            if bot.process is not None and bot.process.returncode is None:
                await bot.kill()
            await api.stop()
        log = bot.read_log()
    return result, log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--people", type=int, default=12)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    # A request cut off by a kill is expected here; the fake server need not log it.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    result, log = asyncio.run(measure(args.kills, args.people, args.seed))
    print(
        f"kills: {result.kills} ({result.kills_at_fetch} right after a fetch), "
        f"people: {args.people}, steps: {result.steps} in {result.seconds:.0f} s"
    )
    print(f"replies lost: {len(result.lost)}, doubled: {len(result.doubled)}")
    for step in (*result.lost[:10], *result.doubled[:10]):
        print(f"  {step}")
    tracebacks = log.count("Traceback")
    skipped = [line for line in log.splitlines() if "Skipped update" in line]
    print(f"tracebacks in the bot's log: {tracebacks}, updates skipped: {len(skipped)}")
    for line in skipped[:5]:
        print(f"  {line}")
    return 1 if result.lost or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
