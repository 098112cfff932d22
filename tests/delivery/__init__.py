"""bot/delivery: the queue and its sender, channels, reach, recovery after a kill."""
