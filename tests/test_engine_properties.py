"""Random conversations (hypothesis): whatever two users send, the engine never fails,
help and stop always work, and every stored answer is the user's own and valid."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.engine import Engine
from conversations.events import EventKind
from knowledge.schema import Stance
from storage import Store
from tests.conftest import Chat

APOLOGY = "Sorry, er ging iets mis"
TEXTS = [
    "ja",
    "nee",
    "deels",
    "weet ik niet",
    "overslaan",
    "terug",
    "stop",
    "samenvatting",
    "opnieuw",
    "help",
    "Wat is ILO-verdrag 87?",
    "Zoë BV",
    "",
    "🙂",
    "x" * 5000,
    "3",
    "nee, en wie lid wordt, wordt ontslagen",
    "\x00\u200b",
    "<b>ja</b>",
    "نعم",
]
COMMANDS = [
    "start",
    "help",
    "new",
    "list",
    "resume",
    "summary",
    "export",
    "language",
    "stop",
    "forget",
    "skip",
    "back",
    "restart",
    "edit",
    "rename",
    "bogus",
]
FORGED = [
    "a:1:0:yes",
    "res:1",
    "res:2",
    "dy:1",
    "fy",
    "fn",
    "eq:1:3",
    "cl:union",
    "cx:name",
    "fmt:1:md",
    "lang:en",
    "ac:2",
    "ren:1",
    "del:2",
    "ok:1:0",
    "cmd:new",
]

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
)
script = st.lists(st.tuples(st.sampled_from([0, 1]), step), min_size=1, max_size=40)


def send(user: Chat, action: tuple[str, object]) -> None:
    kind, value = action
    if kind == "text":
        user.say(str(value))
    elif kind == "command":
        user.command(str(value), "en" if value == "language" else "")
    elif kind == "press" and user.choices:
        user.send(EventKind.CHOICE, user.choices[int(value) % len(user.choices)].data)
    elif kind == "forged":
        user.send(EventKind.CHOICE, str(value))
    else:
        user.command("help")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script)
def test_random_conversations_keep_every_invariant(knowledge, understanding, steps) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "p.db") as store:
        engine = Engine(knowledge, store, understanding)
        users = [Chat(engine, "prop:a"), Chat(engine, "prop:b", "en")]
        for who, action in steps:
            send(users[who], action)
            assert not users[who].text.startswith(APOLOGY), users[who].text
        for user in users:
            user.command("help")
            assert not user.text.startswith(APOLOGY)
            user.command("stop")
            assert user.state == "menu"
        stances = {s.value for s in Stance}
        for user in users:
            for assessment in store.list_assessments(user.user_id):
                assert assessment.user == user.user_id
                questions = {q.id for q in knowledge.checklist(assessment.checklist).questions}
                for answer in store.answer_history(user.user_id, assessment.id):
                    assert answer.question in questions
                    assert answer.stance in stances
        rows = store.db.execute(
            "SELECT COUNT(*) FROM answers WHERE assessment NOT IN (SELECT id FROM assessments)"
        ).fetchone()[0]
        assert rows == 0
