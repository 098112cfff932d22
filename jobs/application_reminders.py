"""Daily: remind the coordinators of applications that have waited too long.

An applicant waiting weeks for an answer gives up; coordinators busy elsewhere forget
``/pending``. When applications have waited more than ``[network]
application_reminder_days`` days, one line goes to the coordinators' channel where it is
bound, else to each coordinator privately (each in their language). The delivery key
names the local day: a job that runs again the same day sends nothing more.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import web_links
from bot.core.port import Message
from bot.delivery import audience
from bot.members import approvals
from jobs._words import Words

if TYPE_CHECKING:
    from bot.app import Relais

ID = "application_reminders"
SCHEDULE = "daily 09:00"


async def run(app: Relais) -> None:
    days = app.settings.network.application_reminder_days
    if days <= 0:
        return
    now = app.clock.now()
    day = now.astimezone(ZoneInfo(app.settings.network.timezone)).date().isoformat()
    async with app.sessions.begin() as session:
        waiting, oldest = await approvals.waiting_since(session, now - timedelta(days=days))
        if not waiting or oldest is None:
            return
        age = (now - oldest.joined_at).days
        url = web_links.desk_url(app.settings, web_links.APPLICATIONS)

        def render(language: str) -> Message:
            _ = Words(app, language)
            text = _.ngettext(
                "{n} application has waited more than {days} days (the oldest, {name}, "
                "for {age} days). Send /pending to decide.",
                "{n} applications have waited more than {days} days (the oldest, {name}, "
                "for {age} days). Send /pending to decide.",
                waiting,
                days=days,
                name=f"#{oldest.id} {oldest.display_name}",
                age=age,
            )
            if url:
                text += "\n" + _("On the desk: {url}", url=url)
            return Message(text=text, language=language)

        queued = await audience.tell_coordinators(
            session,
            app.settings,
            now=now,
            platforms=sorted(app.platforms),
            key_prefix=f"applications:reminder:{day}",
            render=render,
            subjects=[oldest.id],
        )
    if queued:
        app.sender.wake()
