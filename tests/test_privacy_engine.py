"""Privacy in the engine: one user can never see, resume, export, rename or delete another
user's assessments, whatever button data a modified client sends or whatever is typed;
and forgetting a user leaves nothing of them in the database file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.events import EventKind
from storage import Store
from tests.conftest import Chat
from tests.test_engine_conversations import start_checklist

ANNA_COMPANY = "Zwijgstaal BV"
ANNA_TYPED = "nee, de directeur verscheurde het vakbondspamflet"
ANNA_WORDS = ("Zwijgstaal", "verscheurde", "vakbondspamflet")


@pytest.fixture
def anna(chat) -> Chat:
    """Anna with two assessments: one finished part-way, one open at question 3."""
    anna = chat("anna")
    start_checklist(anna, "policy", name=f"{ANNA_COMPANY} (beleid)")
    anna.press("Ja")
    anna.command("stop")
    start_checklist(anna, "union", name=ANNA_COMPANY, country="Polen")
    anna.say(ANNA_TYPED)
    anna.press("Ja")
    return anna


@pytest.fixture
def bob(chat) -> Chat:
    bob = chat("bob", "en")
    start_checklist(bob, "union", name="Bob Ltd")
    bob.press("No")
    return bob


def snapshot(user: Chat) -> tuple:
    """Everything stored about the user, timestamps included."""
    store = user.engine.store
    assessments = store.list_assessments(user.user_id)
    history = [store.answer_history(user.user_id, a.id) for a in assessments]
    return assessments, history, store.load_position(user.user_id), store.get_user(user.user_id)


def forged_presses(assessment_id: int, position: int) -> list[str]:
    """Every button the engine makes that names an assessment, for ``assessment_id``."""
    return [
        *(f"{action}:{assessment_id}" for action in ("ac", "res", "ren", "del", "dy", "dn")),
        *(f"{action}:{assessment_id}" for action in ("sum", "exp", "ed")),
        *(f"fmt:{assessment_id}:{fmt}" for fmt in ("pdf", "docx", "md", "csv", "json")),
        f"eq:{assessment_id}:0",
        *(f"{action}:{assessment_id}:{position}" for action in ("s", "b", "w", "ok", "ch")),
        *(f"a:{assessment_id}:{position}:{stance}" for stance in ("yes", "no", "unknown")),
    ]


def assert_nothing_of_anna(bob: Chat, files: bool = False) -> None:
    """Bob's last replies show nothing of Anna's (and no file at all unless ``files``)."""
    for reply in bob.replies:
        for word in ANNA_WORDS:
            assert word not in reply.text
        if reply.attachment is not None:
            assert files, reply.attachment.filename
            assert "Bob-Ltd" in reply.attachment.filename  # his own report
            for word in ANNA_WORDS:
                assert word.encode() not in reply.attachment.content


def test_forged_button_data_never_reaches_another_users_assessment(anna, bob) -> None:
    before = snapshot(anna)
    bob_before = snapshot(bob)
    for assessment in anna.assessments():
        for data in forged_presses(assessment.id, assessment.position):
            bob.send(EventKind.CHOICE, data)
            assert_nothing_of_anna(bob)
            assert snapshot(anna) == before, data
    assert snapshot(bob)[:2] == bob_before[:2]  # Bob's own answers untouched as well


def test_forged_presses_from_every_state_of_the_other_user(anna, bob) -> None:
    """Bob waits in a state where a press would count (delete, rename, confirm), then
    sends Anna's IDs."""
    before = snapshot(anna)
    own = bob.current().id
    target = anna.current()
    for setup, forged in [
        (f"del:{own}", f"dy:{target.id}"),
        (f"ren:{own}", f"ren:{target.id}"),
        (f"exp:{own}", f"fmt:{target.id}:pdf"),
        (f"ed:{own}", f"eq:{target.id}:1"),
    ]:
        bob.send(EventKind.CHOICE, setup)
        bob.send(EventKind.CHOICE, forged)
        assert bob.replies[0].text.startswith("I cannot find that checklist."), forged
        assert_nothing_of_anna(bob)
        bob.command("stop")
    assert snapshot(anna) == before


@pytest.mark.parametrize(
    ("command", "argument"),
    [
        ("resume", "1"),
        ("resume", "2"),
        ("resume", "3"),
        ("edit", "1"),
        ("rename", "Gestolen"),
        ("summary", ""),
        ("export", ""),
        ("list", ""),
        ("restart", ""),
        ("back", ""),
    ],
)
def test_typed_commands_only_reach_the_users_own_assessments(anna, bob, command, argument):
    before = snapshot(anna)
    bob.command(command, argument)
    for reply in bob.replies:
        for choice in reply.choices:
            bob.send(EventKind.CHOICE, choice.data)  # whatever Bob is offered next
            assert_nothing_of_anna(bob, files=True)
    assert_nothing_of_anna(bob, files=True)
    assert snapshot(anna) == before


def test_forgetting_one_user_leaves_the_other_intact(anna, bob) -> None:
    before = snapshot(anna)
    bob.command("forget")
    bob.press("Yes, delete everything")
    assert bob.engine.store.get_user(bob.user_id) is None
    assert snapshot(anna) == before


def _raw_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )


def test_after_forget_nothing_of_the_user_is_left_in_the_file(anna, bob) -> None:
    store: Store = anna.engine.store
    raw = _raw_bytes(store.path)
    assert all(word.encode() in raw for word in ANNA_WORDS)  # the scan can see them
    anna.command("forget")
    anna.press("Ja, alles wissen")
    for table in store.db.table_names():
        for row in store.db[table].rows:
            assert anna.user_id not in str(row.values()), (table, row)
    raw = _raw_bytes(store.path)
    for word in (*ANNA_WORDS, anna.user_id):
        assert word.encode() not in raw, word  # overwritten, not just unlinked
    assert b"Bob Ltd" in raw  # the other user's data is still there


def test_after_forget_old_buttons_and_a_redelivered_confirmation_store_nothing(anna) -> None:
    from conversations.events import Event

    old_buttons = [choice.data for choice in anna.choices]
    anna.command("forget")
    confirm = Event(
        anna.user_id,
        EventKind.CHOICE,
        anna.choice("Ja, alles wissen").data,
        "",
        "nl",
        delivery_id="update-9",
    )
    anna.replies = anna.engine.handle(confirm)
    assert anna.text.startswith("Alles is gewist.")
    for event in (confirm, *(Event(anna.user_id, EventKind.CHOICE, d) for d in old_buttons)):
        anna.replies = anna.engine.handle(event)
        assert anna.text.startswith("Die knop hoort bij een eerder bericht")
    store = anna.engine.store
    assert store.get_user(anna.user_id) is None
    assert store.load_position(anna.user_id) is None
    anna.say("hallo")  # a message starts afresh
    assert anna.text.startswith("Hallo! Ik ben de IMVO-coach")
