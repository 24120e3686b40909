"""The Telegram adapter on its own: a scripted engine, the real PTB stack, the fake Bot API.

These tests pin what the adapter does with any engine reply (escaping, splitting,
buttons, files) and with Telegram trouble (flood control, network errors, blocked
users, double taps, crashes). Whole conversations with the real engine are in
test_telegram_conversations.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from telegram.ext import Application

from bot.config import BotConfig
from bot.telegram_app import MENU_COMMANDS, build_application
from conversations.events import Attachment, Choice, Event, EventKind, Reply
from knowledge.loader import KnowledgeBase
from knowledge.schema import Text
from tests.fake_bot_api import FakeBot, FakeBotApi, RunningBot
from tests.fake_bot_api.formatting import NOT_MODIFIED

TOKEN = "424242:adapter-test-token"
ANSWERS = (Choice("Ja", "a:q1:yes"), Choice("Nee", "a:q1:no"), Choice("Deels", "a:q1:partly"))
UI_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "ui" / "bot.yaml"
# Only the adapter's own texts: these tests must not depend on the checklist content.
KNOWLEDGE = KnowledgeBase(
    directory=UI_FILE.parent,
    taxonomy={},
    checklists=(),
    signals={},
    topics={},
    ui={key: Text(**text) for key, text in yaml.safe_load(UI_FILE.read_text("utf-8")).items()},
)


class ScriptedEngine:
    """Answers every event with ``script(event)`` and remembers what it was given."""

    def __init__(self, script: Callable[[Event], list[Reply]]) -> None:
        self.script = script
        self.events: list[Event] = []

    def handle(self, event: Event) -> list[Reply]:
        self.events.append(event)
        return self.script(event)


def question(event: Event) -> list[Reply]:
    """A tiny dialogue: any command or text asks a question; a choice records the answer."""
    if event.kind is EventKind.CHOICE:
        label = {c.data: c.label for c in ANSWERS}.get(event.data, "?")
        return [Reply("Genoteerd.", answered=label), Reply("Vraag 2 <b>&</b>?", ANSWERS)]
    if event.kind is EventKind.TEXT and event.data == "ja":
        return [Reply("Genoteerd.", answered="Ja"), Reply("Vraag 2?", ANSWERS)]
    return [Reply("Heeft het bedrijf <IMVO>-beleid & een 'due diligence'?", ANSWERS)]


@pytest.fixture
def fake(api: FakeBotApi) -> FakeBot:
    return api.add_bot(TOKEN)


def make_app(api: FakeBotApi, engine: ScriptedEngine, **settings: object) -> Application:
    config = BotConfig(token=TOKEN, api_url=api.base_url, **settings)  # type: ignore[arg-type]
    return build_application(config, engine, KNOWLEDGE)


async def test_command_menu_in_dutch_and_english(api: FakeBotApi, fake: FakeBot) -> None:
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake):
        pass
    assert [c["command"] for c in fake.commands[""]] == list(MENU_COMMANDS)
    assert [c["command"] for c in fake.commands["nl"]] == list(MENU_COMMANDS)
    dutch = {c["command"]: c["description"] for c in fake.commands["nl"]}
    english = {c["command"]: c["description"] for c in fake.commands[""]}
    assert dutch["forget"] == KNOWLEDGE.text("telegram.command.forget", "nl")
    assert english["forget"] == KNOWLEDGE.text("telegram.command.forget", "en")
    assert dutch["forget"] != english["forget"]


async def test_reply_is_escaped_html_with_buttons(api: FakeBotApi, fake: FakeBot) -> None:
    engine = ScriptedEngine(question)
    anna = fake.user(1001, "Anna", "nl-NL")
    async with RunningBot(make_app(api, engine), fake) as bot:
        texts = await bot.say(anna, "/start")
    assert texts == ["Heeft het bedrijf <IMVO>-beleid & een 'due diligence'?"]
    sent = fake.calls_of("sendMessage")[-1].params
    assert sent["parse_mode"] == "HTML"
    assert "&lt;IMVO&gt;" in sent["text"]
    assert anna.buttons() == ["Ja", "Nee", "Deels"]
    assert engine.events == [Event("tg:1001", EventKind.COMMAND, "start", "", "nl", "424242:1")]


async def test_button_press_is_answered_and_marks_the_question(
    api: FakeBotApi, fake: FakeBot
) -> None:
    engine = ScriptedEngine(question)
    anna = fake.user(1001)
    async with RunningBot(make_app(api, engine), fake) as bot:
        await bot.say(anna, "/start")
        texts = await bot.press(anna, "Deels")
    assert texts == ["Genoteerd.\n\nVraag 2 <b>&</b>?"]  # one message: one notification
    pressed = Event("tg:1001", EventKind.CHOICE, "a:q1:partly", "", "nl", "424242:2")
    assert engine.events[-1] == pressed
    methods = [c.method for c in fake.calls if c.method != "getUpdates"]
    press = methods[methods.index("answerCallbackQuery") :]
    assert press == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    first = anna.messages()[0]
    assert first["text"].endswith("\n\n✅ Deels")
    assert "reply_markup" not in first
    assert {"type": "bold", "offset": len(first["text"]) - 5, "length": 5} in first["entities"]
    assert anna.buttons() == ["Ja", "Nee", "Deels"]  # the new question's buttons


async def test_a_slow_edit_of_the_answered_question_does_not_hold_back_the_next(
    api: FakeBotApi, fake: FakeBot
) -> None:
    """The answered question's edit goes out beside the reply: on a slow line the next
    question shows without waiting for the edit's round trip."""
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        await bot.say(anna, "/start")
        fake.stall_next("editMessageText")
        arrived = asyncio.Event()
        fake.on_message.append(lambda chat_id, message: arrived.set())
        anna.click("Ja")
        await asyncio.wait_for(arrived.wait(), 3)
        assert fake.stalled  # the edit is still hanging
        assert anna.texts()[-1] == "Genoteerd.\n\nVraag 2 <b>&</b>?"
        assert anna.buttons() == ["Ja", "Nee", "Deels"]


