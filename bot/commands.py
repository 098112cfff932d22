"""The one command table. Each adapter compiles it into its native form (the console
parses ``/name args``; Telegram gets ``setMyCommands`` per scope; Discord slash commands),
and the app checks role and membership from it before any handler runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_
from bot.models import Role


class Access(StrEnum):
    """Who may run a command, beyond the role."""

    ANYONE = "anyone"  # even someone who has not joined yet
    MEMBER = "member"  # a registered member, pending or active
    ACTIVE = "active"  # an active member only


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    description: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    access: Access = Access.ACTIVE
    min_role: Role = Role.MEMBER
    args: tuple[Argument, ...] = ()
    #: Shown in group chats' command menus too (otherwise private chats only).
    in_groups: bool = False
    #: May be used before agreeing to the current consent text (GDPR rights, help).
    before_consent: bool = False

    def allows(self, role: Role) -> bool:
        return role.rank >= self.min_role.rank


PERIODS = ("week", "month", "all")

COMMANDS: tuple[Command, ...] = (
    Command(
        "start",
        N_("Join the network"),
        access=Access.ANYONE,
        args=(Argument("code", N_("Sponsor code")),),
    ),
    Command("report", N_("Report a mention, an opportunity or a settlement"), in_groups=True),
    Command("me", N_("Your points, rank and level")),
    Command(
        "leaderboard",
        N_("Top ambassadors this week, month or ever"),
        in_groups=True,
        args=(
            Argument("category", N_("A category key, or all")),
            Argument("period", N_("week, month or all"), choices=PERIODS),
        ),
    ),
    Command("privacy", N_("Choose how you appear in leaderboards")),
    Command(
        "stats",
        N_("Network health: members, activity, trends, with a chart"),
        min_role=Role.REFERENT,
        args=(Argument("category", N_("A category key")),),
    ),
    Command("review", N_("Verify or reject members' mentions"), min_role=Role.REFERENT),
    Command(
        "signals",
        N_("Opportunity signals: list, open, triage"),
        min_role=Role.COORDINATOR,
        args=(
            Argument("stage", N_("new, qualified, in_progress, won, lost, not_relevant, all")),
            Argument("category", N_("A category key")),
            Argument("kind", N_("A kind of opportunity")),
        ),
    ),
    Command("language", N_("Change your language"), access=Access.MEMBER, before_consent=True),
    Command(
        "bind",
        N_("Make this chat the channel of a category, general or coordinators"),
        min_role=Role.COORDINATOR,
        in_groups=True,
        args=(Argument("scope", N_("A category key, general or coordinators"), required=True),),
    ),
    Command(
        "unbind",
        N_("Stop using this chat as a channel"),
        min_role=Role.COORDINATOR,
        in_groups=True,
    ),
    Command("invite", N_("Your sponsor code, to invite people you know")),
    Command(
        "plan",
        N_("Post an action plan to your category's channel"),
        min_role=Role.REFERENT,
        args=(Argument("category", N_("A category key")),),
    ),
    Command(
        "plans",
        N_("Your categories' action plans and their answers"),
        min_role=Role.REFERENT,
        args=(Argument("category", N_("A category key")),),
    ),
    Command(
        "members",
        N_("Members of your categories, with their numbers"),
        min_role=Role.REFERENT,
        args=(Argument("category", N_("A category key")),),
    ),
    Command(
        "campaigns",
        N_("Campaigns: scheduled, running and past, with results"),
        min_role=Role.REFERENT,
    ),
    Command(
        "campaign", N_("Prepare a campaign for some or all categories"), min_role=Role.COORDINATOR
    ),
    Command(
        "pending",
        N_("Applications waiting for approval"),
        min_role=Role.COORDINATOR,
        in_groups=True,
    ),
    Command(
        "referent",
        N_("Appoint (or remove) a referent of a category"),
        min_role=Role.COORDINATOR,
        args=(
            Argument("member", N_("A member number (#12) or name"), required=True),
            Argument("category", N_("A category key"), required=True),
            Argument("action", N_("add or remove"), choices=("add", "remove")),
        ),
    ),
    Command(
        "coordinator",
        N_("Appoint (or remove) a coordinator"),
        min_role=Role.COORDINATOR,
        args=(
            Argument("member", N_("A member number (#12) or name"), required=True),
            Argument("action", N_("add or remove"), choices=("add", "remove")),
        ),
    ),
    Command(
        "move",
        N_("Move a member to another category"),
        min_role=Role.COORDINATOR,
        args=(
            Argument("member", N_("A member number (#12) or name"), required=True),
            Argument("category", N_("A category key"), required=True),
        ),
    ),
    Command(
        "mydata",
        N_("Get all your data as a file"),
        access=Access.MEMBER,
        before_consent=True,
    ),
    Command(
        "forget",
        N_("Erase your data and leave the network"),
        access=Access.MEMBER,
        before_consent=True,
    ),
    Command(
        "erase",
        N_("Erase a member's data on their request"),
        min_role=Role.COORDINATOR,
        args=(Argument("member", N_("A member's number or name"), required=True),),
    ),
    Command(
        "help",
        N_("What you can do here"),
        access=Access.ANYONE,
        in_groups=True,
        before_consent=True,
    ),
    Command("cancel", N_("Stop what you are doing"), access=Access.ANYONE, before_consent=True),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def visible_to(role: Role | None) -> list[Command]:
    """Commands a person with this role may use (no role: not registered yet)."""
    if role is None:
        return [command for command in COMMANDS if command.access is Access.ANYONE]
    return [command for command in COMMANDS if command.allows(role)]
