"""Three people fill in one checklist together through the engine: inviting, joining,
answering differently, the team summary, and every exit (remove, leave, hand over,
/forget); removed members, strangers and forged buttons see and change nothing."""

from __future__ import annotations

import re

import pytest

from conversations.choices import ACTIONS
from conversations.commands import COMMANDS
from conversations.events import EventKind
from tests.conftest import Chat


def start_checklist(owner: Chat, company: str = "Zoë BV") -> None:
    owner.command("start")
    owner.command("new")
    owner.press("Vakbondsvrijheid")
    owner.say(company)
    owner.say("Bangladesh")
    owner.say("Textiel")


def invite_code(owner: Chat) -> str:
    owner.command("invite")
    if owner.state == "ask_member_name":
        owner.say("Anna")
    match = re.search(r"/join ([A-Z0-9]{10})", owner.text)
    assert match, owner.text
    return match[1]


def join(member: Chat, code: str, name: str) -> None:
    member.command("join", code)
    assert member.state == "join"
    assert "Zoë BV" in member.text
    assert "Anna" in member.text
    member.press("Ja, ik doe mee")
    assert member.state == "ask_member_name"
    member.say(name)
    assert f"Welkom in het team van Zoë BV, {name}" in member.text
    assert "Vraag 1 van" in member.text  # straight to the first question


@pytest.fixture
def team(chat):
    anna, bram, cor = chat("anna"), chat("bram"), chat("cor")
    start_checklist(anna)
    for member, name in ((bram, "Bram"), (cor, "Cor")):
        join(member, invite_code(anna), name)
    return anna, bram, cor


def test_three_members_disagree_and_the_summary_shows_it(team) -> None:
    anna, bram, cor = team
    anna.press("Nee")
    bram.say("nee joh, een bond? die is hier niet")
    cor.press("Deels")
    for member in (anna, bram, cor):
        assert "Vraag 2 van" in member.text  # each continues at their own place
    assessment = anna.current()
    assert bram.current().id == cor.current().id == assessment.id
    anna.command("summary")
    text = anna.text
    assert "Punten om te bespreken" in text
    assert "2× nee, 1× deels" in text
    assert "Bram: “nee joh, een bond? die is hier niet”" in text
    assert "Ingevuld door: Anna, Bram, Cor" in text
    cor.command("list")
    assert "Zoë BV (👥 3)" in cor.text


def test_a_code_works_once_and_strangers_see_nothing(team, chat) -> None:
    anna, bram, _ = team
    assessment = anna.current().id
    code = invite_code(anna)
    dave, erin = chat("dave"), chat("erin")
    dave.command("join", code)
    dave.press("Ja, ik doe mee")
    dave.say("Dave")
    erin.command("join", code)
    assert "werkt niet (meer)" in erin.text
    erin.command("join", "ABCDEFGHJK")
    assert "werkt niet (meer)" in erin.text
    assert erin.assessments() == []
    forged = "sum:{} res:{} tm:{} a:{}:0:yes rm:{}:2 ty:{}:2 iw:{}:1 inv:{} exp:{} fmt:{}:md"
    forged += " del:{} dy:{} lv:{} ho:{}:2 jy"
    for data in (f.format(assessment) for f in forged.split()):
        replies = erin.send("choice", data)
        assert "Zoë BV" not in "\n".join(r.text for r in replies), data
    assert erin.assessments() == []
    # A member cannot manage the team.
    for data in (f"rm:{assessment}:1", f"ho:{assessment}:3", f"del:{assessment}",
                 f"ren:{assessment}", f"inv:{assessment}"):  # fmt: skip
        bram.send("choice", data)
        assert "Dat kan alleen de eigenaar" in bram.text, data
    bram.command("rename", "Andere BV")
    assert "Dat kan alleen de eigenaar" in bram.text
    bram.command("leave")
    bram.press("Nee, bewaren")
    assert len(anna.engine.store.members(anna.user_id, assessment)) == 4
    assert anna.current().name == "Zoë BV"


def test_removing_leaving_handing_over_and_forgetting(team) -> None:
    anna, bram, cor = team
    for member, answer in ((anna, "Ja"), (bram, "Nee"), (cor, "Nee")):
        member.press(answer)
    assessment = anna.current().id
    store = anna.engine.store
    anna.command("team")
    assert "Anna (eigenaar) – jij" in anna.text
    assert "tg:" not in anna.text
    anna.press("Cor verwijderen")
    anna.press("Ja, doorgaan")
    assert "Cor is verwijderd" in anna.text
    cor.command("summary")
    assert "Zoë BV" not in cor.text
    assert store.answers_for(cor.user_id, assessment) == {}  # sees nothing
    assert len(store.team_answers(anna.user_id, assessment)) == 3  # Cor's answer stays
    # Handing over: Bram becomes the owner.
    anna.command("team")
    anna.press("Bram eigenaar maken")
    anna.press("Ja, doorgaan")
    assert store.find_assessment(bram.user_id, assessment).role == "owner"
    # Anna leaves; her answers stay.
    anna.command("leave")
    anna.press("Ja, doorgaan")
    assert "Je hebt Zoë BV verlaten" in anna.text
    assert anna.assessments() == []
    # Bram's /forget names who would take over (nobody: the checklist goes).
    bram.command("forget")
    assert "Ja, alles wissen" in [c.label for c in bram.choices]
    bram.press("Ja, alles wissen")
    assert store.db.execute("SELECT COUNT(*) FROM assessments").fetchone()[0] == 0