async def test_typed_answer_also_closes_the_open_question(api: FakeBotApi, fake: FakeBot) -> None:
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        await bot.say(anna, "/start")
        await bot.say(anna, "ja")
    first, second = anna.messages()
    assert second["text"].startswith("Genoteerd.")
    assert first["text"].endswith("✅ Ja")
    assert "reply_markup" not in first
    assert second["reply_markup"]


async def test_a_new_question_retires_the_old_buttons(api: FakeBotApi, fake: FakeBot) -> None:
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        await bot.say(anna, "/start")
        await bot.say(anna, "/help")
    old, new = anna.messages()
    assert "reply_markup" not in old
    assert "✅" not in old["text"]
    assert new["reply_markup"]


async def test_long_text_is_split_at_paragraphs(api: FakeBotApi, fake: FakeBot) -> None:
    paragraphs = [f"Alinea {n}: " + "tekst " * 300 for n in range(8)]  # ~14,500 characters

    def long_reply(event: Event) -> list[Reply]:
        return [Reply("\n\n".join(paragraphs), ANSWERS)]

    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(long_reply)), fake) as bot:
        texts = await bot.say(anna, "/summary")
    assert len(texts) == 4
    assert all(len(text) <= 4096 for text in texts)
    assert all(text.startswith("Alinea") for text in texts)
    assert "\n\n".join(texts).split() == "\n\n".join(paragraphs).split()
    assert [bool(m.get("reply_markup")) for m in anna.messages()] == [False] * 3 + [True]


async def test_attachment_is_sent_as_a_document(api: FakeBotApi, fake: FakeBot) -> None:
    pdf = Attachment("imvo-samenvatting.pdf", b"%PDF-1.4 fake", "application/pdf")

    def export(event: Event) -> list[Reply]:
        return [Reply("Hier is je samenvatting & advies.", attachment=pdf)]

    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(export)), fake) as bot:
        texts = await bot.say(anna, "/export")
    assert texts == ["Hier is je samenvatting & advies."]
    call = fake.calls_of("sendDocument")[-1]
    assert call.files["document"] == ("imvo-samenvatting.pdf", b"%PDF-1.4 fake")
    assert fake.calls_of("sendChatAction")[-1].params["action"] == "upload_document"


