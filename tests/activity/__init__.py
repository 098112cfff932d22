"""bot/activity: reports, review, signals, standings, leaderboards and stats."""
