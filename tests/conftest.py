"""Shared fixtures: the shipped knowledge base, a store in ``tmp_path``, an engine, and a
``Chat`` that drives the engine like a user and checks every reply it gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conversations.choices import MAX_DATA_BYTES, decode
from conversations.engine import Engine
from conversations.events import Choice, Event, EventKind, Reply
from knowledge.loader import KnowledgeBase, default_knowledge
from storage import AnswerRecord, AssessmentRecord, Position, Store


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base (loaded once per test run)."""
    return default_knowledge()


@pytest.fixture(scope="session")
def understanding(knowledge: KnowledgeBase):
    """Answer understanding of the shipped knowledge base (built once per test run)."""
    from knowledge.understanding import Understanding

    return Understanding(knowledge)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "imvo-coach.db"


@pytest.fixture
def store(db_path: Path):
    """A fresh SQLite store in ``tmp_path``."""
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def engine(knowledge: KnowledgeBase, store: Store, understanding) -> Engine:
    """The dialogue engine on the fresh store."""
    return Engine(knowledge, store, understanding)


class Chat:
    """One user talking to an engine; keeps the last replies and their buttons."""

    def __init__(self, engine: Engine, user_id: str, language_hint: str | None = "nl") -> None:
        self.engine = engine
        self.user_id = user_id
        self.language_hint = language_hint
        self.replies: list[Reply] = []

    def send(self, kind: EventKind, data: str, argument: str = "") -> list[Reply]:
        event = Event(self.user_id, kind, data, argument, language_hint=self.language_hint)
        self.replies = self.engine.handle(event)
        assert self.replies, f"no reply to {kind} {data!r}"
        for reply in self.replies:
            assert reply.text.strip(), "every reply says something"
            for choice in reply.choices:
                assert choice.label.strip()
                assert len(choice.data.encode()) <= MAX_DATA_BYTES, choice
                assert decode(choice.data) is not None, choice
        return self.replies

    def say(self, text: str) -> list[Reply]:
        return self.send(EventKind.TEXT, text)

    def command(self, name: str, argument: str = "") -> list[Reply]:
        return self.send(EventKind.COMMAND, name, argument)

    def press(self, label: str) -> list[Reply]:
        """Press the button with this label (from the last replies)."""
        return self.send(EventKind.CHOICE, self.choice(label).data)

    def choice(self, label: str) -> Choice:
        for choice in self.choices:
            if choice.label == label:
                return choice
        raise AssertionError(f"no button {label!r}; buttons: {[c.label for c in self.choices]}")

    @property
    def choices(self) -> list[Choice]:
        return [choice for reply in self.replies for choice in reply.choices]

    @property
    def text(self) -> str:
        return "\n\n".join(reply.text for reply in self.replies)

    @property
    def position(self) -> Position | None:
        return self.engine.store.load_position(self.user_id)

    @property
    def state(self) -> str | None:
        position = self.position
        return position.state if position else None

    def assessments(self) -> list[AssessmentRecord]:
        return self.engine.store.list_assessments(self.user_id)

    def current(self) -> AssessmentRecord:
        position = self.position
        assert position is not None
        assert "assessment" in position.data, position
        return self.engine.store.assessment(self.user_id, position.data["assessment"])

    def answers(self, assessment_id: int | None = None) -> dict[str, AnswerRecord]:
        if assessment_id is None:
            assessment_id = self.current().id
        return self.engine.store.answers_for(self.user_id, assessment_id)


@pytest.fixture
def chat(engine: Engine) -> Callable[..., Chat]:
    """Make a ``Chat`` for a user: ``chat("alice")``, ``chat("bob", "en")``."""

    def make(user: str = "alice", language_hint: str | None = "nl") -> Chat:
        return Chat(engine, f"test:{user}", language_hint)

    return make


@pytest.fixture
async def api():
    """A fake Telegram Bot API server on 127.0.0.1 (random port), stopped after the test."""
    from tests.fake_bot_api import FakeBotApi

    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for injecting one defect per test."""
    import shutil

    from knowledge.loader import DEFAULT_KNOWLEDGE_DIR

    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target
