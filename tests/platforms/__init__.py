"""bot/platforms: the adapters (telegram/, discord/) and the per-chat pacer."""
