"""bot/platforms/discord: the adapter against the loopback fake of Discord."""
