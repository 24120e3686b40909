"""The engine's structure: states vs. diagram, the transition table, button data, input
cleaning, and that every text the engine names exists in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import conversations.engine as engine_module
from conversations import dispatch
from conversations.choices import ACTIONS, MAX_DATA_BYTES, Press, decode, encode
from conversations.engine import Engine, check_flow, language_from_hint
from conversations.errors import FlowTableError
from conversations.events import EventKind
from conversations.states import ANY, TRANSITIONS, State
from conversations.text_input import clean_text, has_words
from documents.exports import Format
from knowledge.schema import LANGUAGES, Stance
from storage.records import AssessmentStatus

CONVERSATIONS = Path(__file__).resolve().parents[1] / "conversations"
BOT = Path(__file__).resolve().parents[1] / "bot"


def test_every_state_is_in_the_flow_diagram() -> None:
    diagram = (CONVERSATIONS / "flow.mmd").read_text(encoding="utf-8")
    nodes = set(re.findall(r"\b([a-z_]+)\b", diagram))
    missing = [state.value for state in State if state.value not in nodes]
    assert missing == [], f"add these states to conversations/flow.mmd: {missing}"


def test_every_transition_is_drawn() -> None:
    diagram = (CONVERSATIONS / "flow.mmd").read_text(encoding="utf-8")
    # Node shapes such as start([start]) or any{{any state}} become their plain IDs.
    plain = re.sub(r"(\w+)(\(\[.*?\]\)|\{\{.*?\}\}|\[.*?\]|\(.*?\))", r"\1", diagram)
    edges = set(re.findall(r"(\w+)\s*-->\|[^|]*\|\s*(\w+)", plain))
    for source, _, target in TRANSITIONS:
        name = "any" if source is ANY else source.value
        assert (name, target.value) in edges, f"flow.mmd lacks {name} --> {target.value}"


def test_the_shipped_table_is_sound() -> None:
    check_flow()  # raises or warns when broken


@pytest.mark.filterwarnings("ignore:no transition leads to state")
def test_a_table_without_a_way_back_to_the_menu_is_refused(monkeypatch) -> None:
    rows = tuple(row for row in TRANSITIONS if row[2] is not State.MENU)
    monkeypatch.setattr("conversations.states.TRANSITIONS", rows)
    with pytest.raises(FlowTableError, match="no way back to the menu"):
        check_flow()


def test_a_state_without_a_step_is_refused(monkeypatch) -> None:
    steps = dict(dispatch.STEPS)
    del steps[State.RENAME]
    monkeypatch.setattr(engine_module, "STEPS", steps)
    with pytest.raises(FlowTableError, match="rename"):
        check_flow()


def test_an_unreachable_state_is_warned_about(monkeypatch) -> None:
    rows = tuple(row for row in TRANSITIONS if row[2] is not State.RENAME)
    monkeypatch.setattr("conversations.states.TRANSITIONS", rows)
    with pytest.warns(UserWarning, match="rename"):
        check_flow()


def test_an_illegal_move_is_refused_and_changes_nothing(chat, monkeypatch) -> None:
    alice = chat("alice")
    alice.command("start")
    before = alice.position

    def jump_to_forget(turn, text):
        turn.store.add_user("intruder", "nl")  # a write that must be rolled back
        return State.CONFIRM_DELETE  # MENU has no row to CONFIRM_DELETE without a target

    monkeypatch.setitem(dispatch.STEPS, State.MENU, jump_to_forget)
    monkeypatch.setitem(dispatch.INTENTS, State.MENU, frozenset())
    monkeypatch.setattr(
        "conversations.states.TRANSITIONS",
        tuple(row for row in TRANSITIONS if row[2] is not State.CONFIRM_DELETE),
    )
    replies = alice.say("iets")
    assert [r.text for r in replies] == [
        "Sorry, er ging iets mis aan mijn kant. Probeer het nog eens. "
        "Je eerdere antwoorden zijn bewaard."
    ]
    assert alice.position == before
    assert alice.engine.store.get_user("intruder") is None


@pytest.mark.parametrize(
    ("hint", "language"),
    [
        (None, "nl"),
        ("", "nl"),
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("NL", "nl"),
        ("en", "en"),
        ("en-GB", "en"),
        ("de", "en"),
        ("fr-FR", "en"),
    ],
)
def test_new_users_language_follows_the_hint(hint, language) -> None:
    assert language_from_hint(hint) == language


# -- button data ------------------------------------------------------------------------------


def test_button_data_round_trips_and_fits_telegram() -> None:
    longest = encode("a", 10**12 - 1, 10**12 - 1, "unknown")
    assert len(longest.encode()) <= MAX_DATA_BYTES
    assert decode(longest) == Press("a", (10**12 - 1, 10**12 - 1, "unknown"))
    assert decode(encode("fy")) == Press("fy")
    assert decode(encode("fmt", 3, "docx")) == Press("fmt", (3, "docx"))


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "a",
        "a:1:2",
        "a:1:2:yes:extra",
        "a:x:2:yes",
        "a:-1:2:yes",
        "a:1:2:ja nee",
        "zz:1",
        "a:1:2:" + "y" * 60,
        "ac:١٢",
        "cmd:../../etc",
        "a:1:2:yes\n",
        "ac:" + "9" * 13,
        "lang:nl;drop",
        "x" * 65,
        "🙂",
    ],
)
def test_forged_button_data_is_not_decoded(forged: str) -> None:
    assert decode(forged) is None


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError, match="invalid choice data"):
        encode("a", 1, 2, "not a word")
    assert set(ACTIONS) >= {"a", "s", "b", "ok", "ch", "cl", "res", "fmt"}


# -- input cleaning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  ja  ", "ja"),
        ("ja\x00\x07 nee", "ja nee"),
        ("ne\u200be", "nee"),  # zero-width space
        ("\u202enee", "nee"),  # right-to-left override
        ("a\r\nb", "a\nb"),
        ("\n\n  \n", ""),
        ("e\u0301", "é"),  # NFC
        ("نعم", "نعم"),  # right-to-left text stays
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("text", "words"), [("ja", True), ("4", True), ("🙂👍", False), ("?!", False), ("نعم", True)]
)
def test_has_words(text: str, words: bool) -> None:
    assert has_words(text) is words


# -- texts ---------------------------------------------------------------------------------------


def _literal_keys(folder: Path, functions: set[str]) -> set[str]:
    keys = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in functions
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.add(node.args[0].value)
    return keys


def test_every_engine_text_exists_in_both_languages(knowledge) -> None:
    used = _literal_keys(CONVERSATIONS, {"say", "text", "choice"})
    # Keys with a namespace are full keys (engine.apology) or belong to the summary (report.*).
    literal = {f"engine.{key}" for key in used if not key.startswith(("engine.", "report."))}
    families = (
        {f"engine.stance.{s.value}" for s in Stance}
        | {f"engine.status.{s}" for s in AssessmentStatus.ALL}
        | {f"engine.format.{f.value}" for f in Format.files()}
        | {f"engine.button.language_{lang}" for lang in LANGUAGES}
        | {f"engine.ask_{field}" for field in ("name", "country", "sector")}
        | {f"engine.checklist_label.{c.id}" for c in knowledge.checklists}
        | {"engine.apology", "engine.welcome"}
    )
    console = {key for key in _literal_keys(BOT, {"text"}) if key.startswith("console.")}
    missing = sorted(key for key in literal | families | console if key not in knowledge.ui)
    assert missing == []
    for key in literal | families | console:
        for language in LANGUAGES:
            assert knowledge.ui[key].get(language).strip()


def test_every_state_has_a_prompt_a_step_and_intents(knowledge, store, understanding) -> None:
    Engine(knowledge, store, understanding)  # construction runs check_flow
    assert set(dispatch.PROMPTS) == set(State)
    assert set(dispatch.STEPS) == set(State)
    assert set(dispatch.INTENTS) == set(State) - {State.START}


def test_engine_has_no_telegram_imports() -> None:
    for path in CONVERSATIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+telegram\b", source, re.M), path


def test_choice_events_with_junk_do_not_crash(chat) -> None:
    alice = chat("alice")
    alice.command("start")
    for junk in ("", "a:1:0:yes", "ac:999", "fmt:1:exe", "lang:de", "cmd:forgetall", "fy"):
        alice.send(EventKind.CHOICE, junk)
        assert alice.state == "menu"
