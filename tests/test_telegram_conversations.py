"""Whole conversations through the real stack: PTB polling the fake Bot API, the real
engine, a real SQLite store.

Each Telegram transcript is compared with a twin engine on its own store that gets the
same events directly: the bot must show exactly what the engine says, whatever the
checklist content is, plus the Telegram touches (answered marks, one live keyboard).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.config import BotConfig
from bot.telegram_app import build_application
from bot.telegram_render import split_text
from bot.telegram_send import join_texts
from conversations.engine import Engine
from conversations.events import Event, EventKind, Reply
from knowledge import KnowledgeBase, default_knowledge
from storage import Store
from tests.fake_bot_api import FakeBot, FakeBotApi, FakeUser, RunningBot

TOKEN = "515151:conversation-test"
ANSWER_YES = "a:"  # callback data prefixes the engine makes (conversations/choices.py)
SKIP_CONTEXT = "cx:"
CHECKLIST = "cl:union"


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture
def fake(api: FakeBotApi) -> FakeBot:
    return api.add_bot(TOKEN)


class Deployment:
    """The bot's database plus a way to (re)start the Application on it."""

    def __init__(self, api: FakeBotApi, fake: FakeBot, knowledge: KnowledgeBase, db: Path) -> None:
        self.api, self.fake, self.knowledge, self.db = api, fake, knowledge, db
        self.stores: list[Store] = []

    def app(self) -> Application:
        store = Store(self.db)
        self.stores.append(store)
        config = BotConfig(token=TOKEN, api_url=self.api.base_url, db_path=self.db)
        return build_application(config, Engine(self.knowledge, store), self.knowledge)

    def running(self) -> RunningBot:
        return RunningBot(self.app(), self.fake)

    def close(self) -> None:
        for store in self.stores:
            store.close()


@pytest.fixture
def deployment(
    api: FakeBotApi, fake: FakeBot, knowledge: KnowledgeBase, tmp_path: Path
) -> Iterator[Deployment]:
    deployed = Deployment(api, fake, knowledge, tmp_path / "bot.db")
    yield deployed
    deployed.close()


class Twin:
    """The same engine fed directly: what the bot should show for each step."""

    def __init__(self, knowledge: KnowledgeBase, path: Path) -> None:
        self.store = Store(path)
        self.engine = Engine(knowledge, self.store)

    def expect(self, user: FakeUser, kind: EventKind, data: str, argument: str = "") -> list[str]:
        hint = "nl" if str(user.data.get("language_code", "nl")).startswith("nl") else "en"
        event = Event(f"tg:{user.data['id']}", kind, data, argument, hint)
        return texts_of(self.engine.handle(event))


def texts_of(replies: list[Reply]) -> list[str]:
    return [part for reply in join_texts(replies) for part in split_text(reply.text)]


@pytest.fixture
def twin(knowledge: KnowledgeBase, tmp_path: Path) -> Iterator[Twin]:
    made = Twin(knowledge, tmp_path / "twin.db")
    yield made
    made.store.close()


async def start_checklist(bot: RunningBot, twin: Twin, user: FakeUser) -> None:
    """/start, /new, choose the union checklist, skip name, country and sector."""
    assert await bot.say(user, "/start") == twin.expect(user, EventKind.COMMAND, "start")
    assert await bot.say(user, "/new") == twin.expect(user, EventKind.COMMAND, "new")
    for prefix in (CHECKLIST, SKIP_CONTEXT, SKIP_CONTEXT, SKIP_CONTEXT):
        data = next(d for d in user.button_data() if d.startswith(prefix))
        assert await bot.tap(user, data) == twin.expect(user, EventKind.CHOICE, data)


async def answer_by_button(
    bot: RunningBot, twin: Twin, user: FakeUser, stance: str, message: dict | None = None
) -> str:
    """Press the ``stance`` button of ``message`` (default: the current question)."""
    data = next(
        d for d in user.button_data(message) if d.startswith(ANSWER_YES) and d.endswith(stance)
    )
    label = user.buttons(message)[user.button_data(message).index(data)]
    before = len(user.messages())
    await bot.settle(user.click(label, message, data))
    assert user.texts()[before:] == twin.expect(user, EventKind.CHOICE, data)
    return data


