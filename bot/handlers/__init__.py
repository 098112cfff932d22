"""What people say → what happens. One router per feature, included here in one list."""

from bot.handlers import basics, channels, join, leaderboard, linking, me, report
from bot.routing import Router

ROUTERS: list[Router] = [
    join.router,
    report.router,
    me.router,
    leaderboard.router,
    channels.router,
    linking.router,
    basics.router,
]
