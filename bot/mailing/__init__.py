"""E-mail as a channel: the state of members' addresses (bounced, unsubscribed, their
unsubscribe token) and the invitations that bring an imported spreadsheet aboard.

The adapter that talks SMTP is :mod:`bot.platforms.email`; this package decides who may
be written to and what an invitation says. Deliveries to e-mail go through the one
delivery queue, addressed ``Address("email", str(member_id))``.
"""

#: The platform name of e-mail in the delivery queue and the port.
EMAIL = "email"
