"""What people say → what happens. One router per feature, included here in one list."""

from bot.handlers import (
    basics,
    channels,
    join,
    leaderboard,
    linking,
    me,
    privacy,
    report,
    review,
    signals,
    stats,
)
from bot.routing import Router

ROUTERS: list[Router] = [
    join.router,
    report.router,
    me.router,
    leaderboard.router,
    signals.router,
    stats.router,
    review.router,
    privacy.router,
    channels.router,
    linking.router,
    basics.router,
]
