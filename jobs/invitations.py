"""Daily: remind imported members who have not claimed their account, by e-mail.

At most ``[email] max_reminders`` reminders, each ``[email] reminder_days`` after the
previous invitation, to members still unclaimed whose address may be written to (not
unsubscribed, not bounced); the rule and the keys that keep it from sending twice are in
:mod:`bot.mailing.invitations`. Nothing happens while e-mail is not set up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.mailing import invitations

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "invitation_reminders"
SCHEDULE = "daily 10:00"


async def run(app: Relais) -> None:
    if not app.settings.email.enabled:
        return
    now = app.clock.now()
    async with app.sessions.begin() as session:
        due = await invitations.due_reminders(session, app.settings, now)
        queued = await invitations.enqueue(
            session,
            due,
            now=now,
            settings=app.settings,
            translator=app.translator,
            links=invitations.Links.of(app.start_links),
        )
    if queued:
        log.info("queued %d invitation reminders", queued)
        app.sender.wake()
