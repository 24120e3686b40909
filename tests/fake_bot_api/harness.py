"""Run a real PTB Application (Updater polling included) against the fake server."""

from __future__ import annotations

from types import TracebackType

from telegram.ext import Application

from tests.fake_bot_api.server import FakeBot
from tests.fake_bot_api.users import FakeUser

POLL_TIMEOUT = 1  # seconds the fake holds an empty getUpdates; stopping cancels it anyway


class RunningBot:
    """``async with RunningBot(app, fake):`` starts polling like run_polling, then stops it."""

    def __init__(self, app: Application, fake: FakeBot) -> None:
        self.app = app
        self.fake = fake

    async def __aenter__(self) -> RunningBot:
        await self.app.initialize()
        if self.app.post_init is not None:  # run_polling calls it; so do we
            await self.app.post_init(self.app)
        await self.app.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)
        await self.app.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def settle(self, update_id: int) -> None:
        """Wait until ``update_id`` was fetched and every queued update is fully handled."""
        await self.fake.wait_fetched(update_id)
        await self.app.update_queue.join()

    async def redeliver(self, user: FakeUser, update_id: int) -> list[str]:
        """Telegram delivers ``update_id`` again; returns the texts of the bot's new messages."""
        before = len(user.messages())
        self.fake.redeliver(update_id)
        await self.fake.wait_redelivered()
        await self.app.update_queue.join()
        return user.texts()[before:]

    async def say(self, user: FakeUser, text: str) -> list[str]:
        """``user`` types ``text``; returns the texts of the bot's new messages."""
        before = len(user.messages())
        await self.settle(user.send(text))
        return user.texts()[before:]

    async def press(self, user: FakeUser, label: str) -> list[str]:
        """``user`` taps the button ``label``; returns the texts of the bot's new messages."""
        before = len(user.messages())
        await self.settle(user.click(label))
        return user.texts()[before:]

    async def tap(self, user: FakeUser, prefix: str) -> list[str]:
        """``user`` taps the button whose data starts with ``prefix``; returns new texts."""
        before = len(user.messages())
        await self.settle(user.tap(prefix))
        return user.texts()[before:]
