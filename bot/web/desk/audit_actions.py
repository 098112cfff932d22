"""The audit log's action codes in words, for the desk's page: each code Relais records
(``audit.record(..., action=...)``) has a short label here, translated where it is shown.
A code without a label (an older or newer version's) is shown as it is. The filter and the
CSV export keep the codes: they are stable, the words may change.

tests/web/test_desk_audit_labels.py collects the codes from the source and checks that
each has a label.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.i18n import N_

ACTIONS: dict[str, str] = {
    # Members and roles
    "member.approve": N_("Application approved"),
    "member.reject": N_("Application rejected"),
    "member.move": N_("Member moved to another category"),
    "member.note": N_("Coordinators' note added"),
    "member.forget": N_("Member erased"),
    "member.purge": N_("Old applications erased"),
    "referent.appoint": N_("Referent appointed"),
    "referent.remove": N_("Referent removed"),
    "coordinator.appoint": N_("Coordinator appointed"),
    "coordinator.remove": N_("Coordinator removed"),
    "invitation.remind": N_("Invitation reminders sent by e-mail"),
    "card.issue": N_("Member card issued"),
    "points.award": N_("Points awarded"),
    "goal.set": N_("Collective goal set"),
    # Chats
    "channel.bind": N_("Chat bound"),
    "channel.unbind": N_("Chat unbound"),
    "channel.create": N_("Discord channel created"),
    # Reports and signals
    "mention.verified": N_("Mention verified"),
    "mention.rejected": N_("Mention rejected"),
    "signal.qualified": N_("Signal qualified"),
    "signal.in_progress": N_("Signal taken in hand"),
    "signal.won": N_("Signal won"),
    "signal.lost": N_("Signal lost"),
    "signal.not_relevant": N_("Signal not relevant"),
    "signal.note": N_("Note on a signal"),
    "signal.follow_up": N_("Signal follow-up date set"),
    "signal.values": N_("Signal figures changed"),
    # Animation
    "campaign.create": N_("Campaign created"),
    "campaign.edit": N_("Campaign edited"),
    "campaign.cancel": N_("Campaign cancelled"),
    "plan.publish": N_("Action plan published"),
    "event.create": N_("Event created"),
    "event.update": N_("Event changed"),
    "event.cancel": N_("Event cancelled"),
    "event.attendance": N_("Attendance noted by hand"),
    "kit.add": N_("Kit item added"),
    "kit.edit": N_("Kit item changed"),
    "kit.retire": N_("Kit item retired"),
    "quiz.add": N_("Quiz question added"),
    "quiz.retire": N_("Quiz question retired"),
    "partner.add": N_("Partner added"),
    "partner.retire": N_("Partner retired"),
    "benefit.add": N_("Partner benefit added"),
    "benefit.retire": N_("Partner benefit retired"),
    # Imports and exports
    "import.members": N_("Members imported (command line)"),
    "import.quiz": N_("Quiz questions imported"),
    "desk.import": N_("Members imported at the desk"),
    "export.audit": N_("Audit log exported"),
    "export.members": N_("Members exported"),
    "export.reports": N_("Reports exported"),
    "export.signals": N_("Signals exported"),
    "export.points": N_("Points exported"),
    "export.invitations": N_("Invitations exported"),
    "export.events": N_("Events exported"),
    "export.attendance": N_("Attendance exported"),
    "export.kit": N_("Kit exported"),
    "export.shares": N_("Kit shares exported"),
    "export.benefits": N_("Partner benefits exported"),
    "export.benefit_uses": N_("Uses of partner benefits exported"),
}


def label(translate: Callable[[str], str], code: str) -> str:
    """``code``'s label in words, translated with ``translate``; an unknown code as it is."""
    return translate(ACTIONS[code]) if code in ACTIONS else code
