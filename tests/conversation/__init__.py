"""bot/conversation: commands, flows and how texts name commands."""
