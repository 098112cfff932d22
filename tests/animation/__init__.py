"""bot/animation: action plans, campaigns, nudges and the dormancy scan."""
