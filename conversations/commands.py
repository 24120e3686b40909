"""The engine's command names, the Dutch words people may type for them, and the
navigation intents typed as words."""

from __future__ import annotations

from knowledge.understanding.types import Intent

# fmt: off
COMMANDS = (
    "start", "help", "new", "list", "resume", "summary", "export", "documents", "language", "stop",
    "forget", "skip", "back", "restart", "edit", "rename", "invite", "join", "team", "leave",
)
# fmt: on

DUTCH_ALIASES = {
    "hulp": "help",
    "nieuw": "new",
    "lijst": "list",
    "hervat": "resume",
    "verder": "resume",
    "samenvatting": "summary",
    "exporteer": "export",
    "documenten": "documents",
    "brieven": "documents",
    "taal": "language",
    "pauze": "stop",
    "vergeet": "forget",
    "overslaan": "skip",
    "terug": "back",
    "vorige": "back",
    "opnieuw": "restart",
    "wijzig": "edit",
    "hernoem": "rename",
    "lang": "language",
    "uitnodigen": "invite",
    "nodiguit": "invite",
    "doemee": "join",
    "meedoen": "join",
    "leden": "team",
    "verlaat": "leave",
    "verlaten": "leave",
}

# Commands a button may run (the others need an argument or a state of their own).
BUTTON_COMMANDS = frozenset(
    {
        "start",
        "help",
        "new",
        "list",
        "resume",
        "summary",
        "export",
        "documents",
        "language",
        "stop",
        "forget",
        "restart",
        "invite",
        "team",
        "leave",
    }
)

INTENT_COMMANDS = {
    Intent.SKIP: "skip",
    Intent.BACK: "back",
    Intent.STOP: "stop",
    Intent.HELP: "help",
    Intent.SUMMARY: "summary",
    Intent.RESTART: "restart",
}


def command_name(word: str) -> str:
    """The engine command for ``word`` ("/Hulp" -> "help"); unknown words come back as is."""
    name = word.strip().lstrip("/").split("@", 1)[0].lower()
    return DUTCH_ALIASES.get(name, name)
