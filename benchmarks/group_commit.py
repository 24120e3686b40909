"""Group commit against one COMMIT per writer, measured in the same run.

    .venv/bin/python benchmarks/group_commit.py [--threads 8] [--writes 200]

``--threads`` threads each make ``--writes`` small write transactions on one database
file (WAL, ``synchronous=FULL``, as the bot's) through ``storage.group_commit``: once as
shipped, where writers that overlap share a COMMIT, and once with a group limit of one,
where every writer waits for its own COMMIT (the behaviour before group commit). Prints
transactions per second of both, their ratio, and the COMMITs each needed. Every write
is checked to be in the file afterwards.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.database import connect  # noqa: E402
from storage.group_commit import SharedConnection  # noqa: E402

ROW = "x" * 200  # about the size of a stored answer


def measure(folder: Path, name: str, threads: int, writes: int, group_limit: int) -> tuple:
    """(transactions per second, COMMITs) for one way of committing."""
    path = folder / f"{name}.db"
    db = connect(path)
    db.execute("CREATE TABLE answer (writer INTEGER, n INTEGER, text TEXT)")
    shared = SharedConnection(db, group_limit=group_limit)

    def work(writer: int) -> None:
        for n in range(writes):
            with shared.writing():
                db.execute("INSERT INTO answer VALUES (?, ?, ?)", [writer, n, ROW])

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    db.close()
    check = sqlite3.connect(path)
    stored = check.execute("SELECT COUNT(*) FROM answer").fetchone()[0]
    check.close()
    assert stored == threads * writes, f"{name}: {stored} of {threads * writes} stored"
    return threads * writes / seconds, shared.commits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--writes", type=int, default=200, help="transactions per thread")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        alone_rate, alone_commits = measure(Path(folder), "alone", args.threads, args.writes, 1)
        group_rate, group_commits = measure(Path(folder), "group", args.threads, args.writes, 32)
    total = args.threads * args.writes
    print(f"{args.threads} threads x {args.writes} write transactions, synchronous=FULL")
    print(f"one COMMIT per writer: {alone_rate:.0f} transactions/s, {alone_commits} COMMITs")
    print(f"group commit:          {group_rate:.0f} transactions/s, {group_commits} COMMITs")
    print(f"ratio group / alone: {group_rate / alone_rate:.2f}; all {total} writes stored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