async def test_a_whole_checklist_by_buttons(
    deployment: Deployment, twin: Twin, fake: FakeBot, knowledge: KnowledgeBase
) -> None:
    anna = fake.user(1001, "Anna", "nl")
    questions = knowledge.checklist("union").questions
    async with deployment.running() as bot:
        await start_checklist(bot, twin, anna)
        for index in range(len(questions)):
            question_message = anna.messages()[-1]
            assert f"{index + 1}" in question_message["text"]
            await answer_by_button(bot, twin, anna, ":yes" if index % 2 else ":no")
            answered = next(
                m for m in anna.messages() if m["message_id"] == question_message["message_id"]
            )
            assert "reply_markup" not in answered
            assert answered["text"].endswith("✅ " + ("Ja" if index % 2 else "Nee"))
        assert await bot.say(anna, "/summary") == twin.expect(anna, EventKind.COMMAND, "summary")
        assert await bot.say(anna, "/export") == twin.expect(anna, EventKind.COMMAND, "export")
        pdf = next(d for d in anna.button_data() if d.startswith("fmt:") and d.endswith(":pdf"))
        expected = twin.expect(anna, EventKind.CHOICE, pdf)
        await bot.tap(anna, pdf)
        document = fake.calls_of("sendDocument")[-1]
        name, content = document.files["document"]
        assert name.endswith(".pdf")
        assert content.startswith(b"%PDF")
        assert document.params.get("caption", "") in "\n".join(expected)
        # Every other format reaches the user as a file too.
        magic = {"docx": b"PK", "md": b"# ", "csv": b"\xef\xbb\xbf", "json": b"{"}
        for fmt, start in magic.items():
            assert await bot.say(anna, "/export") == twin.expect(anna, EventKind.COMMAND, "export")
            data = next(
                d for d in anna.button_data() if d.startswith("fmt:") and d.endswith(f":{fmt}")
            )
            twin.expect(anna, EventKind.CHOICE, data)
            await bot.tap(anna, data)
            name, content = fake.calls_of("sendDocument")[-1].files["document"]
            assert name.endswith(f".{fmt}")
            assert content.startswith(start)
    store = deployment.stores[-1]
    (assessment,) = store.list_assessments("tg:1001")
    assert len(store.answers_for("tg:1001", assessment.id)) == len(questions)
    live_keyboards = [m for m in anna.messages() if m.get("reply_markup")]
    assert len(live_keyboards) <= 1


async def test_a_letter_and_a_visit_plan_arrive_as_files(
    deployment: Deployment, twin: Twin, fake: FakeBot
) -> None:
    """/documenten offers the letters and the plan; each is sent as a file from memory."""
    anna = fake.user(1003, "Anna", "nl")
    async with deployment.running() as bot:
        await start_checklist(bot, twin, anna)
        await answer_by_button(bot, twin, anna, ":unknown")
        magic = {"pdf": b"%PDF", "docx": b"PK", "md": b"# "}
        for kind, fmt in (("info", "pdf"), ("initiative", "docx"), ("visit", "md")):
            shown = await bot.say(anna, "/documenten")
            assert shown == twin.expect(anna, EventKind.COMMAND, "documenten")
            chosen = next(
                d for d in anna.button_data() if d.startswith("dk:") and d.endswith(kind)
            )
            twin.expect(anna, EventKind.CHOICE, chosen)
            await bot.tap(anna, chosen)
            made = next(d for d in anna.button_data() if d.startswith("df:") and d.endswith(fmt))
            twin.expect(anna, EventKind.CHOICE, made)
            await bot.tap(anna, made)
            name, content = fake.calls_of("sendDocument")[-1].files["document"]
            assert name.endswith(f".{fmt}")
            assert content.startswith(magic[fmt])
        assert b"Bezoekplan" in content


async def test_typed_answers_and_a_knowledge_question(
    deployment: Deployment, twin: Twin, fake: FakeBot, knowledge: KnowledgeBase
) -> None:
    bob = fake.user(1002, "Bob", "en-GB")
    faq = knowledge.topics["due_diligence"].answer.en
    async with deployment.running() as bot:
        await start_checklist(bot, twin, bob)
        # A knowledge question in the middle of the checklist is answered (FAQ).
        shown = await bot.say(bob, "What is due diligence?")
        assert shown == twin.expect(bob, EventKind.TEXT, "What is due diligence?")
        assert any(faq[:60] in text for text in shown)
        for text in ("no, there is nothing like that", "yes"):
            assert await bot.say(bob, text) == twin.expect(bob, EventKind.TEXT, text)
    # Every answer the engine stored is marked under its question, and only one keyboard lives.
    store = deployment.stores[-1]
    (assessment,) = store.list_assessments("tg:1002")
    marked = [m for m in bob.messages() if "\n\n✅ " in m["text"]]
    assert len(marked) == len(store.answers_for("tg:1002", assessment.id))
    assert not [m for m in marked if m.get("reply_markup")]
    assert len([m for m in bob.messages() if m.get("reply_markup")]) == 1


