"""The one command table. Each adapter compiles it into its native form (the console
parses ``/name args``; Telegram gets ``setMyCommands`` per scope; Discord slash commands),
and the app checks role and membership from it before any handler runs. Buttons and flows
declare who may use them in the same terms (:class:`Rule`), checked by the same gate.

Command and argument names are marked with the ``command name`` context: platforms that
localize names (Discord) look them up there; translations must stay lowercase, without
spaces, at most 32 characters.

Telegram allows only ``[a-z0-9_]`` in command names, so each command also declares its
French **aliases** here, unaccented (``/aide``, ``/signaler``, ``/classement``): the
first is what French members see in their Telegram menu, and every alias (and every
localized name, accents or not) runs the command on any platform (:func:`resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as _replace
from enum import StrEnum
from typing import Protocol

from bot.core.i18n import N_, NP_
from bot.core.payloads import Payload
from bot.core.text import fold
from bot.models import Role


class Access(StrEnum):
    """Who may run a command, beyond the role."""

    ANYONE = "anyone"  # even someone who has not joined yet
    MEMBER = "member"  # a registered member, pending or active
    ACTIVE = "active"  # an active member only


class Rule(Protocol):
    """Who may use something: a command, a button family, a flow. The app's one gate reads
    this, so that no handler re-checks a role."""

    @property
    def access(self) -> Access: ...

    @property
    def min_role(self) -> Role: ...

    @property
    def before_consent(self) -> bool:
        """Usable before agreeing to the current consent text (GDPR rights, help, the
        consent question itself)."""
        ...


class ArgType(StrEnum):
    """What an argument holds, so platforms with typed options can offer the choices."""

    TEXT = "text"
    CHOICE = "choice"  # one of ``choices``
    CATEGORY = "category"  # a category key from the config


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    description: str
    choices: tuple[str, ...] = ()
    required: bool = False
    type: ArgType = ArgType.TEXT
    #: Translatable display names of ``choices``, in the same order.
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    access: Access = Access.ACTIVE
    min_role: Role = Role.MEMBER
    args: tuple[Argument, ...] = ()
    #: Shown in group chats' command menus too (otherwise private chats only).
    in_groups: bool = False
    #: It acts on the chat it is sent in and answers everyone there (a leaderboard, binding
    #: a channel). Otherwise it is the caller's own business, and platforms that can
    #: (Discord) handle it as a private exchange shown to the caller only.
    public: bool = False
    #: May be used before agreeing to the current consent text (GDPR rights, help).
    before_consent: bool = False
    #: Answered in the person's private chat even when typed in a group: what it shows
    #: (members, hidden ones included; the network's figures; the person's own
    #: settings) is not for the group. The app moves it there (see ``Context.move_to_private``).
    in_private: bool = False
    #: Other names it answers to (French, unaccented, Telegram-valid); the first is the
    #: one French members' menus show.
    aliases: tuple[str, ...] = ()

    def allows(self, role: Role) -> bool:
        return role.rank >= self.min_role.rank


PERIODS = ("week", "month", "all")
#: Arguments shared by the referents' and coordinators' commands.
_CATEGORY = Argument(NP_("command name", "category"), N_("A category key"), type=ArgType.CATEGORY)
_MEMBER = Argument(NP_("command name", "member"), N_("A member's number or name"), required=True)
_ACTION = Argument(
    NP_("command name", "action"),
    N_("add or remove"),
    choices=("add", "remove"),
    type=ArgType.CHOICE,
    labels=(N_("Add"), N_("Remove")),
)

COMMANDS: tuple[Command, ...] = (
    Command(
        NP_("command name", "start"),
        N_("Join the network"),
        aliases=("rejoindre",),
        access=Access.ANYONE,
        args=(Argument(NP_("command name", "code"), N_("Sponsor code")),),
    ),
    Command(
        NP_("command name", "report"),
        N_("Report a mention, an opportunity or a settlement"),
        aliases=("signaler", "declarer"),
        in_groups=True,
    ),
    Command(NP_("command name", "me"), N_("Your points, rank and level"), aliases=("moi",)),
    Command(
        NP_("command name", "leaderboard"),
        N_("Top ambassadors this week, month or ever"),
        aliases=("classement",),
        in_groups=True,
        public=True,
        args=(
            Argument(
                NP_("command name", "category"),
                N_("A category key, or all"),
                type=ArgType.CATEGORY,
            ),
            Argument(
                NP_("command name", "period"),
                N_("week, month or all"),
                choices=PERIODS,
                type=ArgType.CHOICE,
                labels=(N_("This week"), N_("This month"), N_("All time")),
            ),
        ),
    ),
    Command(
        NP_("command name", "privacy"),
        N_("Choose how you appear in leaderboards"),
        aliases=("confidentialite",),
    ),
    Command(
        NP_("command name", "stats"),
        N_("Network health: members, activity, trends, with a chart"),
        min_role=Role.REFERENT,
        args=(
            Argument(NP_("command name", "category"), N_("A category key"), type=ArgType.CATEGORY),
        ),
        in_private=True,
    ),
    Command(
        NP_("command name", "review"),
        N_("Verify or reject members' mentions"),
        aliases=("verifier",),
        min_role=Role.REFERENT,
    ),
    Command(
        NP_("command name", "signals"),
        N_("Opportunity signals: list, open, triage"),
        aliases=("signaux",),
        min_role=Role.COORDINATOR,
        args=(
            Argument(
                NP_("command name", "stage"),
                N_("new, qualified, in_progress, won, lost, not_relevant, all"),
            ),
            Argument(NP_("command name", "category"), N_("A category key"), type=ArgType.CATEGORY),
            Argument(NP_("command name", "kind"), N_("A kind of opportunity")),
        ),
    ),
    Command(
        NP_("command name", "language"),
        N_("Change your language"),
        aliases=("langue",),
        access=Access.MEMBER,
        before_consent=True,
    ),
    Command(
        NP_("command name", "bind"),
        N_("Make this chat the channel of a category, general or coordinators"),
        aliases=("associer",),
        min_role=Role.COORDINATOR,
        in_groups=True,
        public=True,
        args=(
            Argument(
                NP_("command name", "scope"),
                N_("A category key, general or coordinators"),
                required=True,
            ),
        ),
    ),
    Command(
        NP_("command name", "unbind"),
        N_("Stop using this chat as a channel"),
        aliases=("dissocier",),
        min_role=Role.COORDINATOR,
        in_groups=True,
        public=True,
    ),
    Command(
        NP_("command name", "desk"),
        N_("A private sign-in link to the web desk"),
        aliases=("bureau",),
        in_private=True,
    ),
    Command(
        NP_("command name", "invite"),
        N_("Your sponsor code, to invite people you know"),
        aliases=("inviter",),
    ),
    Command(
        NP_("command name", "plan"),
        N_("Post an action plan to your category's channel"),
        min_role=Role.REFERENT,
        args=(_CATEGORY,),
    ),
    Command(
        NP_("command name", "plans"),
        N_("Your categories' action plans and their answers"),
        min_role=Role.REFERENT,
        args=(_CATEGORY,),
        in_private=True,
    ),
    Command(
        NP_("command name", "award"),
        N_("Award points to a member for an offline act, with a reason"),
        aliases=("attribuer",),
        min_role=Role.REFERENT,
        args=(
            _MEMBER,
            Argument(NP_("command name", "points"), N_("How many points"), required=True),
            Argument(NP_("command name", "reason"), N_("What they did"), required=True),
        ),
    ),
    Command(
        NP_("command name", "goal"),
        N_("Set a collective goal for this month or quarter, or list the running ones"),
        aliases=("objectif",),
        min_role=Role.COORDINATOR,
        args=(
            Argument(NP_("command name", "scope"), N_("all, or a category key")),
            Argument(NP_("command name", "target"), N_("How many")),
            Argument(
                NP_("command name", "measure"),
                N_("mentions, signals, settlements, reports or points"),
            ),
            Argument(NP_("command name", "period"), N_("month or quarter")),
        ),
    ),
    Command(
        NP_("command name", "event"),
        N_("Create an event: a meeting members answer, attend and rate"),
        min_role=Role.REFERENT,
        aliases=("evenement",),
    ),
    Command(
        NP_("command name", "events"),
        N_("Upcoming and past events, with answers and results"),
        in_private=True,
        aliases=("evenements",),
    ),
    Command(
        NP_("command name", "kit"),
        N_("The ambassador's kit: talking points and posts to share"),
        in_private=True,
        aliases=("boite",),
        args=(Argument(NP_("command name", "words"), N_("Words to search the kit for")),),
    ),
    Command(
        NP_("command name", "profile"),
        N_("Your profile in the members' directory (off until you publish it)"),
        aliases=("profil",),
        in_private=True,
    ),
    Command(
        NP_("command name", "directory"),
        N_("Find members by words, #tag, category or town, and ask for an introduction"),
        aliases=("annuaire",),
        in_private=True,
        args=(Argument(NP_("command name", "search"), N_("Words, a #tag, a category or a town")),),
    ),
    Command(
        NP_("command name", "kitadd"),
        N_("Add an item to the kit"),
        min_role=Role.REFERENT,
        aliases=("ajoutkit",),
    ),
    Command(
        NP_("command name", "card"),
        N_("Your member card, with its QR code for partners"),
        aliases=("carte",),
        in_private=True,
        args=(
            Argument(
                NP_("command name", "new"),
                N_("new: replace a lost card (the old one stops working)"),
            ),
        ),
    ),
    Command(
        NP_("command name", "benefits"),
        N_("What your card brings at partners"),
        aliases=("avantages",),
        in_private=True,
    ),
    Command(
        NP_("command name", "verify"),
        N_("Check a member card with the code printed on it"),
        aliases=("controler",),
        access=Access.ANYONE,
        args=(Argument(NP_("command name", "code"), N_("The code on the card"), required=True),),
    ),
    Command(
        NP_("command name", "partners"),
        N_("Partners, their benefits and how often they were used"),
        aliases=("partenaires",),
        min_role=Role.COORDINATOR,
        in_private=True,
    ),
    Command(
        NP_("command name", "partneradd"),
        N_("Add a partner that honours the card"),
        aliases=("ajoutpartenaire",),
        min_role=Role.COORDINATOR,
    ),
    Command(
        NP_("command name", "benefitadd"),
        N_("Add a benefit at a partner"),
        aliases=("ajoutavantage",),
        min_role=Role.COORDINATOR,
    ),
    Command(
        NP_("command name", "quiz"),
        N_("A short quiz about the territory: learn, nothing to lose"),
        in_private=True,
        aliases=("questionnaire",),
    ),
    Command(
        NP_("command name", "quizadd"),
        N_("Write a quiz question for everyone or your categories"),
        aliases=("ajouterquiz",),
        min_role=Role.REFERENT,
    ),
    Command(
        NP_("command name", "quizretire"),
        N_("Retire a quiz question: it is asked no more"),
        aliases=("retirerquiz",),
        min_role=Role.REFERENT,
        args=(
            Argument(
                NP_("command name", "number"),
                N_("The question's number, as /quizresults shows it"),
                required=True,
            ),
        ),
    ),
    Command(
        NP_("command name", "quizresults"),
        N_("Quiz results per question: what the network does not know yet"),
        aliases=("resultatsquiz",),
        min_role=Role.REFERENT,
        args=(_CATEGORY,),
        in_private=True,
    ),
    Command(
        NP_("command name", "checkin"),
        N_("Check in at an event with the code shown there"),
        aliases=("presence",),
        args=(Argument(NP_("command name", "code"), N_("The code shown at the event")),),
    ),
    Command(
        NP_("command name", "members"),
        N_("Members of your categories, with their numbers"),
        aliases=("membres",),
        min_role=Role.REFERENT,
        args=(_CATEGORY,),
        in_private=True,
    ),
    Command(
        NP_("command name", "member"),
        N_("A member's page in short: role, points, activity, reports, nudges"),
        aliases=("membre",),
        min_role=Role.REFERENT,
        args=(_MEMBER,),
        in_private=True,
    ),
    Command(
        NP_("command name", "campaigns"),
        N_("Campaigns: scheduled, running and past, with results"),
        aliases=("campagnes",),
        min_role=Role.REFERENT,
        in_private=True,
    ),
    Command(
        NP_("command name", "campaign"),
        N_("Prepare a campaign for some or all categories"),
        aliases=("campagne",),
        min_role=Role.COORDINATOR,
    ),
    Command(
        NP_("command name", "pending"),
        N_("Applications waiting for approval"),
        aliases=("candidatures",),
        min_role=Role.COORDINATOR,
        in_groups=True,
        public=True,
    ),
    Command(
        NP_("command name", "referent"),
        N_("Appoint (or remove) a referent of a category"),
        min_role=Role.COORDINATOR,
        args=(_MEMBER, _replace(_CATEGORY, required=True), _ACTION),
    ),
    Command(
        NP_("command name", "coordinator"),
        N_("Appoint (or remove) a coordinator"),
        aliases=("coordinateur",),
        min_role=Role.COORDINATOR,
        args=(_MEMBER, _ACTION),
    ),
    Command(
        NP_("command name", "move"),
        N_("Move a member to another category"),
        aliases=("deplacer",),
        min_role=Role.COORDINATOR,
        args=(_MEMBER, _replace(_CATEGORY, required=True)),
    ),
    Command(
        NP_("command name", "link"),
        N_("Link your accounts on two platforms into one membership"),
        aliases=("lier",),
        access=Access.ANYONE,
        args=(Argument(NP_("command name", "code"), N_("The code /link gave you elsewhere")),),
    ),
    Command(
        NP_("command name", "reminders"),
        N_("Reminders when you are quiet, and how campaigns reach you (chat, e-mail)"),
        aliases=("rappels",),
        access=Access.MEMBER,
        in_private=True,
    ),
    Command(
        NP_("command name", "answer"),
        N_("Answer a campaign with the code of its e-mail"),
        aliases=("repondre",),
        args=(
            Argument(
                NP_("command name", "code"), N_("The code in the e-mail, e.g. c5-2"), required=True
            ),
        ),
        in_private=True,
    ),
    Command(
        NP_("command name", "platform"),
        N_("Choose the platform where private messages reach you"),
        aliases=("plateforme",),
        access=Access.MEMBER,
        in_private=True,
    ),
    Command(
        NP_("command name", "unlink"),
        N_("Take this account out of its membership, or remove an account you linked"),
        aliases=("delier",),
        access=Access.MEMBER,
        args=(
            Argument(
                NP_("command name", "platform"),
                N_("The platform of an account you linked, to remove it"),
            ),
        ),
    ),
    Command(
        NP_("command name", "mydata"),
        N_("Get all your data as a file"),
        aliases=("mesdonnees",),
        access=Access.MEMBER,
        before_consent=True,
    ),
    Command(
        NP_("command name", "forget"),
        N_("Erase your data and leave the network"),
        aliases=("oublier",),
        access=Access.MEMBER,
        before_consent=True,
    ),
    Command(
        NP_("command name", "erase"),
        N_("Erase a member's data on their request"),
        aliases=("effacer",),
        min_role=Role.COORDINATOR,
        args=(
            Argument(NP_("command name", "member"), N_("A member's number or name"), required=True),
        ),
    ),
    Command(
        NP_("command name", "nudges"),
        N_("Nudges to dormant members: who acted after each wording"),
        aliases=("relances",),
        min_role=Role.COORDINATOR,
        in_private=True,
    ),
    Command(
        NP_("command name", "help"),
        N_("What you can do here"),
        aliases=("aide",),
        access=Access.ANYONE,
        in_groups=True,
        before_consent=True,
    ),
    Command(
        NP_("command name", "cancel"),
        N_("Stop what you are doing"),
        aliases=("annuler",),
        access=Access.ANYONE,
        before_consent=True,
    ),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}
#: Every name a command answers to, folded (see :func:`resolve`).
_NAMES: dict[str, Command] = {
    fold(name): command for command in COMMANDS for name in (command.name, *command.aliases)
}


def resolve(typed: str) -> Command | None:
    """The command ``typed`` names: its table name, or an alias, with or without
    accents (``/aide``, ``/déclarer``, ``/declarer``)."""
    return BY_NAME.get(typed) or _NAMES.get(fold(typed))


@dataclass(frozen=True)
class CommandPress(Payload, prefix="cmd"):
    """A button that runs a command (``cmd:report`` under /help), through the command's
    own gate."""

    name: str


def visible_to(role: Role | None, *, active: bool = True) -> list[Command]:
    """Commands a person with this role may use (no role: not registered yet); someone
    not active (an applicant waiting for approval) only those open to every member."""
    if role is None:
        return [command for command in COMMANDS if command.access is Access.ANYONE]
    return [
        command
        for command in COMMANDS
        if command.allows(role) and (active or command.access is not Access.ACTIVE)
    ]
