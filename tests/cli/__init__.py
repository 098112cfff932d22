"""bot/cli: the relais command, import and export, the demo network."""
