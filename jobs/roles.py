"""Daily: check accounts on the platforms that mirror Relais' roles.

Roles drift: someone adds a category role by hand, a change was refused while the bot
lacked a permission, a member left the server and came back. This job queues a check of
every account Relais knows on each platform that mirrors roles, page by page, and of
every account the platform knows to hold a managed role (Discord: with the Server Members
intent, which keeps a member cache; strangers given a role by hand lose it), then wakes
the role syncer, which applies them at the platform's pace after the changes people are
waiting for. Running it twice queues nothing twice (one request per account).
Telegram mirrors roles as personal command menus, which nobody changes by hand: there,
only referents and coordinators are checked (a new release may change their commands).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.members import role_sync

if TYPE_CHECKING:
    from bot.app import Relais

log = logging.getLogger(__name__)

ID = "roles"
SCHEDULE = "daily 05:00"
PAGE = 1000


async def run(app: Relais) -> None:
    for platform, mirror in app.role_syncer.mirrors().items():
        if not mirror.roles_enabled:
            continue
        after, queued = 0, 0
        while True:
            async with app.sessions.begin() as session:
                last = await role_sync.request_checks(
                    session,
                    platform,
                    after_id=after,
                    limit=PAGE,
                    privileged_only=not mirror.checks_every_account,
                )
            if last is None:
                break
            after, queued = last, queued + 1
        holders = mirror.role_holders()
        for first in range(0, len(holders), PAGE):
            async with app.sessions.begin() as session:
                await role_sync.request_check(session, platform, holders[first : first + PAGE])
        log.info("%s: role check queued (%s pages of accounts)", platform, queued)
    app.role_syncer.wake()
