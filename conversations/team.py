"""Filling in a checklist together: invitations, joining, the team, and its exits.

The owner invites with a code (a link in Telegram, ``/join CODE`` in the console); the
invited person sees the company, checklist and owner's name and confirms; everyone then
answers every question themselves. The store checks every step against membership, so
a removed member, a forged button or an old code changes nothing: a ``NotFoundError``
from the store is answered with "not found" here, never with an apology.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conversations.choices import Press, encode
from conversations.questions import continue_work, switch_to
from conversations.states import State
from conversations.text_input import has_words, one_line
from conversations.turn import Turn
from conversations.typed_answers import ask_confirm
from documents.summary import iso_date, report_labels
from storage import AssessmentRecord, MemberRecord, MemberRole, NotFoundError

MAX_MEMBER_NAME_CHARS = 40
TEAM_ACTIONS = ("remove", "handover", "leave")


# -- inviting and joining ---------------------------------------------------------------


def invite(turn: Turn, assessment: AssessmentRecord) -> State:
    """Gives the owner a new invitation (after asking the name others will see)."""
    if assessment.role != MemberRole.OWNER:
        turn.say("owner_only", name=turn.display_name(assessment))
        return turn.state
    me = _me(turn, assessment)
    if me is None or not me.name:
        return ask_name(turn, assessment.id, then="invite")
    code, invitation = turn.store.create_invitation(turn.user_id, assessment.id)
    expires = report_labels(turn.knowledge, turn.language).date(iso_date(invitation.expires))
    name = turn.display_name(assessment)
    choices = (
        turn.choice("button.team", encode("tm", assessment.id)),
        turn.choice("button.withdraw_this", encode("iw", assessment.id, invitation.id)),
    )
    if turn.invite_link:
        link = turn.invite_link.format(code=code)
        turn.say(
            "invite_link", choices=choices, link=link, expires=expires, name=name, owner=me.name
        )
    else:
        turn.say("invite_code", choices=choices, code=code, expires=expires)
    if turn.state is State.CONFIRM:
        return ask_confirm(turn)  # the open question again, below the invitation
    if turn.state in (State.QUESTION, State.ASK_MEMBER_NAME):
        return continue_work(turn)
    return turn.state


def ask_join(turn: Turn, code: str) -> State:
    """Shows what an invitation leads to and asks whether to join."""
    if not code.strip():
        turn.say("join_how")
        return turn.state
    # A pasted link ("https://t.me/<bot>?start=CODE") works like its code.
    offer = turn.store.find_invitation(code.rsplit("start=", 1)[-1])
    if offer is None:
        turn.say("join_invalid")
        return turn.state
    found = turn.store.find_assessment(turn.user_id, offer.assessment)
    if found is not None:
        turn.say("join_already", name=turn.display_name(found))
        return turn.state
    turn.data["join"] = offer.invitation
    checklist = turn.checklist_label(offer.checklist)
    name = offer.name or turn.text("unnamed", checklist=checklist, number=offer.assessment)
    choices = (
        turn.choice("button.join_yes", encode("jy")),
        turn.choice("button.join_no", encode("jn")),
    )
    owner = offer.owner_name or turn.knowledge.text(
        "report.team.unnamed_member", turn.language, number=1
    )
    turn.say("join_ask", choices=choices, name=name, checklist=checklist, owner=owner)
    return State.JOIN


def repeat_join(turn: Turn) -> State:
    """The join question again (or the menu when the offer is gone)."""
    if not isinstance(turn.data.get("join"), int):
        return continue_work(turn)
    choices = (
        turn.choice("button.join_yes", encode("jy")),
        turn.choice("button.join_no", encode("jn")),
    )
    turn.say("join_short", choices=choices)
    return State.JOIN


def join(turn: Turn) -> State:
    """Uses the invitation the user confirmed, then asks the name to show."""
    invitation = turn.data.pop("join", None)
    joined = (
        turn.store.accept_invitation(turn.user_id, invitation)
        if isinstance(invitation, int)
        else None
    )
    if joined is None:
        turn.say("join_invalid")
        return continue_work(turn)
    switch_to(turn, joined)
    return ask_name(turn, joined.id, then="join")


def decline(turn: Turn) -> State:
    """Does not join; nothing changes."""
    turn.data.pop("join", None)
    turn.say("kept")
    return continue_work(turn)


def ask_name(turn: Turn, assessment_id: int, *, then: str) -> State:
    """Asks the name the user's team mates will see."""
    turn.data["naming"] = {"assessment": assessment_id, "then": then}
    turn.say("name_ask")
    return State.ASK_MEMBER_NAME


