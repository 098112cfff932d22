"""How a message reaches people: the queue's records, the sender that drains it within each
platform's limits (its lease, ledger and limits), who a broadcast reaches (audience,
recipients, channels) and the fallback to a member's other platform."""
