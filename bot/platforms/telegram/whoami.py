"""The bot's @username, asked of Telegram (getMe), for processes that run no adapter:
``relais invite`` builds the ``https://t.me/<bot>?start=<code>`` links with it."""

from __future__ import annotations

import logging

from telegram import Bot

from bot.core.config import TelegramSettings

log = logging.getLogger(__name__)


async def bot_username(token: str, config: TelegramSettings) -> str | None:
    """The username, or None when Telegram cannot be asked (logged, without the token)."""
    bot = Bot(token, base_url=config.api_base_url)
    try:
        async with bot:
            me = await bot.get_me()
    except Exception as error:  # the link is a convenience: the caller goes on without it
        log.warning("could not ask Telegram for the bot's username (%s)", type(error).__name__)
        return None
    return me.username or None