def repeat_name(turn: Turn) -> State:
    naming = turn.data.get("naming")
    if not isinstance(naming, dict) or not isinstance(naming.get("assessment"), int):
        turn.data.pop("naming", None)
        return continue_work(turn)
    return ask_name(turn, naming["assessment"], then=str(naming.get("then", "")))


def name_by_text(turn: Turn, text: str) -> State:
    """Stores the chosen name, then invites or welcomes."""
    naming = turn.data.get("naming")
    assessment_id = naming.get("assessment") if isinstance(naming, dict) else None
    assessment = (
        turn.store.find_assessment(turn.user_id, assessment_id)
        if isinstance(assessment_id, int)
        else None
    )
    if assessment is None:
        turn.data.pop("naming", None)
        return continue_work(turn)
    name = one_line(text)
    if len(name) > MAX_MEMBER_NAME_CHARS or not has_words(name):
        turn.say("name_too_long" if has_words(name) else "no_words", limit=MAX_MEMBER_NAME_CHARS)
        return repeat_name(turn)
    turn.store.set_member_name(turn.user_id, assessment.id, name)
    turn.data.pop("naming", None)
    if naming.get("then") == "invite":
        turn.say("name_set", member=name)
        return invite(turn, assessment)
    turn.say("joined", name=turn.display_name(assessment), member=name)
    return continue_work(turn)


# -- the team -----------------------------------------------------------------------------


def show_team(turn: Turn, assessment: AssessmentRecord) -> State:
    """Lists the members by their chosen names; the owner gets buttons to manage them."""
    members = _active(turn, assessment)
    lines = []
    for number, member in enumerate(members, start=1):
        label = _name(turn, member, number)
        if member.role == MemberRole.OWNER:
            label = turn.text("team_owner", member=label)
        if member.user == turn.user_id:
            label = turn.text("team_you", member=label)
        lines.append(turn.text("team_line", number=number, member=label))
    choices = []
    if assessment.role == MemberRole.OWNER:
        invitations = turn.store.open_invitations(turn.user_id, assessment.id)
        if invitations:
            lines.append(turn.text("team_invitations", count=len(invitations)))
        for number, member in enumerate(members, start=1):
            if member.role == MemberRole.MEMBER:
                name = _name(turn, member, number)
                choices.append(
                    turn.choice(
                        "button.remove", encode("rm", assessment.id, member.id), member=name
                    )
                )
                choices.append(
                    turn.choice(
                        "button.handover", encode("ho", assessment.id, member.id), member=name
                    )
                )
        for number, invitation in enumerate(invitations, start=1):
            choices.append(
                turn.choice(
                    "button.withdraw", encode("iw", assessment.id, invitation.id), number=number
                )
            )
        choices.append(turn.choice("button.invite", encode("inv", assessment.id)))
    else:
        choices.append(turn.choice("button.leave", encode("lv", assessment.id)))
    turn.say(
        "team", choices=tuple(choices), name=turn.display_name(assessment), lines="\n".join(lines)
    )
    return turn.state


def withdraw(turn: Turn, assessment: AssessmentRecord, invitation_id: int) -> State:
    """The owner withdraws an invitation."""
    if assessment.role != MemberRole.OWNER:
        turn.say("owner_only", name=turn.display_name(assessment))
        return turn.state
    if not turn.store.withdraw_invitation(turn.user_id, assessment.id, invitation_id):
        turn.say("stale")
        return turn.state
    turn.say("withdrawn")
    return turn.state


def ask_team_action(
    turn: Turn, action: str, assessment: AssessmentRecord, member_id: int = 0
) -> State:
    """Asks to confirm removing a member, handing over, or leaving."""
    if action == "leave" and assessment.role == MemberRole.OWNER:
        turn.say("leave_owner", name=turn.display_name(assessment))
        return turn.state
    if action != "leave" and assessment.role != MemberRole.OWNER:
        turn.say("owner_only", name=turn.display_name(assessment))
        return turn.state
    member = _member(turn, assessment, member_id) if action != "leave" else None
    if action != "leave" and (member is None or member.role != MemberRole.MEMBER):
        turn.say("not_found")
        return turn.state
    turn.data["team_action"] = {"action": action, "assessment": assessment.id, "member": member_id}
    choices = (
        turn.choice("button.confirm_team", encode("ty", assessment.id, member_id)),
        turn.choice("button.keep", encode("tn", assessment.id, member_id)),
    )
    values: dict[str, Any] = {"name": turn.display_name(assessment)}
    if member is not None:
        values["member"] = _name(turn, member, 0)
    turn.say(f"{action}_ask", choices=choices, **values)
    return State.CONFIRM_TEAM


