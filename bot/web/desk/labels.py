"""Names the desk shows for the network's codes (statuses, roles, kinds, stages), marked
for translation; the chat uses the same words, so the catalogs hold each once."""

from __future__ import annotations

from bot.activity.engagement import State
from bot.activity.signals import Stage
from bot.core.i18n import N_
from bot.models import MemberStatus, ReportKind, Role

STATUS = {
    MemberStatus.PENDING: N_("pending"),
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.REJECTED: N_("not accepted"),
    MemberStatus.FORGOTTEN: N_("erased"),
}
ROLE = {
    Role.MEMBER: N_("member"),
    Role.REFERENT: N_("referent"),
    Role.COORDINATOR: N_("coordinator"),
}
STATE = {
    State.ACTIVE: N_("Active"),
    State.DORMANT: N_("Dormant"),
    State.NEVER_ACTIVATED: N_("Never activated"),
}
KIND = {
    ReportKind.MENTION: N_("Mention"),
    ReportKind.SIGNAL: N_("Opportunity signal"),
    ReportKind.SETTLEMENT: N_("Settlement"),
}
STAGE = {
    Stage.NEW: N_("new"),
    Stage.QUALIFIED: N_("qualified"),
    Stage.IN_PROGRESS: N_("in progress"),
    Stage.WON: N_("won"),
    Stage.LOST: N_("lost"),
    Stage.NOT_RELEVANT: N_("not relevant"),
}
ORDER = {
    "number": N_("Number"),
    "name": N_("Name"),
    "joined": N_("Joined"),
    "last_action": N_("Last sign of life (or joining)"),
}
