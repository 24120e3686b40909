"""Button data: short strings that say what a press means and what it belongs to.

Format ``action:part:part``. Presses on a question carry the assessment ID and the
question index, so a press on an older message is recognised and refused. Everything a
client sends is checked here first: a modified client gets ``None``, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_DATA_BYTES = 64  # Telegram's callback_data limit

# action -> the kinds of its parts: "i" a non-negative int, "w" a short word
ACTIONS: dict[str, str] = {
    "a": "iiw",  # answer: assessment, question index, stance
    "s": "ii",  # skip the question
    "b": "ii",  # back to the previous question
    "w": "ii",  # why is this asked
    "ok": "ii",  # confirm the understood typed answer
    "ch": "ii",  # not right: choose the answer myself
    "qq": "ii",  # that text was a question, not my answer
    "cl": "w",  # checklist chosen (in CHOOSE_CHECKLIST)
    "cx": "w",  # skip a context field (name, country, sector)
    "cb": "w",  # back one context field
    "lang": "w",  # switch language
    "cmd": "w",  # run a command (new, list, help, summary, export, stop, ...)
    "ac": "i",  # show what can be done with an assessment
    "res": "i",  # resume an assessment
    "ren": "i",  # rename an assessment
    "del": "i",  # ask to delete an assessment
    "dy": "i",  # delete it: yes
    "dn": "i",  # delete it: no
    "fy": "",  # forget all my data: yes
    "fn": "",  # forget all my data: no
    "sum": "i",  # summary of an assessment
    "exp": "i",  # choose an export format
    "fmt": "iw",  # export in this format
    "doc": "i",  # choose a letter or plan to make from an assessment
    "dk": "iw",  # this letter or plan: choose its format
    "df": "iww",  # make this letter or plan in this format
    "ed": "i",  # choose a question to edit
    "eq": "ii",  # edit this question
    "inv": "i",  # invite a colleague to an assessment (the owner)
    "tm": "i",  # show who takes part in an assessment
    "iw": "ii",  # withdraw an invitation: assessment, invitation
    "rm": "ii",  # ask to remove a member: assessment, member
    "ho": "ii",  # ask to make a member the owner: assessment, member
    "lv": "i",  # ask to leave an assessment
    "ty": "ii",  # confirm the team action asked about: assessment, member (0 for leave)
    "tn": "ii",  # do not carry it out
    "jy": "",  # join the checklist of the invitation shown: yes
    "jn": "",  # join: no
}


@dataclass(frozen=True)
class Press:
    """A decoded button press."""

    action: str
    parts: tuple[int | str, ...] = ()

    def number(self, index: int) -> int:
        value = self.parts[index]
        assert isinstance(value, int)
        return value

    def word(self, index: int) -> str:
        return str(self.parts[index])


def encode(action: str, *parts: int | str) -> str:
    """The data string for a button; raises ValueError when it would not be valid."""
    data = ":".join([action, *(str(part) for part in parts)])
    if decode(data) is None:
        raise ValueError(f"invalid choice data {data!r}")
    return data


def decode(data: str) -> Press | None:
    """The press ``data`` describes, or None when it is not something the engine made."""
    if not isinstance(data, str) or not 0 < len(data.encode("utf-8", "replace")) <= MAX_DATA_BYTES:
        return None
    action, *raw = data.split(":")
    kinds = ACTIONS.get(action)
    if kinds is None or len(raw) != len(kinds):
        return None
    parts: list[int | str] = []
    for kind, text in zip(kinds, raw, strict=True):
        if kind == "i":
            if not (text.isascii() and text.isdigit()) or len(text) > 12:
                return None
            parts.append(int(text))
        elif not (text.isascii() and text.replace("_", "").isalnum() and len(text) <= 24):
            return None
        else:
            parts.append(text)
    return Press(action, tuple(parts))
