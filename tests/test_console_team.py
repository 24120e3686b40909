"""Three people fill in one checklist together through ``imvo-coach chat`` processes on
one database: the owner's /invite codes, /join CODE, answers that differ, and the
summary and a saved report that show the disagreement."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_console import run_chat

TALLY = "2× nee, 1× deels"


def test_three_console_users_share_a_checklist(tmp_path: Path) -> None:
    owner = run_chat(
        tmp_path,
        "anna",
        ["1", "3", "Zoë BV", "1", "1", "/invite", "Anna", "/invite", "nee", "/quit"],
    )
    codes = re.findall(r"/join ([A-Z0-9]{10})", owner)
    assert len(set(codes)) == 2, owner
    for user, code, answer in (("bram", codes[0], "nee joh, een bond? die is hier niet"),
                               ("cor", codes[1], "deels")):  # fmt: skip
        shown = run_chat(tmp_path, user, [f"/join {code}", "1", user.title(), answer, "/quit"])
        assert "Zoë BV" in shown
        assert "eigenaar: Anna" in shown
        assert f"Welkom in het team van Zoë BV, {user.title()}" in shown
    used = run_chat(tmp_path, "dave", [f"/join {codes[0]}", "/list", "/quit"])
    assert "werkt niet (meer)" in used
    assert "Zoë BV" not in used
    summary = run_chat(tmp_path, "anna", ["/summary", "/export", "3", "/quit"])
    assert TALLY in summary
    assert "Punten om te bespreken" in summary
    (report,) = tmp_path.glob("*.md")
    markdown = report.read_text(encoding="utf-8")
    assert TALLY in markdown
    assert "Bram: “nee joh, een bond? die is hier niet”" in markdown.replace("\\", "")
