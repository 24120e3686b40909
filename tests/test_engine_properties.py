"""Random conversations (hypothesis): whatever three users send, in whatever order, and
whatever arrives twice, the engine never fails, help and stop always work, a user's
events never change another user's data, every stored answer is the user's own and
answers a real question, and summaries count exactly what is stored.

About 400 examples of 10 to 80 events each: about ten thousand events per run."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.commands import COMMANDS as ENGINE_COMMANDS
from conversations.engine import Engine
from conversations.events import Event, EventKind, Reply
from knowledge.schema import Stance
from storage import Store

APOLOGIES = ("Sorry, er ging iets mis", "Sorry, something went wrong")
TEXTS = [
    "ja",
    "nee",
    "deels",
    "weet ik niet",
    "yes",
    "no",
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
    "<b>ja</b> & </pre>",
    "*nee* _x_",
    "نعم",
    "/frobnicate",
]
# every engine command, plus one it does not know
COMMANDS = [*ENGINE_COMMANDS, "bogus"]
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
    "sum:3",
    "exp:1",
]
USERS = ("prop:a", "prop:b", "prop:c")
HINTS = ("nl", "en", None)

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("again"), st.none()),
)
script = st.lists(
    st.tuples(st.integers(min_value=0, max_value=len(USERS) - 1), step), min_size=10, max_size=80
)


@dataclass
class User:
    """One simulated person: the replies they saw and the last event they sent."""

    id: str
    hint: str | None
    replies: list[Reply] = field(default_factory=list)
    last: Event | None = None
    sent: int = 0

    def event(self, kind: EventKind, data: str, argument: str = "") -> Event:
        self.sent += 1
        return Event(self.id, kind, data, argument, self.hint, delivery_id=f"d{self.sent}")


def next_event(user: User, action: tuple[str, object]) -> Event:
    kind, value = action
    choices = [choice for reply in user.replies for choice in reply.choices]
    if kind == "text":
        return user.event(EventKind.TEXT, str(value))
    if kind == "command":
        return user.event(EventKind.COMMAND, str(value), "en" if value == "language" else "")
    if kind == "press" and choices:
        return user.event(EventKind.CHOICE, choices[int(value) % len(choices)].data)
    if kind == "forged":
        return user.event(EventKind.CHOICE, str(value))
    if kind == "again" and user.last is not None:
        return user.last  # the same delivery once more
    return user.event(EventKind.COMMAND, "help")


ROWS_OF = {
    "users": "SELECT * FROM users WHERE id {op} ? ORDER BY id",
    "assessments": "SELECT * FROM assessments WHERE user {op} ? ORDER BY id",
    "answers": "SELECT answers.* FROM answers JOIN assessments"
    " ON assessments.id = answers.assessment WHERE assessments.user {op} ? ORDER BY answers.id",
    "positions": "SELECT * FROM positions WHERE user {op} ? ORDER BY user",
}


def rows(store: Store, user_id: str, *, others: bool = False) -> list[list[tuple]]:
    """Every row about ``user_id`` (or, with ``others``, about everyone else)."""
    op = "!=" if others else "="
    return [store.db.execute(sql.format(op=op), [user_id]).fetchall() for sql in ROWS_OF.values()]


def answered_count(store: Store, knowledge, user_id: str, assessment) -> int:
    """Questions of the checklist whose latest stored answer has a stance or words, a
    "don't know" not included (reports count those apart)."""
    latest = store.answers_for(user_id, assessment.id)
    questions = knowledge.checklist(assessment.checklist).questions
    stances = {s.value for s in Stance}
    return sum(
        1
        for q in questions
        if q.id in latest
        and (latest[q.id].stance in stances or latest[q.id].text.strip())
        and latest[q.id].stance != Stance.UNKNOWN.value
    )


def handle(engine: Engine, user: User, event: Event) -> None:
    user.replies = engine.handle(event)
    user.last = event
    assert user.replies, event
    for reply in user.replies:
        assert reply.text.strip()
        assert not reply.text.startswith(APOLOGIES), reply.text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script)
def test_random_conversations_keep_every_invariant(knowledge, understanding, steps) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "p.db") as store:
        engine = Engine(knowledge, store, understanding)
        users = [User(user_id, hint) for user_id, hint in zip(USERS, HINTS, strict=True)]
        for who, action in steps:
            user = users[who]
            others = rows(store, user.id, others=True)
            event = next_event(user, action)
            repeated = event is user.last
            mine = rows(store, user.id) if repeated else None
            handle(engine, user, event)
            assert rows(store, user.id, others=True) == others  # never someone else's rows
            if repeated:
                assert rows(store, user.id) == mine  # a redelivery changes nothing

        stances = {s.value for s in Stance}
        for user in users:
            for assessment in store.list_assessments(user.id):
                assert assessment.user == user.id
                questions = {q.id for q in knowledge.checklist(assessment.checklist).questions}
                for answer in store.answer_history(user.id, assessment.id):
                    assert answer.question in questions
                    assert answer.stance in stances
                # The summary counts exactly what is stored.
                handle(engine, user, user.event(EventKind.CHOICE, f"sum:{assessment.id}"))
                total = len(questions)
                counted = knowledge.text(
                    "report.counts_answered",
                    engine.language_of(user.id),
                    answered=answered_count(store, knowledge, user.id, assessment),
                    total=total,
                )
                assert counted in "\n".join(reply.text for reply in user.replies)
            # Never stuck: help answers and stop brings the user back to the menu.
            handle(engine, user, user.event(EventKind.COMMAND, "help"))
            handle(engine, user, user.event(EventKind.COMMAND, "stop"))
            assert store.load_position(user.id).state == "menu"
        orphans = store.db.execute(
            "SELECT (SELECT COUNT(*) FROM answers WHERE assessment NOT IN"
            " (SELECT id FROM assessments)) + (SELECT COUNT(*) FROM assessments WHERE user"
            " NOT IN (SELECT id FROM users)) + (SELECT COUNT(*) FROM positions WHERE user"
            " NOT IN (SELECT id FROM users))"
        ).fetchone()[0]
        assert orphans == 0
