"""The render worker: PDF and Word files made in a worker process while the bot runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from documents import render_worker

ROOT = Path(__file__).resolve().parents[1]


def wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_without_a_worker_files_are_made_here() -> None:
    assert render_worker.render("os:getpid") == os.getpid()


def test_the_worker_is_another_process_used_again_and_again() -> None:
    with render_worker.worker_process() as worker:
        first = render_worker.render("os:getpid")
        second = render_worker.render("os:getpid")
        assert first == second != os.getpid()
        assert worker.started == 1
    assert not worker.running
    assert render_worker.render("os:getpid") == os.getpid()  # off again after the block


def test_an_error_in_the_worker_reaches_the_caller() -> None:
    with render_worker.worker_process(), pytest.raises(ValueError, match="math domain error"):
        render_worker.render("math:sqrt", -1.0)


def test_an_idle_worker_exits_and_a_new_one_starts_when_needed() -> None:
    with render_worker.worker_process(idle_seconds=0.2) as worker:
        first = render_worker.render("os:getpid")
        assert wait_until(lambda: not worker.running)
        assert wait_until(lambda: not _alive(first))  # its memory went back to the system
        assert render_worker.render("os:getpid") not in (first, os.getpid())
        assert worker.started == 2


def test_a_killed_worker_is_replaced_and_the_file_still_made() -> None:
    with render_worker.worker_process() as worker:
        first = render_worker.render("os:getpid")
        os.kill(first, signal.SIGKILL)
        assert wait_until(lambda: not _alive(first))
        assert render_worker.render("os:getpid") not in (first, os.getpid())
        assert worker.started == 2


def test_a_worker_exits_when_the_bot_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from documents import render_worker
        with render_worker.worker_process():
            print(render_worker.render("os:getpid"), flush=True)
            time.sleep(60)
        """
    )
    bot = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert bot.stdout is not None
        worker = int(bot.stdout.readline())
        assert _alive(worker)
    finally:
        bot.kill()
        bot.wait()
    assert wait_until(lambda: not _alive(worker), 10)


def test_the_bot_never_imports_the_pdf_and_word_libraries(tmp_path: Path) -> None:
    """The point of the worker: after PDF, Word and letter files the bot holds none of it."""
    script = textwrap.dedent(
        """
        import sys
        from documents import render_worker
        from documents.exports import Format, export
        from documents.letter_render import render_letter
        from documents.letters import DocumentKind, build_letter
        from knowledge import default_knowledge
        from tests.test_export import SUMMARIES
        with render_worker.worker_process():
            pdf = export(SUMMARIES["nl"], Format.PDF)
            docx = export(SUMMARIES["en"], Format.DOCX)
            made = build_letter(default_knowledge(), SUMMARIES["nl"], DocumentKind.VISIT)
            letter = render_letter(made, Format.PDF)
        loaded = sorted(m for m in ("fpdf", "docx", "lxml", "fontTools") if m in sys.modules)
        print(pdf[:5].decode(), docx[:2].decode(), letter[:5].decode(), ",".join(loaded) or "none")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["%PDF-", "PK", "%PDF-", "none"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) counts as gone; so does a process
    # reaped between the two looks
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def test_a_worker_that_cannot_start_is_given_up_and_files_are_made_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """E.g. a script read from standard input: spawn cannot import its ``__main__``."""
    main = sys.modules["__main__"]
    monkeypatch.setattr(main, "__spec__", None, raising=False)  # not run with -m
    monkeypatch.setattr(main, "__file__", "/nonexistent/<stdin>", raising=False)
    with render_worker.worker_process() as worker:
        assert render_worker.render("os:getpid") == os.getpid()
        assert worker.failed
        assert worker.started == 2  # two tries, then no more
        assert render_worker.render("os:getpid") == os.getpid()
        assert worker.started == 2
