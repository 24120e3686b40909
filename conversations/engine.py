"""The dialogue engine: one event of one user in, the replies out, everything stored.

    engine = Engine(knowledge, Store(path))
    replies = engine.handle(Event("console:alice", EventKind.TEXT, "nee"))

``handle`` runs in one database transaction: the answer and the new dialogue position
are committed together before the replies are returned, or, when something unexpected
fails, nothing changes and the user gets one short apology. The engine knows nothing of
Telegram or terminals; see ``states.py`` for the states and ``dispatch.py`` for the steps.
"""

from __future__ import annotations

import logging
import warnings
from collections import deque

from conversations.choices import decode
from conversations.dispatch import PROMPTS, STEPS, on_command, on_text, reprompt
from conversations.errors import FlowTableError, InvalidTransition
from conversations.events import Event, EventKind, Reply
from conversations.presses import on_press
from conversations.states import ANY, TRANSITIONS, State, allowed_targets
from conversations.text_input import MAX_MESSAGE_CHARS, clean_text, has_words
from conversations.turn import Turn, Understanding
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES
from knowledge.understanding.types import CONFIRM_THRESHOLD
from storage import Position, Store

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "nl"
# Typed answers understood with less confidence than this are confirmed with the user
# (the same threshold as ``imvo-coach eval`` reports on).
DEFAULT_CONFIRM_THRESHOLD = CONFIRM_THRESHOLD


def language_from_hint(hint: str | None) -> str:
    """A new user's language: Dutch for "nl..." hints and no hint, English otherwise."""
    if not hint or not hint.strip():
        return DEFAULT_LANGUAGE
    return "nl" if hint.strip().lower().startswith("nl") else "en"


def check_flow() -> None:
    """Refuse an impossible state table; warn about states nothing leads to."""
    for state in State:
        if state not in PROMPTS or state not in STEPS:
            raise FlowTableError(f"state {state} has no prompt or no step")
    for source, trigger, target in TRANSITIONS:
        if (source is not ANY and not isinstance(source, State)) or not isinstance(target, State):
            raise FlowTableError(f"transition {trigger!r} names an unknown state")
    reachable, queue = {State.START}, deque([State.START])
    while queue:
        for target in allowed_targets(queue.popleft()) - reachable:
            reachable.add(target)
            queue.append(target)
    for state in set(State) - reachable:
        warnings.warn(f"no transition leads to state {state}", stacklevel=2)
    for state in State:
        if State.MENU not in allowed_targets(state) and state is not State.MENU:
            raise FlowTableError(f"no way back to the menu from state {state}")


class Engine:
    """Turns events into replies, keeping each user's answers and position in ``store``.

    :param knowledge: the loaded knowledge base (questions, signals, topics, UI texts).
    :param store: where users, assessments, answers and positions live.
    :param understanding: reads typed answers; by default ``Understanding(knowledge)``.
    :param confirm_threshold: typed answers understood less surely are confirmed first.
    :param invite_link: how an adapter opens an invitation, with ``{code}`` (a Telegram
        deep link); without it people are told to type ``/join CODE``.
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        store: Store,
        understanding: Understanding | None = None,
        *,
        confirm_threshold: float = DEFAULT_CONFIRM_THRESHOLD,
        invite_link: str | None = None,
    ) -> None:
        check_flow()
        missing = [key for key in ("engine.apology", "engine.welcome") if key not in knowledge.ui]
        if missing:
            raise FlowTableError(f"the knowledge base lacks engine texts: {', '.join(missing)}")
        if understanding is None:
            from knowledge.understanding import Understanding as DefaultUnderstanding

            understanding = DefaultUnderstanding(knowledge)
        self.knowledge = knowledge
        self.store = store
        self.understanding = understanding
        self.confirm_threshold = confirm_threshold
        self.invite_link = invite_link

    def language_of(self, user_id: str) -> str | None:
        """The user's language, or None for a user the engine does not know."""
        user = self.store.get_user(user_id)
        return user.language if user else None

    def handle(self, event: Event) -> list[Reply]:
        """The replies to ``event``; its effects are committed before this returns."""
        try:
            if event.kind == EventKind.CHOICE and self.store.get_user(event.user_id) is None:
                # A press from someone the store does not know: an old button after
                # /forget, or the forget confirmation delivered again. Nothing is stored.
                language = language_from_hint(event.language_hint)
                return [Reply(self.knowledge.text("engine.stale", language))]
            with self.store.transaction():
                turn = self._turn(event)
                if event.delivery_id and not self.store.remember_delivery(
                    event.user_id, event.delivery_id
                ):
                    # Handled before: show where the user is (the first reply may have
                    # been lost in a crash), change nothing.
                    logger.info("Repeated delivery of a %s event ignored", event.kind)
                    reprompt(turn)
                    return turn.replies
                source = turn.state
                turn.state = self._dispatch(turn, event)
                if turn.state not in allowed_targets(source):
                    raise InvalidTransition(source, turn.state)
                if not turn.forgotten:
                    self.store.save_position(event.user_id, Position(turn.state, turn.data))
            return turn.replies
        except Exception:
            # Logged without the message text: it may name an employer or a person.
            logger.exception("Engine failed on a %s event", getattr(event, "kind", "?"))
            return [Reply(self.knowledge.text("engine.apology", self._safe_language(event)))]

    def _turn(self, event: Event) -> Turn:
        user = self.store.get_user(event.user_id)
        if user is None:
            user = self.store.add_user(event.user_id, language_from_hint(event.language_hint))
        position = self.store.load_position(event.user_id)
        state, data = State.START, {}
        if position is not None:
            data = dict(position.data)
            try:
                state = State(position.state)
            except ValueError:  # saved by another release: show the menu
                state = State.MENU
        language = user.language if user.language in LANGUAGES else DEFAULT_LANGUAGE
        return Turn(
            knowledge=self.knowledge,
            store=self.store,
            understanding=self.understanding,
            user_id=event.user_id,
            language=language,
            state=state,
            data=data,
            confirm_threshold=self.confirm_threshold,
            invite_link=self.invite_link,
        )

    def _dispatch(self, turn: Turn, event: Event) -> State:
        if event.kind == EventKind.CHOICE:
            return on_press(turn, decode(event.data))
        if event.kind == EventKind.COMMAND:
            return on_command(turn, clean_text(event.data), clean_text(event.argument))
        text = clean_text(event.data)
        if turn.state is State.START and not text.startswith("/"):
            return reprompt(turn)
        if len(text) > MAX_MESSAGE_CHARS:
            turn.say("too_long", length=len(text), limit=MAX_MESSAGE_CHARS)
            return reprompt(turn)
        if not text:
            turn.say("empty")
            return reprompt(turn)
        if not has_words(text):
            turn.say("no_words")
            return reprompt(turn)
        return on_text(turn, text)

    def _safe_language(self, event: Event) -> str:
        try:
            return self.language_of(event.user_id) or language_from_hint(event.language_hint)
        except Exception:  # the apology must not fail on a broken store
            return language_from_hint(getattr(event, "language_hint", None))
