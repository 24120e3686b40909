"""Who may use the bot: the optional allowlist, and /stats for admins (counts only).

The gate runs before every other handler (PTB handler group -1). An update from someone
not on ``ALLOWED_USER_IDS`` gets one polite refusal in the language their Telegram app
reports and goes no further: the engine never sees it, so nothing is stored about them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import BotConfig
from bot.telegram_render import language_from_code
from bot.telegram_send import ChatSender, safe
from knowledge.loader import KnowledgeBase
from storage import AssessmentStatus, StoreCounts

logger = logging.getLogger(__name__)

REFUSAL_INTERVAL = 3600.0  # seconds: a refused user is told at most once an hour
MAX_REMEMBERED_REFUSALS = 10_000  # in memory only; forgotten first-in, first-out


class AccessGate:
    """Stops updates from users who may not use the bot, and forged private chats."""

    def __init__(
        self, config: BotConfig, knowledge: KnowledgeBase, user_tag: Callable[[int], str]
    ) -> None:
        self.config = config
        self.knowledge = knowledge
        self.user_tag = user_tag
        self._refused_at: dict[int, float] = {}

    async def check(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Lets the update through, or answers it here and raises ApplicationHandlerStop."""
        if not isinstance(update, Update) or update.effective_user is None:
            return
        user, chat = update.effective_user, update.effective_chat
        tag = self.user_tag(user.id)
        private = chat is not None and chat.type == ChatType.PRIVATE
        forged = private and chat.id != user.id  # Telegram never sends this
        if not forged and self.config.is_allowed(user.id):
            return
        if update.callback_query is not None:
            await safe(update.callback_query.answer(), "answer button")
        if forged:
            logger.warning("Dropped a private-chat update not from its owner %s", tag)
        else:
            logger.info("Refused %s: not on the allowlist", tag)
            if private and self._tell_again(user.id):
                language = language_from_code(user.language_code, self.config.default_language)
                text = self.knowledge.text("telegram.not_allowed", language)
                await safe(ChatSender(context.bot, chat.id, {}).text(text), "refusal")
        raise ApplicationHandlerStop

    def _tell_again(self, user_id: int) -> bool:
        now = time.monotonic()
        last = self._refused_at.get(user_id)
        if last is not None and now - last < REFUSAL_INTERVAL:
            return False
        self._refused_at.pop(user_id, None)
        self._refused_at[user_id] = now
        while len(self._refused_at) > MAX_REMEMBERED_REFUSALS:
            del self._refused_at[next(iter(self._refused_at))]
        return True


def stats_text(
    knowledge: KnowledgeBase, counts: StoreCounts, language: str, retention_days: int
) -> str:
    """The /stats message: how many users, checklists and answers; never any content."""
    lines = [
        knowledge.text(
            "telegram.stats_line",
            language,
            checklist=_checklist_label(knowledge, item.checklist, language),
            assessments=item.assessments,
            answers=item.answers,
        )
        for item in counts.by_checklist
    ]
    return knowledge.text(
        "telegram.stats",
        language,
        users=counts.users,
        assessments=counts.assessments,
        active=counts.by_status.get(AssessmentStatus.ACTIVE, 0),
        paused=counts.by_status.get(AssessmentStatus.PAUSED, 0),
        done=counts.by_status.get(AssessmentStatus.DONE, 0),
        answers=counts.answers,
        checklists="\n".join(lines) or knowledge.text("telegram.stats_empty", language),
        days=retention_days,
    )


def _checklist_label(knowledge: KnowledgeBase, checklist_id: str, language: str) -> str:
    key = f"engine.checklist_label.{checklist_id}"
    if key in knowledge.ui:
        return knowledge.text(key, language)
    try:
        return knowledge.checklist(checklist_id).title.get(language)
    except KeyError:  # stored by a release with another checklist
        return checklist_id
