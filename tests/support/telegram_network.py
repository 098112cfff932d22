"""A Relais whose Telegram adapter talks to the fake Bot API server."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import FrozenClock
from bot.core.db import session_factory
from bot.models import Identity, Member
from bot.platforms.telegram.adapter import TelegramPlatform
from bot.runtime import build_app
from tests.support.fake_telegram import JSON, FakeTelegram
from tests.support.harness import settings_for


class TelegramNetwork:
    """A Relais whose Telegram adapter points at the fake server."""

    def __init__(
        self,
        engine: AsyncEngine,
        database_url: str,
        clock: FrozenClock,
        fake: FakeTelegram,
        *,
        coordinators: list[str] | None = None,
        **env: str,
    ) -> None:
        self.engine, self.database_url, self.clock, self.fake = engine, database_url, clock, fake
        self.env, self.coordinators = env, coordinators
        settings = settings_for(
            database_url,
            telegram_token=fake.token,
            telegram__api_base_url=fake.base_url,
            telegram__poll_timeout="1",
            **env,
        )
        if coordinators is not None:
            roles = settings.roles.model_copy(update={"coordinators": coordinators})
            settings = settings.model_copy(update={"roles": roles})
        self.settings = settings
        self.sessions = session_factory(engine)
        self.app = build_app(settings=self.settings, sessions=self.sessions, clock=clock)
        self.sleeps: list[float] = []
        self.platform = TelegramPlatform(self.app, sleep=self._sleep)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def restarted(self) -> TelegramNetwork:
        """A new process on the same database and the same Telegram, after a clean stop
        of this one (its delivery lease given up, see :meth:`Network.restarted`)."""
        await self.app.sender.lease.release()
        return TelegramNetwork(
            self.engine,
            self.database_url,
            self.clock,
            self.fake,
            coordinators=self.coordinators,
            **self.env,
        )

    async def deliver(self, *updates: JSON) -> None:
        """Queue updates on the fake server and poll until they are all handled."""
        self.fake.push(*updates)
        while await self.platform.poll_once():
            pass

    async def tap(self, user: JSON, label: str, chat: JSON | int | None = None) -> None:
        """Press the button ``label`` on the newest keyboard in ``chat`` (default: private)."""
        message = self.fake.last_message(chat or user, with_buttons=True)
        await self.deliver(self.fake.press(user, message, label))

    async def say(self, user: JSON, text: str, chat: JSON | None = None) -> None:
        await self.deliver(self.fake.text(user, text, chat=chat))

    async def join(self, user: JSON, *, category: str = "Business", code: str = "") -> None:
        """Join through /start; a coordinator declared in the config is asked neither a
        category nor a sponsor code, a referent no sponsor code."""
        identity = f"telegram:{user['id']}"
        referent = any(identity in people for people in self.settings.roles.referents.values())
        await self.say(user, f"/start {code}".strip())
        await self.tap(user, "English")
        await self.tap(user, "I agree")
        if identity in self.settings.roles.coordinators:
            return
        await self.tap(user, category)
        if not code and not referent:
            await self.tap(user, "Skip")

    async def count(self, model: type) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    async def member(self, user: JSON) -> Member:
        async with self.sessions() as session:
            member = await session.scalar(
                select(Member)
                .join(Identity, Identity.member_id == Member.id)
                .where(Identity.platform == "telegram", Identity.user_id == str(user["id"]))
            )
        assert member is not None
        return member

    async def identity(self, user: JSON) -> Identity:
        async with self.sessions() as session:
            identity = await session.scalar(
                select(Identity).where(Identity.user_id == str(user["id"]))
            )
        assert identity is not None
        return identity
