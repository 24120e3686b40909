"""The console chat: numbered choices, commands, saved files, and ``imvo-coach chat`` as a
scriptable process that remembers where each user was."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import ConsoleChat
from conversations.events import EventKind

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "bot.cli", "chat"]


@pytest.fixture
def console(engine, knowledge, tmp_path):
    output = io.StringIO()
    chat = ConsoleChat(engine, knowledge, "console:test", output, save_dir=tmp_path)
    return chat, output


def test_numbers_press_the_shown_choices(console) -> None:
    chat, output = console
    chat.begin()
    shown = output.getvalue()
    assert shown.startswith("Hallo! Ik ben de IMVO-coach")
    assert "[1] Nieuwe checklist" in shown
    assert chat.event_for("1").kind is EventKind.CHOICE
    assert chat.event_for("1").data == "cmd:new"
    assert chat.event_for("99").kind is EventKind.TEXT  # no such choice: typed text
    assert chat.event_for("/resume 2").data == "resume"
    assert chat.event_for("/resume 2").argument == "2"
    assert chat.event_for("ja\n").data == "ja"


def test_choices_are_laid_out_for_a_terminal(console) -> None:
    chat, output = console
    chat.run_script(["1", "3", "Zoë BV", "1", "1", "1"])  # new, union, name, skip, skip, Ja
    question = output.getvalue().rsplit("Vraag 2 van 13", 1)[1]
    assert (
        "[1] Ja  [2] Nee  [3] Deels  [4] Weet ik niet  [5] Waarom?  [6] Overslaan\n[7] Vorige"
        in question
    )


def test_exported_files_are_saved_next_to_the_user(console, tmp_path) -> None:
    chat, output = console
    chat.run_script(["1", "1", "Bestand BV", "1", "1", "/export", "1", "/export", "1"])
    shown = output.getvalue()
    saved = sorted(tmp_path.glob("*.pdf"))
    assert len(saved) == 2  # the second export does not overwrite the first
    assert saved[0].read_bytes().startswith(b"%PDF")
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in saved)  # private, like the CLI
    assert f"📎 Opgeslagen: {saved[0]}" in shown


def test_interactive_session_greets_and_says_goodbye(console) -> None:
    chat, output = console
    lines = iter(["1", "/quit", "never read"])
    assert chat.run_interactive(read_line=lambda prompt: next(lines)) == 0
    shown = output.getvalue()
    assert shown.startswith("IMVO-coach in de terminal.")
    assert "Welke checklist wil je doen?" in shown
    assert shown.rstrip().endswith("Tot ziens! Je antwoorden zijn bewaard.")


def run_chat(db: Path, user: str, lines: list[str], *extra: str) -> str:
    """Run ``imvo-coach chat`` as a process with ``lines`` on standard input."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMVO_COACH_DB": str(db / "env.db")}
    result = subprocess.run(
        [*CLI, "--user", user, "--db", str(db / "chat.db"), *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=db,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_chat_process_completes_the_union_checklist_across_a_restart(tmp_path) -> None:
    # First process: a new assessment, answers by number and by typing, a knowledge
    # question, skip and back; it ends halfway through the checklist.
    first = run_chat(
        tmp_path,
        "anna",
        [
            "1",
            "3",
            "Zoë's Textiel",
            "Bangladesh",
            "3",  # new, union, context (sector skipped)
            "2",  # question 1: Nee
            "ja",  # question 2, typed
            "Wat is ILO-verdrag 87?",  # knowledge question: answered, then question 3 again
            "deels",  # question 3
            "6",  # question 4: skip
            "/back",  # back to question 4
            "1",
        ],  # question 4: Ja
    )
    assert "Vraag 1 van 13" in first
    assert "Genoteerd: Nee." in first
    assert "Ik begrijp: Ja." in first
    assert "📚 ILO-verdrag 87" in first
    assert first.count("Vraag 3 van 13") == 2
    assert "Overgeslagen." in first
    assert first.rstrip().endswith(first[first.rindex("Vraag 5 van 13") :].rstrip())
    assert (tmp_path / "chat.db").exists()
    assert not (tmp_path / "env.db").exists()  # --db wins over IMVO_COACH_DB

    # Another user in the same database does not see Anna's checklist.
    other = run_chat(tmp_path, "bert", ["/list"], "--lang", "en")
    assert other.startswith("Hello! I am the IMVO coach.")
    assert "You have no checklists yet." in other

    # Second process: Anna is back at question 5 with everything kept, and finishes.
    second = run_chat(tmp_path, "anna", [*(["4"] * 9), "/list"])
    assert second.startswith("Welkom terug! We gaan verder waar je was.\n\nVraag 5 van 13")
    assert "Klaar! Je hebt alle vragen gehad voor: Zoë's Textiel." in second
    assert "1. Zoë's Textiel — 13 van 13 beantwoord, klaar" in second


def test_chat_reports_an_unusable_database_in_one_line(tmp_path) -> None:
    (tmp_path / "broken.db").write_bytes(b"not a database" * 200)
    result = subprocess.run(
        [*CLI, "--db", str(tmp_path / "broken.db")],
        input="hallo\n",
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot open the database {tmp_path / 'broken.db'}")
    assert "Traceback" not in result.stderr


def test_readme_quick_start_opens_the_console_chat() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1]
    first_command = quick_start.split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert "\n" not in first_command  # one command line
    assert first_command.endswith(".venv/bin/imvo-coach chat")
    section = readme.split("## The console chat", 1)[1].split("\n## ", 1)[0]
    for option in ("--user", "--db", "--lang", "IMVO_COACH_DB", "./data/imvo-coach.db"):
        assert option in section


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_chat_in_a_terminal_is_interactive(tmp_path) -> None:
    import pty
    import select

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "--user", "tty", "--db", str(tmp_path / "tty.db")],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "dumb"},
        close_fds=True,
    )
    os.close(terminal)
    os.write(controller, b"1\n/quit\n")
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=30) == 0
    os.close(controller)
    text = shown.decode("utf-8", "replace")
    assert "IMVO-coach in de terminal." in text
    assert "[1] Nieuwe checklist" in text
    assert "Welke checklist wil je doen?" in text
    assert "Tot ziens! Je antwoorden zijn bewaard." in text