async def test_a_document_keeps_its_buttons(api: FakeBotApi, fake: FakeBot) -> None:
    pdf = Attachment("imvo-samenvatting.pdf", b"%PDF-1.4 fake", "application/pdf")

    def export(event: Event) -> list[Reply]:
        return [Reply("Nog een formaat?", ANSWERS, attachment=pdf)]

    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(export)), fake) as bot:
        await bot.say(anna, "/export")
    assert "document" in anna.messages()[-1]
    assert anna.buttons() == ["Ja", "Nee", "Deels"]
    assert anna.button_data() == [choice.data for choice in ANSWERS]


async def test_flood_control_is_waited_out(api: FakeBotApi, fake: FakeBot) -> None:
    fake.fail_next("sendMessage", 429, retry_after=1)
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        texts = await bot.say(anna, "/start")
    # the question itself, sent again by the rate limiter (not an apology after a failure)
    assert texts == ["Heeft het bedrijf <IMVO>-beleid & een 'due diligence'?"]
    attempts = [c.error for c in fake.calls if c.method == "sendMessage"]
    assert attempts == ["Too Many Requests: retry after 1", None]


async def test_network_errors_are_retried(
    api: FakeBotApi, fake: FakeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.telegram_send.RETRY_PAUSE", 0.01)
    fake.fail_next("sendMessage", 502, times=2)
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        texts = await bot.say(anna, "/start")
    assert len(texts) == 1
    assert [c.error is None for c in fake.calls if c.method == "sendMessage"] == [
        False,
        False,
        True,
    ]


async def test_double_tap_and_stale_query_are_harmless(
    api: FakeBotApi, fake: FakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        await bot.say(anna, "/start")
        fake.fail_next("editMessageText", 400, NOT_MODIFIED)
        fake.fail_next("answerCallbackQuery", 400)
        with caplog.at_level(logging.WARNING):
            texts = await bot.press(anna, "Ja")
    assert texts == ["Genoteerd.\n\nVraag 2 <b>&</b>?"]  # no apology
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "not modified" in r.getMessage().lower()]


async def test_a_crash_gets_one_apology_in_the_users_language(
    api: FakeBotApi, fake: FakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Event) -> list[Reply]:
        raise RuntimeError("engine exploded")

    anna, bob = fake.user(1001, "Anna", "nl"), fake.user(1002, "Bob", "de")
    async with RunningBot(make_app(api, ScriptedEngine(broken)), fake) as bot:
        with caplog.at_level(logging.INFO):
            assert await bot.say(anna, "mijn werkgever heet Geheim BV") == [
                KNOWLEDGE.text("telegram.apology", "nl")
            ]
            assert await bot.say(bob, "/start") == [KNOWLEDGE.text("telegram.apology", "en")]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    assert all(r.exc_info and "engine exploded" in str(r.exc_info[1]) for r in errors)
    assert "Geheim" not in caplog.text
    assert TOKEN not in caplog.text
    assert "1001" not in caplog.text


async def test_a_blocked_user_is_logged_not_apologised_to(
    api: FakeBotApi, fake: FakeBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next("sendMessage", 403)
    anna = fake.user(1001)
    async with RunningBot(make_app(api, ScriptedEngine(question)), fake) as bot:
        with caplog.at_level(logging.WARNING):
            assert await bot.say(anna, "/start") == []
    assert "blocked" in caplog.text
    assert len([c for c in fake.calls if c.method == "sendMessage"]) == 1


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "document", "location"])
async def test_non_text_gets_i_can_only_read_text(
    api: FakeBotApi, fake: FakeBot, kind: str
) -> None:
    engine = ScriptedEngine(question)
    anna, bob = fake.user(1001, "Anna", "nl"), fake.user(1002, "Bob", "en")
    async with RunningBot(make_app(api, engine), fake) as bot:
        await bot.settle(anna.send_media(kind))
        await bot.settle(bob.send_media(kind))
    assert anna.texts() == [KNOWLEDGE.text("telegram.only_text", "nl")]
    assert bob.texts() == [KNOWLEDGE.text("telegram.only_text", "en")]
    assert engine.events == []


