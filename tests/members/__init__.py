"""bot/members: joining, approvals, roles, linking accounts, privacy."""
