"""Word lists the dialogue reads typed text with: question openers, corrections, menu words.

The lists are data (``engine.words.*`` in ``knowledge/data/ui/engine.yaml``, comma-separated,
both languages always read): a curator adds a word there, never in code. Matching folds
case and accents and forgives one slip in words of five letters or more, as people type on
phones.
"""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein

from knowledge.loader import KnowledgeBase

LANGUAGES = ("nl", "en")
FUZZY_MIN_LENGTH = 5  # shorter words must match exactly ("nee" is not "new")


def fold(text: str) -> list[str]:
    """Lower-case words without accents or punctuation: "Één, graag!" -> ["een", "graag"]."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() or c in "+-" else " " for c in plain)
    return [word.strip("-") for word in cleaned.split() if word.strip("-")]


_CACHE: dict[tuple[int, str], tuple[KnowledgeBase, tuple[tuple[str, ...], ...]]] = {}


def _phrases(knowledge: KnowledgeBase, key: str) -> tuple[tuple[str, ...], ...]:
    """The phrases of word list ``engine.words.<key>``, folded, in both languages (read once
    per knowledge base)."""
    cached = _CACHE.get((id(knowledge), key))
    if cached is not None and cached[0] is knowledge:
        return cached[1]
    found: set[tuple[str, ...]] = set()
    for lang in LANGUAGES:
        for phrase in knowledge.text(f"engine.words.{key}", lang).split(","):
            words = tuple(fold(phrase))
            if words:
                found.add(words)
    phrases = tuple(sorted(found, key=lambda words: (-len(words), words)))
    _CACHE[(id(knowledge), key)] = (knowledge, phrases)
    return phrases


def _same_word(typed: str, listed: str) -> bool:
    if typed == listed:
        return True
    if min(len(typed), len(listed)) < FUZZY_MIN_LENGTH:
        return False
    return Levenshtein.distance(typed, listed, score_cutoff=1) <= 1


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    """True when ``phrase`` occurs in ``words`` as consecutive words."""
    size = len(phrase)
    return any(
        all(_same_word(words[start + i], phrase[i]) for i in range(size))
        for start in range(len(words) - size + 1)
    )


def matched_words(knowledge: KnowledgeBase, key: str, text: str) -> int:
    """How many words of ``text`` the longest matching phrase of list ``key`` covers (0: none)."""
    words = fold(text)
    return max((len(p) for p in _phrases(knowledge, key) if _contains(words, p)), default=0)


def starts_with(knowledge: KnowledgeBase, key: str, text: str) -> int:
    """The number of leading words of ``text`` that are a phrase of list ``key`` (0: none)."""
    words = fold(text)
    for phrase in _phrases(knowledge, key):
        if len(phrase) <= len(words) and all(map(_same_word, words, phrase)):
            return len(phrase)
    return 0


def best_of(knowledge: KnowledgeBase, keys: dict[str, str], text: str) -> str | None:
    """The name in ``keys`` (name -> word list) whose list matches ``text`` best; None when
    nothing matches or two lists match equally well."""
    scores = sorted(
        ((matched_words(knowledge, key, text), name) for name, key in keys.items()),
        reverse=True,
    )
    if not scores or scores[0][0] == 0:
        return None
    if len(scores) > 1 and scores[1][0] == scores[0][0]:
        return None
    return scores[0][1]


def drop_leading_words(text: str, count: int) -> str:
    """``text`` without its first ``count`` words (as typed, punctuation after them too)."""
    rest = text
    for _ in range(count):
        parts = rest.lstrip(" ,.;:!-–—").split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.lstrip(" ,.;:!-–—")


def checklist_named(knowledge: KnowledgeBase, text: str) -> str | None:
    """The checklist ``text`` names in words ("imvo beleid graag", "union freedom")."""
    names = {c.id: f"checklist.{c.id}" for c in knowledge.checklists}
    return best_of(knowledge, names, text)


MENU_WORDS = {"new": "menu.new", "list": "menu.list"}  # command name -> word list


def menu_command_named(knowledge: KnowledgeBase, text: str) -> str | None:
    """The menu command ``text`` asks for in words ("nieuwe checklist" -> "new")."""
    return best_of(knowledge, MENU_WORDS, text)
