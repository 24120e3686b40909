"""Load benchmark: many people answering at once through `imvo-coach run`, against a bare
PTB echo bot measured in the same run.

    .venv/bin/python benchmarks/load.py [--people 500] [--answers 6] [--rate-limit 0]
    .venv/bin/python benchmarks/load.py --people 2000 --answers 2   # memory with 2,000

Starts the fake Telegram Bot API (tests/fake_bot_api) on 127.0.0.1 and the bot as its own
process, exactly as deployed, then lets every person start the union checklist and
answer questions at the same time, each waiting for the bot's reply before the next step
(buttons and typed answers alternate). Afterwards it checks that no answer was lost,
doubled or crossed. Before and after that, the same number of people send the same number
of messages to benchmarks/echo_bot.py (python-telegram-bot answering every text with
itself) in its own process. It reports updates per second for both (the echo bot's over
its two runs) and their ratio, the CPU time each process used per update, the wait for a reply
(p50, p99, max), the bot's peak memory (RSS, also after ``--exports`` people took
their report as PDF and Word), and the targets: the full stack at least
50% of the echo bot's rate, at least 200 updates/s, p99 wait at most 2 s, RSS at most
150 MB. ``--rate-limit 30`` switches the bot's flood-control limiter back on (off by
default here to measure the bot itself). Not part of the test suite
(tests/test_telegram_load.py runs 50 people).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import default_knowledge  # noqa: E402
from storage import Store  # noqa: E402
from tests.fake_bot_api import FakeBotApi  # noqa: E402
from tests.fake_bot_api.crowd import SETUP_STEPS, Crowd, CrowdResult  # noqa: E402
from tests.fake_bot_api.process import BotProcess  # noqa: E402

TOKEN = "424200:load-benchmark"
ECHO_TOKEN = "424201:echo-baseline"
ECHO_TOKEN_AFTER = "424202:echo-baseline-after"
TELEGRAM_LIMIT = 30  # messages per second per bot (Telegram's FAQ; PTB FloodLimit)
TARGET_RATIO, TARGET_RATE, TARGET_P99, TARGET_RSS_MB = 0.5, 200.0, 2.0, 150.0
TARGET_P99_PEOPLE = 500  # the p99 wait target is for 500 people at once (issue 14)


@dataclass(frozen=True)
class EchoResult:
    updates: int
    seconds: float
    waits: tuple[float, ...]
    cpu_seconds: float  # the echo bot's own CPU time (all threads) while it answered

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads) so far; 0 without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB; 0 where /proc is missing."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), "")
    return int(line.split()[1]) / 1024 if line else 0.0


async def measure_bot(
    api: FakeBotApi, people: int, answers: int, rate_limit: int, exports: int
) -> tuple[CrowdResult, Memory, list[str]]:
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
            assert bot.process is not None
            cpu_before = cpu_seconds(bot.process.pid)
            result = await crowd.run()
            cpu = cpu_seconds(bot.process.pid) - cpu_before
            before = peak_rss_mb(bot.process.pid)
            # then some of them take their report home as PDF and Word, as people do
            await asyncio.gather(*(p.export(("pdf", "docx")) for p in crowd.people[:exports]))
            memory = Memory(before, peak_rss_mb(bot.process.pid), exports, cpu)
        finally:
            await bot.stop()
        questions = [q.id for q in default_knowledge().checklist("union").questions]
        with Store(bot.db) as store:
            problems = crowd.check(store, questions)
        log = bot.read_log().strip()
        if log:
            problems.append(f"the bot logged:\n{log[-2000:]}")
    return result, memory, problems


async def measure_echo(api: FakeBotApi, people: int, steps: int, token: str) -> EchoResult:
    fake = api.add_bot(token)
    users = [fake.user(7_000_000 + n, f"Echo{n}", "nl") for n in range(people)]
    arrived = {user.chat_id: asyncio.Event() for user in users}
    fake.on_message.append(lambda chat, message: arrived[chat].set() if chat in arrived else None)
    waits: list[float] = []

    async def talk(user) -> None:
        for step in range(steps):
            arrived[user.chat_id].clear()
            started = time.perf_counter()
            user.send(f"bericht {step}")
            while len(user.messages()) <= step:
                await asyncio.wait_for(arrived[user.chat_id].wait(), 120)
                arrived[user.chat_id].clear()
            waits.append(time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as folder:
        echo = BotProcess(
            fake,
            api.base_url,
            Path(folder),
            argv=[sys.executable, str(ROOT / "benchmarks" / "echo_bot.py")],
        )
        await echo.start()
        try:
            assert echo.process is not None
            cpu_before = cpu_seconds(echo.process.pid)
            started = time.perf_counter()
            await asyncio.gather(*(talk(user) for user in users))
            seconds = time.perf_counter() - started
            cpu = cpu_seconds(echo.process.pid) - cpu_before
        finally:
            await echo.stop()
    return EchoResult(people * steps, seconds, tuple(waits), cpu)


@dataclass(frozen=True)
class Memory:
    """The bot's peak RSS after the crowd, and after ``exports`` people exported reports;
    and the CPU time it used while the crowd talked to it."""

    crowd: float
    with_exports: float
    exports: int
    cpu_seconds: float


def percentile(waits: tuple[float, ...], share: float) -> float:
    ordered = sorted(waits)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _verdict(ok: bool | None) -> str:
    if ok is None:
        return f"(for {TARGET_P99_PEOPLE} people at once)"
    return "met" if ok else "MISSED"


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def report(result: CrowdResult, echo: EchoResult, memory: Memory, rate_limit: int) -> str:
    per_update = result.messages / result.updates
    ratio = result.updates_per_second / echo.updates_per_second
    p99 = result.percentile(0.99)
    lines = [
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"people at once: {result.people}, updates: {result.updates}, "
        f"limiter: {f'{rate_limit}/s' if rate_limit else 'off'}",
        f"imvo-coach: {result.updates_per_second:.0f} updates/s in {result.seconds:.1f} s; "
        f"wait p50 {result.percentile(0.5) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(result.waits) * 1000:.0f} ms; peak RSS {memory.crowd:.0f} MB, "
        f"{memory.with_exports:.0f} MB after {memory.exports} people exported PDF and Word",
        f"echo bot:   {echo.updates_per_second:.0f} updates/s in {echo.seconds:.1f} s; "
        f"wait p50 {percentile(echo.waits, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(echo.waits, 0.99) * 1000:.0f} ms",
        f"ratio imvo-coach / echo bot: {ratio:.2f}",
        f"CPU per update: imvo-coach {memory.cpu_seconds / result.updates * 1000:.2f} ms, "
        f"echo bot {echo.cpu_seconds / echo.updates * 1000:.2f} ms (ratio "
        f"{_ratio(echo.cpu_seconds / echo.updates, memory.cpu_seconds / result.updates)}; "
        "steadier than the rates on a busy machine)",
        f"Bot API calls per update: {result.bot_calls / result.updates:.1f}, of which "
        f"{result.chat_calls / result.updates:.1f} into a chat and {per_update:.1f} messages "
        f"sent ({result.messages / result.seconds:.0f} messages/s)",
        "targets: "
        + ", ".join(
            f"{name} {_verdict(ok)}"
            for name, ok in (
                (f"ratio >= {TARGET_RATIO}", ratio >= TARGET_RATIO),
                (f">= {TARGET_RATE:.0f} updates/s", result.updates_per_second >= TARGET_RATE),
                (
                    f"p99 <= {TARGET_P99:.0f} s",
                    p99 <= TARGET_P99 if result.people <= TARGET_P99_PEOPLE else None,
                ),
                (f"RSS <= {TARGET_RSS_MB:.0f} MB", memory.with_exports <= TARGET_RSS_MB),
            )
        ),
    ]
    if rate_limit:
        lines.append(
            f"the limiter holds the bot to {rate_limit} chat calls/s "
            f"(measured {result.chat_calls / result.seconds:.0f}/s)"
        )
    else:
        telegram_updates = TELEGRAM_LIMIT / per_update
        lines.append(
            f"Telegram allows about {TELEGRAM_LIMIT} messages/s per bot: at {per_update:.1f} "
            f"messages per update that is about {telegram_updates:.0f} updates/s."
        )
    return "\n".join(lines)


async def measure(
    people: int, answers: int, rate_limit: int, exports: int
) -> tuple[CrowdResult, EchoResult, Memory, list[str]]:
    api = FakeBotApi()
    await api.start()
    try:
        # the echo bot runs before and after the bot: a machine that gets faster or slower
        # during the run then moves both rates alike
        steps = SETUP_STEPS + answers
        first = await measure_echo(api, people, steps, ECHO_TOKEN)
        result, memory, problems = await measure_bot(api, people, answers, rate_limit, exports)
        second = await measure_echo(api, people, steps, ECHO_TOKEN_AFTER)
        echo = EchoResult(
            first.updates + second.updates,
            first.seconds + second.seconds,
            first.waits + second.waits,
            first.cpu_seconds + second.cpu_seconds,
        )
    finally:
        await api.stop()
    return result, echo, memory, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--answers", type=int, default=6, help="questions each person answers")
    parser.add_argument(
        "--rate-limit", type=int, default=0, help="the bot's messages/s limiter (0: off)"
    )
    parser.add_argument(
        "--exports", type=int, default=20, help="people who then export PDF and Word"
    )
    args = parser.parse_args()
    result, echo, memory, problems = asyncio.run(
        measure(args.people, args.answers, args.rate_limit, args.exports)
    )
    print(report(result, echo, memory, args.rate_limit))
    if problems:
        print(f"\n{len(problems)} PROBLEMS:", *problems[:20], sep="\n")
        return 1
    print("checked: every answer in the right person's checklist, none lost, none doubled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
