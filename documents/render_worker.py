"""PDF and Word files are made in a worker process while the bot runs, so the bot stays small.

fpdf2, fontTools, python-docx and lxml, with the heap a few renders leave behind, grew the
running bot from 132 to 237 MB once 20 of 2,000 people had exported a PDF and a Word report
(``benchmarks/load.py``), and Python does not give that memory back. A worker process gives
it back when it exits after a quiet minute. The Telegram bot turns the worker on
(``worker_process()`` in ``bot.telegram_inbox.run``); the console chat, the command line
and the tests render in their own process, the default, where one export does not justify
a second process.

Renderers are named as ``"module:function"`` so that the bot never imports them itself.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

logger = logging.getLogger(__name__)

IDLE_SECONDS = 60.0  # a worker with nothing to do for this long exits (its memory is freed)
PARENT_CHECK_SECONDS = 2.0  # how often a worker looks whether the bot is still there


def call(target: str, *args: Any) -> Any:
    """Run ``target`` ("module:function") with ``args`` here, in this process."""
    module_name, _, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)(*args)


def _exit_with_parent(parent: int) -> None:
    """In the worker: exit when the bot is gone (killed bots leave no orphan workers)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class RenderWorker:
    """One worker process, started on first use and stopped after ``idle_seconds``.

    Calls from several threads queue up for the one worker. A worker that dies (killed,
    out of memory) is replaced once; if that one dies too, the file is made here rather
    than not at all, and so is every later one (a worker that cannot start costs a second
    per try).
    """

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._busy = 0
        self._idle_timer: threading.Timer | None = None
        self.started = 0  # worker processes started so far (for tests and logs)
        self.failed = False  # two workers in a row died: files are made here from then on

    def call(self, target: str, *args: Any) -> Any:
        """``call(target, *args)`` in the worker process; its exceptions are raised here."""
        for attempt in (1, 2):
            if self.failed:
                break
            executor = self._acquire()
            try:
                future: Future[Any] = executor.submit(call, target, *args)
                return future.result()
            except BrokenProcessPool:
                logger.warning("The render worker stopped unexpectedly (try %d)", attempt)
                self._discard(executor)
            finally:
                self._release()
        else:
            # twice in a row: something keeps it from starting; stop trying
            logger.warning("Files are made in the bot's own process from now on")
            self.failed = True
        return call(target, *args)

    def close(self) -> None:
        """Stop the worker (at the bot's shutdown); a later call starts a new one."""
        with self._lock:
            self._cancel_timer()
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    @property
    def running(self) -> bool:
        return self._executor is not None

    def _acquire(self) -> ProcessPoolExecutor:
        with self._lock:
            self._cancel_timer()
            self._busy += 1
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_exit_with_parent,
                    initargs=(os.getpid(),),
                )
                self.started += 1
            return self._executor

    def _release(self) -> None:
        with self._lock:
            self._busy -= 1
            if self._busy == 0 and self._executor is not None:
                self._idle_timer = threading.Timer(self.idle_seconds, self._stop_if_idle)
                self._idle_timer.daemon = True
                self._idle_timer.start()

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
        executor.shutdown(wait=False, cancel_futures=True)

    def _stop_if_idle(self) -> None:
        with self._lock:
            if self._busy or self._executor is None:
                return
            executor, self._executor = self._executor, None
            self._idle_timer = None
        executor.shutdown(wait=False)

    def _cancel_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None


_worker: RenderWorker | None = None


def render(target: str, *args: Any) -> Any:
    """Make a file with ``target``: in the worker process when one is on, else here."""
    worker = _worker
    return worker.call(target, *args) if worker is not None else call(target, *args)


@contextlib.contextmanager
def worker_process(idle_seconds: float = IDLE_SECONDS) -> Iterator[RenderWorker]:
    """Render PDF and Word files in a worker process while the ``with`` block runs."""
    global _worker
    previous, _worker = _worker, RenderWorker(idle_seconds)
    try:
        yield _worker
    finally:
        worker, _worker = _worker, previous
        worker.close()
