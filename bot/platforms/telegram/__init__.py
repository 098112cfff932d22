"""The Telegram adapter (python-telegram-bot v22): the platform itself (``adapter``), its
conversions, HTTP transport, flood limits, command menus and sending."""