async def test_restart_resumes_where_the_user_was(
    deployment: Deployment, twin: Twin, fake: FakeBot
) -> None:
    anna = fake.user(1001, "Anna", "nl")
    async with deployment.running() as bot:
        await start_checklist(bot, twin, anna)
        await answer_by_button(bot, twin, anna, ":yes")
        await answer_by_button(bot, twin, anna, ":no")
        third = dict(anna.messages()[-1])
    # A new Application, engine and store on the same database: nothing kept in memory.
    async with deployment.running() as bot:
        assert await bot.say(anna, "/start") == twin.expect(anna, EventKind.COMMAND, "start")
        third_again = dict(anna.messages()[-1])
        # the same question, asked again (after the welcome, in the same message)
        _welcome, _, asked = third_again["text"].partition("\n\n")
        assert third["text"].endswith(asked)
        assert third_again["reply_markup"] == third["reply_markup"]
        # The keyboard from before the restart still works: it is the current question.
        await answer_by_button(bot, twin, anna, ":yes", third)
        # Now the copy asked after the restart is old: the engine refuses the press.
        await answer_by_button(bot, twin, anna, ":yes", third_again)
    store = deployment.stores[-1]
    (assessment,) = store.list_assessments("tg:1001")
    assert [a.stance for a in store.answers_for("tg:1001", assessment.id).values()] == [
        "yes",
        "no",
        "yes",
    ]


async def test_two_users_at_once_stay_apart(
    deployment: Deployment, twin: Twin, fake: FakeBot
) -> None:
    anna, bob = fake.user(1001, "Anna", "nl"), fake.user(1002, "Bob", "en")
    async with deployment.running() as bot:
        await start_checklist(bot, twin, anna)
        await start_checklist(bot, twin, bob)
        # Both press at the same moment: the two updates arrive in one getUpdates batch.
        anna_yes = next(d for d in anna.button_data() if d.endswith(":yes"))
        bob_no = next(d for d in bob.button_data() if d.endswith(":no"))
        before_anna, before_bob = len(anna.messages()), len(bob.messages())
        anna.tap(anna_yes)
        await bot.settle(bob.tap(bob_no))
        assert anna.texts()[before_anna:] == twin.expect(anna, EventKind.CHOICE, anna_yes)
        assert bob.texts()[before_bob:] == twin.expect(bob, EventKind.CHOICE, bob_no)
        # Bob forging Anna's button changes nothing of Anna's.
        before = len(bob.messages())
        await bot.settle(bob.click(bob.buttons()[0], None, anna_yes))
        assert bob.texts()[before:] == twin.expect(bob, EventKind.CHOICE, anna_yes)
    store = deployment.stores[-1]
    answers = {}
    for user_id in ("tg:1001", "tg:1002"):
        (assessment,) = store.list_assessments(user_id)
        answers[user_id] = [a.stance for a in store.answers_for(user_id, assessment.id).values()]
    assert answers == {"tg:1001": ["yes"], "tg:1002": ["no"]}


async def test_photo_and_group_leave_the_dialogue_alone(
    deployment: Deployment, twin: Twin, fake: FakeBot, knowledge: KnowledgeBase
) -> None:
    anna = fake.user(1001, "Anna", "nl")
    in_group = fake.user(1001, "Anna", "nl", chat={"id": -4001, "type": "group", "title": "OR"})
    async with deployment.running() as bot:
        await start_checklist(bot, twin, anna)
        question = anna.messages()[-1]
        before = len(anna.messages())
        await bot.settle(anna.send_media("photo"))
        assert anna.texts()[before:] == [knowledge.text("telegram.only_text", "nl")]
        assert await bot.say(in_group, "/new") == [
            knowledge.text("telegram.private_only", "nl", bot_username=fake.me["username"])
        ]
        # The question is still open and answerable.
        assert anna.messages()[before - 1]["reply_markup"] == question["reply_markup"]
        # Had the group's /new reached the engine, this press would now be refused.
        await answer_by_button(bot, twin, anna, ":yes")


async def test_idle_chat_data_is_pruned(
    api: FakeBotApi, fake: FakeBot, knowledge: KnowledgeBase, tmp_path: Path
) -> None:
    from types import SimpleNamespace

    deployment = Deployment(api, fake, knowledge, tmp_path / "prune.db")
    anna, bob = fake.user(4401, "Anna"), fake.user(4402, "Bob")
    try:
        async with deployment.running() as bot:
            await bot.say(anna, "/new")
            await bot.say(bob, "/new")
            assert set(bot.app.chat_data) == {4401, 4402}  # each has an open question
            adapter = bot.app.bot_data["adapter"]
            context = SimpleNamespace(application=bot.app)
            assert await adapter.prune_chat_data(context) == 0  # both active just now
            adapter.last_seen[4401] -= 7200  # Anna was idle for two hours
            assert await adapter.prune_chat_data(context) == 1
            assert set(bot.app.chat_data) == {4402}
            assert await adapter.prune_chat_data(context, idle=0) == 1
            assert dict(bot.app.chat_data) == {}
            assert adapter.last_seen == {}
            await bot.say(anna, "/help")  # a pruned chat still works
    finally:
        deployment.close()
