"""The one gate: may this member, on this account, use what a rule protects?

Commands, buttons, every step of a flow (:mod:`bot.app`) and every page of the web desk
(:mod:`bot.web.desk`) ask this same function, so "who may" has one definition.
"""

from __future__ import annotations

from bot.conversation.commands import Access, Rule
from bot.core.config import Settings
from bot.members import link_roles, privacy
from bot.models import Identity, Member, MemberStatus


def refusal(
    rule: Rule, member: Member | None, identity: Identity | None, settings: Settings
) -> str | None:
    """Why this rule refuses this member on this account (``not_member``, ``status``,
    ``role``, ``consent``), or None. The role is the one the account acts with (an account
    linked to a referent's or a coordinator's membership acts as a member until the role
    is confirmed); the consent is the current version of the text."""
    if rule.access is not Access.ANYONE:
        if member is None:
            return "not_member"
        if rule.access is Access.ACTIVE and member.status is not MemberStatus.ACTIVE:
            return "status"
        if link_roles.acting_role(member, identity).rank < rule.min_role.rank:
            return "role"
    if member is not None and not rule.before_consent and privacy.needs_consent(member, settings):
        return "consent"
    return None
