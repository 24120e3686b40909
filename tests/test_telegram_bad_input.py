"""Bad input through the real stack (PTB polling the fake Bot API, which parses HTML like
Telegram does): each gets the engine's own clear reply, every text the user typed is
shown escaped, nothing stored changes wrongly, and an update delivered twice counts once.

A twin engine on its own database gets the same events directly: the bot must show and
store exactly what the engine says and stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import BotConfig
from bot.telegram_app import build_application
from bot.telegram_render import split_text
from bot.telegram_send import join_texts
from conversations.engine import Engine
from conversations.events import Event, EventKind
from conversations.text_input import clean_text, one_line
from storage import Store
from tests.fake_bot_api import FakeBot, FakeBotApi, FakeUser, RunningBot

TOKEN = "717171:bad-input-test"
BOT_ID = TOKEN.split(":")[0]
APOLOGY = "Sorry, er ging iets mis"


@pytest.fixture
def fake(api: FakeBotApi) -> FakeBot:
    return api.add_bot(TOKEN)


class Twin:
    """The engine fed directly, with the same delivery IDs the bot uses."""

    def __init__(self, knowledge, understanding, path: Path) -> None:
        self.store = Store(path)
        self.engine = Engine(knowledge, self.store, understanding)

    def expect(self, user: FakeUser, kind: EventKind, data: str, argument: str = "") -> list[str]:
        event = Event(
            f"tg:{user.data['id']}",
            kind,
            data,
            argument,
            "nl",
            delivery_id=f"{BOT_ID}:{user.last_update_id}",
        )
        return [
            part
            for reply in join_texts(self.engine.handle(event))
            for part in split_text(reply.text)
        ]


class Session:
    """One user of the bot, each step checked against the twin."""

    def __init__(self, bot: RunningBot, twin: Twin, user: FakeUser) -> None:
        self.bot, self.twin, self.user = bot, twin, user

    async def say(self, text: str) -> list[str]:
        before = len(self.user.messages())
        await self.bot.settle(self.user.send(text))
        shown = self.user.texts()[before:]
        if text.startswith("/") and text[1:].split()[0] in ("new", "rename", "skip", "list"):
            name, *words = text[1:].split()
            expected = self.twin.expect(self.user, EventKind.COMMAND, name, " ".join(words))
        else:
            expected = self.twin.expect(self.user, EventKind.TEXT, text)
        assert shown == expected
        return shown

    async def tap(self, prefix: str, suffix: str = "") -> list[str]:
        data = next(
            d for d in self.user.button_data() if d.startswith(prefix) and d.endswith(suffix)
        )
        before = len(self.user.messages())
        await self.bot.settle(self.user.tap(data))
        shown = self.user.texts()[before:]
        assert shown == self.twin.expect(self.user, EventKind.CHOICE, data)
        return shown

    async def again(self) -> list[str]:
        """Telegram delivers the user's last update once more."""
        shown = await self.bot.redeliver(self.user, self.user.last_update_id)
        data = self.user.bot.sent[self.user.last_update_id]
        message = data.get("message") or {}
        if "callback_query" in data:
            kind, value, argument = EventKind.CHOICE, data["callback_query"]["data"], ""
        elif message.get("entities"):
            name, *words = message["text"][1:].split()
            kind, value, argument = EventKind.COMMAND, name, " ".join(words)
        else:
            kind, value, argument = EventKind.TEXT, message["text"], ""
        assert shown == self.twin.expect(self.user, kind, value, argument)
        return shown


@pytest.fixture
async def anna(
    api: FakeBotApi, fake: FakeBot, knowledge, understanding, tmp_path: Path
) -> AsyncIterator[Session]:
    """Anna at question 2 of the union checklist, one answer stored."""
    store = Store(tmp_path / "bot.db")
    twin = Twin(knowledge, understanding, tmp_path / "twin.db")
    config = BotConfig(token=TOKEN, api_url=api.base_url, rate_limit=0)
    app = build_application(config, Engine(knowledge, store, understanding), knowledge)
    user = fake.user(1001, "Anna", "nl")
    async with RunningBot(app, fake) as bot:
        session = Session(bot, twin, user)
        await session.say("/new")
        await session.tap("cl:union")
        await session.say("Acme")
        await session.tap("cx:")
        await session.tap("cx:")
        await session.tap("a:", ":no")
        session.store = store  # type: ignore[attr-defined]
        yield session
    store.close()
    twin.store.close()


