"""The dialogue's states and the one table of moves between them.

Every user is in exactly one ``State``; the engine saves it (with a little data) after
each event, so a restarted process continues where the user was. ``conversations/flow.mmd``
draws the same table; a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a user is in the dialogue."""

    START = "start"  # unknown user, or all data forgotten: any input gets the welcome
    MENU = "menu"  # no checklist running: start one, see the list, get help
    CHOOSE_CHECKLIST = "choose_checklist"  # asked which checklist to start
    ASK_NAME = "ask_name"  # asked the name of the company, site or supplier (skippable)
    ASK_COUNTRY = "ask_country"  # asked the country (skippable)
    ASK_SECTOR = "ask_sector"  # asked the sector (skippable); then the questions start
    QUESTION = "question"  # a checklist question is open (position in the assessment)
    CONFIRM = "confirm"  # asked "I understood: no - right?" about an unsure typed answer
    FINISHED = "finished"  # every question was reached; summary, export or edit
    RENAME = "rename"  # asked for a new name for an assessment
    CONFIRM_DELETE = "confirm_delete"  # asked whether to delete one assessment
    CONFIRM_FORGET = "confirm_forget"  # asked whether to delete all of the user's data
    JOIN = "join"  # shown an invitation: join this checklist?
    ASK_MEMBER_NAME = "ask_member_name"  # asked the name team mates will see
    CONFIRM_TEAM = "confirm_team"  # asked to confirm removing, handing over or leaving


ANY = None  # a row with source ANY applies in every state (commands work everywhere)

# (source, trigger, target). A step may only move the user along a row of this table,
# or stay in the state it is in (re-asking, answering a knowledge question, help, ...).
TRANSITIONS: tuple[tuple[State | None, str, State], ...] = (
    (State.START, "any first input: welcome", State.MENU),
    (ANY, "new", State.CHOOSE_CHECKLIST),
    (ANY, "stop / pause", State.MENU),
    (ANY, "resume an assessment", State.QUESTION),
    (ANY, "resume a finished assessment", State.FINISHED),
    (ANY, "edit an answer", State.QUESTION),
    (ANY, "rename", State.RENAME),
    (ANY, "delete", State.CONFIRM_DELETE),
    (ANY, "forget my data", State.CONFIRM_FORGET),
    (ANY, "/join, or an invitation link", State.JOIN),
    (ANY, "joined, or invite before a name is known", State.ASK_MEMBER_NAME),
    (ANY, "remove a member, hand over, leave", State.CONFIRM_TEAM),
    (State.CHOOSE_CHECKLIST, "checklist chosen", State.ASK_NAME),
    (State.MENU, "a checklist named in words", State.ASK_NAME),
    (State.FINISHED, "a checklist named in words", State.ASK_NAME),
    (State.ASK_NAME, "name given or skipped", State.ASK_COUNTRY),
    (State.ASK_COUNTRY, "country given or skipped", State.ASK_SECTOR),
    (State.ASK_COUNTRY, "back", State.ASK_NAME),
    (State.ASK_SECTOR, "back", State.ASK_COUNTRY),
    (State.ASK_SECTOR, "sector given or skipped", State.QUESTION),
    (State.QUESTION, "typed answer unsure, or maybe a question", State.CONFIRM),
    (State.QUESTION, "last question answered or skipped", State.FINISHED),
    (State.CONFIRM, "confirmed, or another answer chosen", State.QUESTION),
    (State.CONFIRM, "confirmed the last answer", State.FINISHED),
    (State.FINISHED, "back / restart", State.QUESTION),
    (State.RENAME, "name given", State.MENU),
    (State.RENAME, "name given", State.FINISHED),
    (State.CONFIRM_DELETE, "deleted or kept", State.MENU),
    (State.CONFIRM_DELETE, "kept", State.FINISHED),
    (State.CONFIRM_FORGET, "kept", State.MENU),
    (State.CONFIRM_FORGET, "kept", State.FINISHED),
    (State.CONFIRM_FORGET, "everything deleted", State.START),
)


def allowed_targets(source: State) -> frozenset[State]:
    """The states a step in ``source`` may move to (``source`` itself included)."""
    return frozenset(
        {source} | {target for row_source, _, target in TRANSITIONS if row_source in (ANY, source)}
    )
