"""Who belongs to the network: registration, roles, approvals, one person on several
platforms, privacy (consent, erasure) and the server roles that mirror Relais'."""
