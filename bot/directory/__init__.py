"""The members' directory: opt-in profiles (:mod:`.profiles`), search (:mod:`.search`),
introductions relayed by the bot (:mod:`.introductions`) and the monthly meetings of two
(:mod:`.pairs`); what the bot tells members about them is in :mod:`.notices`."""