def stored(store: Store) -> list[tuple[str, str, str | None]]:
    (assessment,) = store.list_assessments("tg:1001")
    return [(a.question, a.text, a.stance) for a in store.answer_history("tg:1001", assessment.id)]


def refused_calls(fake: FakeBot) -> list[tuple[str, str]]:
    return [(c.method, c.error) for c in fake.calls if c.error and c.method != "getUpdates"]


BAD_MESSAGES = [
    pytest.param("ja " * 3334, id="10000-characters"),
    pytest.param("🏭🙂👍", id="only-emoji"),
    pytest.param("نعم، هناك نقابة مستقلة", id="rtl-arabic"),
    pytest.param("כן יש", id="rtl-hebrew"),
    pytest.param("\x00\x07\x1b\x7f", id="control"),
    pytest.param("\u200b\u200d\ufeff\u202e", id="zero-width"),
    # markup without answer words (markup around "nee" may be read as the answer "nee")
    pytest.param("<b>hallo</b> <script>alert(1)</script> & </pre> &amp; <a href=x>", id="html"),
    pytest.param("*ja* _nee_ `code` [klik](https://e.vil) ||geheim||", id="markdown"),
    pytest.param("/frobnicate now", id="unknown-command"),
]


@pytest.mark.parametrize("text", BAD_MESSAGES)
async def test_a_bad_message_gets_the_engines_reply_and_changes_nothing(
    anna: Session, fake: FakeBot, text: str
) -> None:
    before = stored(anna.store)
    shown = await anna.say(text)
    assert shown
    assert not [line for line in shown if line.startswith(APOLOGY)]
    assert refused_calls(fake) == []  # every reply parsed as Telegram HTML
    assert stored(anna.store) == before == stored(anna.twin.store)


HOSTILE_NAMES = [
    pytest.param("<b>Acme</b> & <script>alert(1)</script> </pre> &amp; &lt;", id="html"),
    pytest.param("*Staal* _BV_ `code` [klik](https://e.vil) ~~x~~ ||s||", id="markdown"),
    pytest.param("شركة النسيج ‏(Egypte)", id="rtl"),
    pytest.param("Z\u200bwijg\u200dstaal \u202eBV", id="zero-width-and-override"),
    pytest.param("🏭 Fabriek 👷\u200d♀️", id="emoji"),
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_typed_names_are_shown_as_typed_never_as_formatting(
    anna: Session, fake: FakeBot, name: str
) -> None:
    visible = one_line(clean_text(name))  # invisible and control characters are dropped
    shown = await anna.say(f"/rename {name}")
    assert any(visible in line for line in shown)  # after Telegram parsed the HTML
    listed = await anna.say("/list")
    assert any(visible in line for line in listed)
    assert refused_calls(fake) == []
    (assessment,) = anna.store.list_assessments("tg:1001")
    assert assessment.name == visible


async def test_an_update_delivered_twice_counts_once(anna: Session) -> None:
    await anna.say("nee")  # a typed answer to question 2
    shown = await anna.again()
    assert len(shown) == 1
    assert shown[0].startswith("Vraag 3 van 13")  # where Anna is; nothing stored again
    await anna.tap("a:", ":yes")  # a pressed answer to question 3
    assert (await anna.again())[0].startswith("Vraag 4 van 13")
    await anna.say("/skip")
    assert (await anna.again())[0].startswith("Vraag 5 van 13")  # not skipped twice
    assert [stance for _, _, stance in stored(anna.store)] == ["no", "no", "yes"]
    assert stored(anna.store) == stored(anna.twin.store)
    position = anna.store.load_position("tg:1001")
    assert position == anna.twin.store.load_position("tg:1001")