def repeat_team_action(turn: Turn) -> State:
    pending = turn.data.get("team_action")
    assessment = _pending_assessment(turn, pending)
    if assessment is None:
        turn.data.pop("team_action", None)
        return continue_work(turn)
    return ask_team_action(turn, pending["action"], assessment, int(pending.get("member", 0)))


def confirm_team_action(turn: Turn, assessment: AssessmentRecord, member_id: int) -> State:
    """Carries out the confirmed action; a press that does not match the question is stale."""
    pending = turn.data.pop("team_action", None)
    if (
        _pending_assessment(turn, pending) is None
        or pending["assessment"] != assessment.id
        or pending.get("member") != member_id
    ):
        turn.say("stale")
        return continue_work(turn)
    name = turn.display_name(assessment)
    try:
        if pending["action"] == "leave":
            if not turn.store.leave(turn.user_id, assessment.id):
                turn.say("leave_owner", name=name)
                return continue_work(turn)
            if turn.assessment_id == assessment.id:
                for key in ("assessment", "pending", "return_to"):
                    turn.data.pop(key, None)
            turn.say("left", name=name)
            return continue_work(turn)
        if pending["action"] == "remove":
            member = turn.store.remove_member(turn.user_id, assessment.id, member_id)
            turn.say("removed", member=_name(turn, member, 0), name=name)
        else:
            member = turn.store.hand_over(turn.user_id, assessment.id, member_id)
            turn.say("handed_over", member=_name(turn, member, 0), name=name)
    except NotFoundError:
        turn.say("not_found")
    return continue_work(turn)


def cancel_team_action(turn: Turn) -> State:
    turn.data.pop("team_action", None)
    turn.say("kept")
    return continue_work(turn)


def forget_lines(turn: Turn) -> list[str]:
    """What /forget does to shared checklists: who takes each one over."""
    lines, others = [], False
    for assessment in turn.store.list_assessments(turn.user_id):
        if assessment.role != MemberRole.OWNER:
            others = True
            continue
        heir = turn.store.successor(turn.user_id, assessment.id)
        if heir is not None:
            member = _name(turn, heir, 0)
            lines.append(
                turn.text("forget_handover", name=turn.display_name(assessment), member=member)
            )
    if others:
        lines.append(turn.text("forget_shared"))
    return lines


def _confirm_press(turn: Turn, assessment: AssessmentRecord, press: Press) -> State:
    if turn.state is not State.CONFIRM_TEAM:
        turn.say("stale")
        return continue_work(turn)
    return confirm_team_action(turn, assessment, press.number(1))


def _cancel_press(turn: Turn, assessment: AssessmentRecord, press: Press) -> State:
    if turn.state is not State.CONFIRM_TEAM:
        turn.say("stale")
        return continue_work(turn)
    return cancel_team_action(turn)


# Presses about the people in an assessment; the dispatcher checks membership first.
PRESSES: dict[str, Callable[[Turn, AssessmentRecord, Press], State]] = {
    "inv": lambda turn, assessment, press: invite(turn, assessment),
    "tm": lambda turn, assessment, press: show_team(turn, assessment),
    "iw": lambda turn, assessment, press: withdraw(turn, assessment, press.number(1)),
    "rm": lambda turn, a, press: ask_team_action(turn, "remove", a, press.number(1)),
    "ho": lambda turn, a, press: ask_team_action(turn, "handover", a, press.number(1)),
    "lv": lambda turn, assessment, press: ask_team_action(turn, "leave", assessment),
    "ty": _confirm_press,
    "tn": _cancel_press,
}


# -- helpers ------------------------------------------------------------------------------


def _active(turn: Turn, assessment: AssessmentRecord) -> list[MemberRecord]:
    members = turn.store.members(turn.user_id, assessment.id)
    return [m for m in members if m.role in MemberRole.ACTIVE]


def _me(turn: Turn, assessment: AssessmentRecord) -> MemberRecord | None:
    return next((m for m in _active(turn, assessment) if m.user == turn.user_id), None)


def _member(turn: Turn, assessment: AssessmentRecord, member_id: int) -> MemberRecord | None:
    return next((m for m in _active(turn, assessment) if m.id == member_id), None)


def _name(turn: Turn, member: MemberRecord, number: int) -> str:
    """The name the member chose (never their Telegram name or number)."""
    if member.name:
        return member.name
    return turn.knowledge.text("report.team.unnamed_member", turn.language, number=number or "?")


def _pending_assessment(turn: Turn, pending: object) -> AssessmentRecord | None:
    if not isinstance(pending, dict) or pending.get("action") not in TEAM_ACTIONS:
        return None
    assessment_id = pending.get("assessment")
    if not isinstance(assessment_id, int) or not isinstance(pending.get("member", 0), int):
        return None
    return turn.store.find_assessment(turn.user_id, assessment_id)