def test_the_owners_forget_hands_the_checklist_to_the_longest_standing_member(team) -> None:
    anna, bram, cor = team
    for member, answer in ((anna, "Ja"), (bram, "Nee"), (cor, "Deels")):
        member.press(answer)
    assessment = anna.current().id
    store = anna.engine.store
    anna.command("forget")
    assert "Zoë BV gaat naar Bram" in anna.text
    anna.press("Ja, alles wissen")
    assert store.find_assessment(bram.user_id, assessment).role == "owner"
    assert {a.user for a in store.team_answers(bram.user_id, assessment)} == {
        bram.user_id,
        cor.user_id,
    }
    # A member's /forget deletes only their answers and membership.
    cor.command("forget")
    cor.press("Ja, alles wissen")
    assert {a.user for a in store.team_answers(bram.user_id, assessment)} == {bram.user_id}


def test_the_owner_withdraws_an_invitation(chat) -> None:
    anna, dave = chat("anna"), chat("dave")
    start_checklist(anna)
    code = invite_code(anna)
    anna.press("Uitnodiging intrekken")
    assert "ingetrokken" in anna.text
    dave.command("join", code)
    assert "werkt niet (meer)" in dave.text


def test_an_invitation_link_opens_through_start(engine, chat) -> None:
    anna, bram = chat("anna"), chat("bram")
    engine.invite_link = "https://t.me/imvo_bot?start={code}"
    start_checklist(anna)
    anna.command("invite")
    anna.say("Anna")
    link = re.search(r"https://t\.me/imvo_bot\?start=[A-Z0-9]{10}", anna.text)[0]
    bram.command("start", link.rsplit("=", 1)[1])
    assert bram.state == "join"
    assert "Zoë BV" in bram.text
    cor = chat("cor")
    cor.command("join", link)  # the link pasted into the console chat
    assert cor.state == "join"


def team_rows(store, assessment: int) -> list:
    """Everything stored about one shared checklist."""
    return [
        store.db.execute(
            f"SELECT * FROM {table} WHERE {column} = ? ORDER BY 1", [assessment]
        ).fetchall()
        for table, column in (
            ("assessments", "id"),
            ("members", "assessment"),
            ("answers", "assessment"),
            ("invitations", "assessment"),
        )
    ]


def forged_presses(assessment: int) -> list[str]:
    """Every kind of button the engine makes, naming the team's checklist."""
    words = ("yes", "no", "md", "pdf", "union", "name", "new", "list", "en")
    presses = []
    for action, kinds in ACTIONS.items():
        if action == "fy":  # "yes, delete all my data": a person may always forget themselves
            continue
        for number in range(4):
            parts = []
            for index, kind in enumerate(kinds):
                if kind == "i":
                    parts.append(str(assessment if index == 0 else number))
                else:
                    parts.append(words[number % len(words)])
            presses.append(":".join([action, *parts]))
    return presses


def test_every_button_and_command_of_a_stranger_or_removed_member_changes_nothing(
    team, chat
) -> None:
    anna, bram, cor = team
    anna.press("Nee")
    bram.press("Ja")
    cor.press("Deels")
    store = anna.engine.store
    assessment = anna.current().id
    used = invite_code(anna)
    join(chat("dave"), used, "Dave")
    anna.command("team")
    anna.press("Cor verwijderen")
    anna.press("Ja, doorgaan")
    invite_code(anna)  # an open invitation, so withdrawing could change something
    stranger = chat("erin")
    stranger.command("start")
    before = team_rows(store, assessment)
    for outsider in (stranger, cor):
        for data in forged_presses(assessment):
            replies = outsider.send(EventKind.CHOICE, data)
            assert "Zoë BV" not in "\n".join(r.text for r in replies), (outsider.user_id, data)
        for command in COMMANDS:
            argument = {"join": used, "resume": "1", "edit": "1", "rename": "Mijn BV"}.get(
                command, ""
            )
            replies = outsider.command(command, argument)
            assert "Zoë BV" not in "\n".join(r.text for r in replies), (outsider.user_id, command)
            outsider.command("stop")
        assert team_rows(store, assessment) == before
