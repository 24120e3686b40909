"""Random conversations (hypothesis): whatever three users send, in whatever order, and
whatever arrives twice, the engine never fails, help and stop always work, a user's
events never change data outside the checklists they take part in (removed members,
strangers, forged buttons and forged or used invitation codes change nothing), every
stored answer is its giver's own and answers a real question, and summaries count
exactly what the members stored.

About 400 examples of 10 to 80 events each: about ten thousand events per run."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.commands import COMMANDS as ENGINE_COMMANDS
from conversations.engine import Engine
from conversations.events import Event, EventKind, Reply
from knowledge.schema import Stance
from storage import MemberRole, Store

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
    "inv:1",
    "tm:1",
    "tm:2",
    "iw:1:1",
    "rm:1:2",
    "rm:2:1",
    "ho:1:3",
    "ho:3:1",
    "lv:1",
    "lv:2",
    "ty:1:2",
    "ty:2:0",
    "tn:1:2",
    "jy",
    "jn",
]
FORGED_CODES = ["ABCDEFGHJK", "abcdefghjk", "", "/join", "x" * 70, "2345-6789"]
CODE = re.compile(r"/join ([A-Z0-9]{10})")
USERS = ("prop:a", "prop:b", "prop:c")
HINTS = ("nl", "en", None)

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("again"), st.none()),
    st.tuples(st.just("command"), st.sampled_from(["invite", "team", "leave"])),
    st.tuples(st.just("join"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("macro"), st.sampled_from(["new", "invite", "accept", "remove"])),
    st.tuples(st.just("macro"), st.sampled_from(["new", "invite", "accept", "remove"])),
)
# A few steps people take in a row, so that teams (and removed members) come about often.
MACROS = {
    "new": [("command", "new"), ("tap", "cl:"), ("tap", "cx:"), ("tap", "cx:"), ("tap", "cx:")],
    "invite": [("command", "invite"), ("text", "Anna")],
    "accept": [("join", None), ("tap", "jy"), ("text", "Bram")],
    "remove": [("command", "team"), ("tap", "rm:"), ("tap", "ty:")],
}
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


def next_event(user: User, action: tuple[str, object], codes: list[str]) -> Event:
    """The user's next event; ``codes`` are the invitation codes anyone was shown."""
    kind, value = action
    if kind == "join":
        pool = codes + FORGED_CODES  # used, withdrawn and forged codes stay in the pool
        chosen = pool[0 if value is None else int(value) % len(pool)]
        return user.event(
            EventKind.COMMAND, "join", codes[-1] if value is None and codes else chosen
        )
    if kind == "tap":  # the first button whose data starts so, else help
        data = next(
            (c.data for r in user.replies for c in r.choices if c.data.startswith(str(value))),
            None,
        )
        if data is not None:
            return user.event(EventKind.CHOICE, data)
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


TABLES = ("users", "assessments", "members", "answers", "positions", "invitations")


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table that holds people's data."""
    return {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def memberships(store: Store, user_id: str, roles: tuple[str, ...]) -> set[int]:
    placeholders = ", ".join("?" for _ in roles)
    rows = store.db.execute(
        f"SELECT assessment FROM members WHERE user = ? AND role IN ({placeholders})",
        [user_id, *roles],
    )
    return {row[0] for row in rows}


def outside(rows: dict[str, list[tuple]], user_id: str, touched: set[int]) -> dict:
    """The rows no event of ``user_id`` may change: other people's user and position
    rows, and everything about checklists outside ``touched``."""
    return {
        "users": [r for r in rows["users"] if r[0] != user_id],
        "positions": [r for r in rows["positions"] if r[0] != user_id],
        "assessments": [r for r in rows["assessments"] if r[0] not in touched],
        "members": [r for r in rows["members"] if r[1] not in touched],
        "answers": [r for r in rows["answers"] if r[1] not in touched],
        "invitations": [r for r in rows["invitations"] if r[1] not in touched],
    }


def answered_count(store: Store, knowledge, user_id: str, assessment) -> int:
    """Questions where some member's latest answer has a stance or words (only the user's
    own when nobody else ever took part); a "don't know" from everyone who answered is not
    included (reports count those apart)."""
    if len(store.members(user_id, assessment.id)) > 1:
        latest = store.team_answers(user_id, assessment.id)
    else:
        latest = list(store.answers_for(user_id, assessment.id).values())
    stances = {s.value for s in Stance}
    given: dict[str, set] = {}
    for answer in latest:
        if answer.stance in stances or answer.text.strip():
            stance = answer.stance if answer.stance in stances else None
            given.setdefault(answer.question, set()).add(stance)
    only_unknown = {Stance.UNKNOWN.value}
    questions = knowledge.checklist(assessment.checklist).questions
    return sum(1 for q in questions if q.id in given and given[q.id] != only_unknown)


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
        codes: list[str] = []
        actions = [
            (who, part)
            for who, action in steps
            for part in (MACROS[action[1]] if action[0] == "macro" else [action])
        ]
        for who, action in actions:
            user = users[who]
            before = snapshot(store)
            active = memberships(store, user.id, MemberRole.ACTIVE)
            event = next_event(user, action, codes)
            repeated = event is user.last
            handle(engine, user, event)
            codes += CODE.findall("\n".join(reply.text for reply in user.replies))
            after = snapshot(store)
            if repeated:
                assert after == before  # a redelivery changes nothing
            touched = active | memberships(store, user.id, MemberRole.ACTIVE)
            if event.kind == EventKind.CHOICE and event.data == "fy":  # /forget confirmed
                touched |= {r[1] for r in before["members"] if r[2] == user.id}
            # Strangers, removed members, forged buttons and codes: nothing else changes.
            assert outside(after, user.id, touched) == outside(before, user.id, touched)

        stances = {s.value for s in Stance}
        for user in users:
            for assessment in store.list_assessments(user.id):
                assert assessment.role in MemberRole.ACTIVE
                owners = [m for m in store.members(user.id, assessment.id) if m.role == "owner"]
                assert [m.user for m in owners] == [assessment.user]  # exactly one owner
                questions = {q.id for q in knowledge.checklist(assessment.checklist).questions}
                for answer in store.answer_history(user.id, assessment.id):
                    assert answer.question in questions
                    assert answer.stance in stances
                    assert answer.user == user.id
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
            " NOT IN (SELECT id FROM users)) + (SELECT COUNT(*) FROM members WHERE assessment"
            " NOT IN (SELECT id FROM assessments)) + (SELECT COUNT(*) FROM assessments WHERE"
            " id NOT IN (SELECT assessment FROM members WHERE role = 'owner'))"
        ).fetchone()[0]
        assert orphans == 0
