"""bot/platforms/telegram: the adapter against the fake Bot API server."""
