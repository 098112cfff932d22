"""Jobs speak each recipient's language: the translator bound to one language, and
the dates a weekly post names."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.activity import weekly

if TYPE_CHECKING:
    from bot.app import Relais


class Words:
    """The translator, bound to one language."""

    def __init__(self, app: Relais, language: str) -> None:
        self.app, self.language = app, language

    def __call__(self, message: str, /, **values: object) -> str:
        return self.app.translator.gettext(self.language, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        return self.app.translator.ngettext(self.language, singular, plural, n, **values)

    def category(self, key: str) -> str:
        category = self.app.settings.category(key)
        return category.name.get(self.language) if category else key


def week_dates(app: Relais, week: weekly.Week) -> tuple[str, str]:
    """The week's Monday and Sunday, local."""
    zone = ZoneInfo(app.settings.network.timezone)
    last = week.end.astimezone(zone) - timedelta(days=1)
    return week.start.astimezone(zone).strftime("%d/%m"), last.strftime("%d/%m")