async def test_groups_get_the_private_chat_explanation_only(
    api: FakeBotApi, fake: FakeBot
) -> None:
    engine = ScriptedEngine(question)
    group = {"id": -100123, "type": "supergroup", "title": "OR Acme"}
    anna = fake.user(1001, "Anna", "nl", chat=group)
    explanation = KNOWLEDGE.text("telegram.private_only", "nl", bot_username=fake.me["username"])
    async with RunningBot(make_app(api, engine), fake) as bot:
        assert await bot.say(anna, "/start@imvo_coach_test_bot") == [explanation]
        assert await bot.say(anna, "ja hoor, wij hebben beleid") == []
        await bot.settle(anna.send_media("photo"))
        await bot.settle(anna.join_group())
    assert anna.texts() == [explanation, explanation]
    assert engine.events == []
    assert not fake.calls_of("editMessageText")


async def test_dutch_aliases_arguments_and_language_hints(api: FakeBotApi, fake: FakeBot) -> None:
    engine = ScriptedEngine(question)
    anna, bob, cleo = fake.user(1, "A", "nl"), fake.user(2, "B", "pt-br"), fake.user(3, "C", None)
    async with RunningBot(make_app(api, engine, default_language="en"), fake) as bot:
        await bot.say(anna, "/hulp")
        await bot.say(anna, "/taal en")
        await bot.say(bob, "/Summary@imvo_coach_test_bot")
        await bot.say(cleo, "/OVERSLAAN")
    assert [(e.user_id, e.kind, e.data, e.argument, e.language_hint) for e in engine.events] == [
        ("tg:1", EventKind.COMMAND, "help", "", "nl"),
        ("tg:1", EventKind.COMMAND, "language", "en", "nl"),
        ("tg:2", EventKind.COMMAND, "summary", "", "en"),
        ("tg:3", EventKind.COMMAND, "skip", "", "en"),
    ]


async def test_edited_messages_are_ignored(api: FakeBotApi, fake: FakeBot) -> None:
    engine = ScriptedEngine(question)
    anna = fake.user(1001)
    async with RunningBot(make_app(api, engine), fake) as bot:
        await bot.say(anna, "/start")
        edited = {**anna.messages()[0], "from": anna.data, "text": "nee", "edit_date": 1}
        await bot.settle(fake.push("edited_message", edited))
    assert len(engine.events) == 1


async def test_heartbeat_file_is_touched(api: FakeBotApi, fake: FakeBot, tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    app = make_app(api, ScriptedEngine(question), heartbeat_file=beat)
    async with RunningBot(app, fake):
        for _ in range(100):  # the first touch is scheduled right after start
            if beat.exists():
                break
            await asyncio.sleep(0.01)
    assert beat.exists()


async def test_presses_on_forged_or_very_old_messages(api: FakeBotApi, fake: FakeBot) -> None:
    engine = ScriptedEngine(question)
    anna = fake.user(1001)
    group = {"id": -100123, "type": "supergroup", "title": "OR Acme"}
    async with RunningBot(make_app(api, engine), fake) as bot:
        await bot.say(anna, "/start")
        fake.open_queries.update({"q-group", "q-old"})
        in_group = {"message_id": 1, "date": 1, "chat": group, "text": "x"}
        press = {"from": anna.data, "chat_instance": "c", "data": "a:q1:yes"}
        await bot.settle(
            fake.push("callback_query", {**press, "id": "q-group", "message": in_group})
        )
        assert len(engine.events) == 1  # the group press never reaches the engine
        # Telegram sends date 0 for a message too old to show: still a press, nothing to edit.
        too_old = {"message_id": 1, "date": 0, "chat": anna.chat}
        await bot.settle(fake.push("callback_query", {**press, "id": "q-old", "message": too_old}))
    old_press = Event("tg:1001", EventKind.CHOICE, "a:q1:yes", "", "nl", "424242:3")
    assert engine.events[-1] == old_press
    assert not fake.calls_of("editMessageText")
    assert [c.params["callback_query_id"] for c in fake.calls_of("answerCallbackQuery")] == [
        "q-group",
        "q-old",
    ]
    assert anna.texts()[-1] == "Genoteerd.\n\nVraag 2 <b>&</b>?"
