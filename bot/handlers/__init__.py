"""What people say → what happens. One router per feature, included here in one list."""

from bot.handlers import (
    answers,
    approvals,
    basics,
    campaign_list,
    campaigns,
    channels,
    join,
    leaderboard,
    linking,
    me,
    plans,
    privacy,
    report,
    results,
    review,
    roles,
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
    approvals.router,
    roles.router,
    plans.router,
    answers.router,
    campaigns.router,
    campaign_list.router,
    results.router,
    basics.router,
]
