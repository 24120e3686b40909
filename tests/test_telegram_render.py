"""Engine replies become valid Telegram messages: escaped, split, with fitting buttons."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.telegram_logging import REDACTED, RedactingFilter, UserHasher
from bot.telegram_render import (
    MAX_TEXT,
    answered_html,
    escape,
    keyboard,
    language_from_code,
    split_text,
)
from conversations.events import Choice
from tests.fake_bot_api import ApiError, parse_html

paragraph = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=900
)


@settings(max_examples=200, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=12), st.integers(min_value=20, max_value=600))
def test_split_keeps_every_word_and_respects_the_limit(paragraphs: list[str], limit: int) -> None:
    text = "\n\n".join(paragraphs)
    chunks = split_text(text, limit)
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    assert all(chunk.strip() for chunk in chunks)
    assert "".join(text.split()) == "".join("".join(chunks).split())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=3000))
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    plain, entities = parse_html(escape(text))
    assert plain == text
    assert entities == []


def test_split_prefers_paragraph_boundaries() -> None:
    first, second = "a" * 3000, "b" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]
    assert split_text("short\n\ntext") == ["short\n\ntext"]
    assert split_text("   \n\n  ") == []


def test_split_a_long_paragraph_at_lines_then_words() -> None:
    lines = "\n".join(["regel " * 100] * 20)  # one paragraph of ~12,000 characters
    chunks = split_text(lines)
    assert len(chunks) == 3
    assert all(len(chunk) <= MAX_TEXT for chunk in chunks)
    assert all(not chunk.startswith(" ") and "regel" in chunk for chunk in chunks)
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904]


def test_keyboard_rows_fit_the_labels() -> None:
    answers = [Choice(label, f"a:1:{label}") for label in ("Ja", "Nee", "Deels")]
    short = keyboard(answers)
    assert short is not None
    assert [[b["text"] for b in row] for row in short["inline_keyboard"]] == [
        ["Ja", "Nee", "Deels"]
    ]
    # exactly the Bot API's JSON, which PTB reads as the same keyboard
    assert InlineKeyboardMarkup.de_json(short, None).to_dict() == short
    mixed = keyboard([*answers, Choice("Weet ik niet", "a:1:u"), Choice("Overslaan", "s:1")])
    assert mixed is not None
    assert [len(row) for row in mixed["inline_keyboard"]] == [2, 2, 1]
    long = keyboard([Choice("Het IMVO-beleid van het bedrijf (OESO stap 1)", "c:policy")] * 2)
    assert long is not None
    assert [len(row) for row in long["inline_keyboard"]] == [1, 1]
    assert keyboard([]) is None


def test_keyboard_drops_a_button_that_telegram_would_refuse(
    caplog: pytest.LogCaptureFixture,
) -> None:
    choices = [Choice("Ja", "x" * 64), Choice("Nee", "é" * 33), Choice(" ", "a"), Choice("Ok", "")]
    with caplog.at_level(logging.ERROR):
        markup = keyboard(choices)
    assert markup is not None
    assert [b["text"] for row in markup["inline_keyboard"] for b in row] == ["Ja"]
    assert len(caplog.records) == 3


def test_answered_question_shows_the_label_escaped() -> None:
    result = answered_html("Heeft het bedrijf <b>beleid</b>?", "Heeft het bedrijf beleid?", "<Ja>")
    assert result == "Heeft het bedrijf <b>beleid</b>?\n\n✅ <b>&lt;Ja&gt;</b>"
    assert parse_html(result)[0].endswith("✅ <Ja>")
    assert answered_html("q" * 4090, "q" * 4090, "Ja") is not None  # exactly 4,096
    assert answered_html("q" * 4091, "q" * 4091, "Ja") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [("nl", "nl"), ("nl-BE", "nl"), ("NL", "nl"), ("en", "en"), ("de", "en"), (None, "nl")],
)
def test_first_language_comes_from_telegram(code: str | None, expected: str) -> None:
    assert language_from_code(code, "nl") == expected
    assert language_from_code(None, "en") == "en"


def test_fake_api_refuses_what_telegram_refuses() -> None:
    for bad in ("a < b", "<p>x</p>", "<b>open", "x &nbsp; y", "<b><i>x</b></i>", "AT&T"):
        with pytest.raises(ApiError):
            parse_html(bad)
    plain, entities = parse_html('<b>Ja</b> 😀 <a href="https://x.org">link</a> &amp; &#169;')
    assert plain == "Ja 😀 link & ©"
    assert entities[1] == {"type": "text_link", "offset": 6, "length": 4, "url": "https://x.org"}


def test_logs_hide_secrets_and_hash_users() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "GET /bot%s/getMe", ("1:SECRET",), None
    )
    try:
        raise RuntimeError("url https://api.telegram.org/bot1:SECRET/getMe")
    except RuntimeError as error:
        record.exc_info = (type(error), error, error.__traceback__)
    RedactingFilter(["1:SECRET"]).filter(record)
    assert record.getMessage() == f"GET /bot{REDACTED}/getMe"
    assert record.exc_text is not None
    assert "SECRET" not in record.exc_text
    assert REDACTED in record.exc_text
    tag = UserHasher("salt")
    assert tag(12345) == tag("12345") != UserHasher("other")(12345)
    assert "12345" not in tag(12345)
    assert tag(None) == "-"
