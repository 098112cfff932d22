"""Joining: language → consent → category → optional sponsor code → active or pending."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.animation import quiz
from bot.conversation import flows
from bot.conversation.commands import CommandPress
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.conversation.routing import Router
from bot.core.config import LANGUAGES, RegistrationMode
from bot.core.i18n import N_
from bot.core.port import Button
from bot.core.text import clean_name
from bot.delivery import channels
from bot.members import membership, roles
from bot.members.membership import (
    Application,
    bootstrap_role,
    claim,
    find_invitation,
    find_sponsor,
    normalize_code,
    register,
)
from bot.models import Conversation, GroupGreeting, Member, MemberStatus, Role
from handlers import approvals
from handlers._labels import category_name, category_of
from handlers.basics import help_buttons

router = Router("join")
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
WELCOME = N_("Welcome to {network}! Choose your language.")


async def _code_data(ctx: Context, code: str) -> dict[str, object]:
    """What a code sent with /start gives: an imported account to claim or a sponsor
    (nothing when it is neither)."""
    invited = await find_invitation(ctx.session, code)
    if invited is not None:
        return {"claim_id": invited.id}
    sponsor = await find_sponsor(ctx.session, code)
    return {"sponsor_id": sponsor.id} if sponsor is not None else {}


def _ask_code(ctx: Context, conversation: Conversation) -> str:
    # A mistyped invitation code must not silently sign the person up as someone new:
    # their imported account would stay unclaimed beside a duplicate.
    return ctx._(
        "The code {code} does not work: it may be mistyped, already used or expired. "
        "Type it again, or join as a new applicant.",
        code=conversation.data.get("code", ""),
    )


def _code_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("new", ctx._("Join as a new applicant"))]


async def _without_code(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == "new"
    flows.update(conversation, code=None)
    await flows.goto(ctx, JOIN, conversation, "language")


async def _retyped_code(ctx: Context, conversation: Conversation, text: str) -> None:
    code = normalize_code(text)
    data = await _code_data(ctx, code) if code else {}
    if not data:
        flows.update(conversation, code=code[:32])
        flows.ask(ctx, JOIN, conversation)
        return
    flows.update(conversation, code=None, **data)
    await flows.goto(ctx, JOIN, conversation, "language")


def _sponsor_required(ctx: Context) -> bool:
    return ctx.settings.network.registration is RegistrationMode.SPONSOR


def _ask_language(ctx: Context, _c: Conversation) -> str:
    # Shown before any choice is made: say it in every language.
    network = ctx.settings.network.name
    return "\n".join(
        ctx.translator.gettext(language, WELCOME, network=network) for language in LANGUAGES
    )


def _languages(_ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


async def _chose_language(ctx: Context, conversation: Conversation, value: str) -> None:
    ctx.language = value
    flows.update(conversation, language=value)
    await flows.goto(ctx, JOIN, conversation, "consent")


def _ask_consent(ctx: Context, _c: Conversation) -> str:
    return consent_text(ctx)


def consent_text(ctx: Context) -> str:
    """The consent text (its version is ``privacy.consent_version``)."""
    return membership.consent_text(ctx.settings, ctx.translator, ctx.language)


def _consent_choices(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [("yes", ctx._("I agree")), ("no", ctx._("I do not agree"))]


async def _consented(ctx: Context, conversation: Conversation, value: str) -> None:
    if value != "yes":
        await flows.end(ctx, conversation)
        ctx.reply(ctx._("No problem: nothing was saved. Send /start if you change your mind."))
        return
    if conversation.data.get("claim_id") is not None:
        await _claim(ctx, conversation)
        return
    if ctx.event.identity in ctx.settings.roles.coordinators:
        # A coordinator declared in the config runs the network: no category to choose
        # (they are filed under the first one; /move changes it), no sponsor code.
        flows.update(conversation, category=ctx.settings.categories[0].key)
        await _finish(ctx, conversation)
        return
    await flows.goto(ctx, JOIN, conversation, "category")


def _ask_category(ctx: Context, _c: Conversation) -> str:
    return ctx._("Which category of ambassadors do you belong to?")


def _categories(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(c.key, category_name(ctx, c.key)) for c in ctx.settings.categories]


async def _chose_category(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, category=value)
    has_role = bootstrap_role(ctx.settings, ctx.event.identity, value) is not None
    if conversation.data.get("sponsor_id") is not None or has_role:
        await _finish(ctx, conversation)
    else:
        await flows.goto(ctx, JOIN, conversation, "sponsor")


def _ask_sponsor(ctx: Context, _c: Conversation) -> str:
    if _sponsor_required(ctx):
        configured = ctx.settings.network.sponsor_help
        how = (
            configured.get(ctx.language)
            if configured is not None
            else ctx._("No code? Ask an ambassador you know: /invite gives every member theirs.")
        )
        return ctx._("Send the sponsor code an ambassador gave you.") + "\n" + how
    return ctx._("If an ambassador gave you a sponsor code, send it now. Otherwise tap Skip.")


async def _skipped_sponsor(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    await _finish(ctx, conversation)


async def _sent_sponsor(ctx: Context, conversation: Conversation, text: str) -> None:
    sponsor = await find_sponsor(ctx.session, text)
    if sponsor is None:
        ctx.reply(ctx._("This code is unknown. Check it and send it again."))
        return
    flows.update(conversation, sponsor_id=sponsor.id)
    await _finish(ctx, conversation)


def _application(ctx: Context, conversation: Conversation) -> Application:
    data, event = conversation.data, ctx.event
    return Application(
        platform=event.platform,
        user_id=event.user_id,
        private_chat_id=ctx.private_chat.chat_id,
        display_name=event.user_name or event.user_id,
        language=str(data["language"]),
        category=str(data.get("category", "")),
        sponsor_id=data.get("sponsor_id"),
    )


async def _claim(ctx: Context, conversation: Conversation) -> None:
    """An imported member, or someone who applied on the sign-up form, takes their
    account: no category or sponsor to ask."""
    member = await claim(
        ctx.session,
        ctx.settings,
        ctx.clock,
        int(conversation.data["claim_id"]),
        _application(ctx, conversation),
    )
    await flows.end(ctx, conversation)
    if member is None:
        ctx.reply(ctx._("This invitation code was already used. Send /start to join."))
        return
    ctx.member = member
    if member.status is MemberStatus.PENDING:
        # Applied on the sign-up form: the coordinators have the card already.
        ctx.reply_private(_waiting(ctx))
        return
    await _welcome(ctx, claimed=True)


def _waiting(ctx: Context) -> str:
    return ctx._(
        "Thank you! Your application is waiting for a coordinator's approval. "
        "You will get a message here."
    )


async def _finish(ctx: Context, conversation: Conversation) -> None:
    member = await register(ctx.session, ctx.settings, ctx.clock, _application(ctx, conversation))
    await flows.end(ctx, conversation)
    ctx.member = member
    if member.status is MemberStatus.PENDING:
        await approvals.announce(ctx, member)
        ctx.reply_private(_waiting(ctx))
        return
    await _welcome(ctx)


async def _welcome(ctx: Context, *, claimed: bool = False) -> None:
    """The first words to a new member; someone whose account was imported is greeted
    by their first name, and a referent or coordinator is told their role at once."""
    member = ctx.member
    assert member is not None
    lines = []
    if claimed:
        lines.append(ctx._("Hello {name}!", name=first_name(member.display_name)))
    lines.append(
        ctx._(
            "Welcome to the {category} ambassadors! Report what you do for the territory "
            "and earn points.",
            category=category_name(ctx, member.category),
        )
    )
    lines.extend(await role_lines(ctx, member))
    ctx.reply_private("\n".join(lines), help_buttons(ctx))
    await _offer_quiz(ctx, member)


async def _offer_quiz(ctx: Context, member: Member) -> None:
    """``[quiz] onboarding``: offer a first quiz round, never a condition of anything."""
    if not ctx.settings.quiz.onboarding or member.status is not MemberStatus.ACTIVE:
        return
    if not await quiz.unanswered(ctx.session, member, 1):
        return
    ctx.reply_private(
        ctx._("Want to discover the territory? A short quiz, nothing to lose."),
        [[Button(ctx._("Take the quiz"), CommandPress("quiz").pack())]],
    )


def first_name(display_name: str) -> str:
    """The first word of a name ("Élise" for "Élise Martin")."""
    return display_name.split()[0] if display_name.split() else display_name


async def role_lines(ctx: Context, member: Member) -> list[str]:
    """What a referent's or coordinator's role lets them do, said when they arrive."""
    if member.role is Role.COORDINATOR:
        return [
            ctx._(
                "You have the role of coordinator of the network: /help lists your commands "
                "(/pending, /campaign, /signals, /stats…)."
            )
        ]
    if member.role is Role.REFERENT:
        categories = await roles.referent_categories(ctx.session, member.id)
        return [
            ctx._(
                "You have the role of referent {of_category}: /plan posts an action plan to "
                "its channel, /members lists its members.",
                of_category=category_of(ctx, key),
            )
            for key in categories
        ]
    return []


JOIN = router.flow(
    Flow(
        "join",
        needs_active=False,
        before_consent=True,  # it asks for the consent itself
        steps={
            "code": Step(_ask_code, _code_choices, _without_code, _retyped_code, columns=1),
            "language": Step(_ask_language, _languages, _chose_language),
            "consent": Step(_ask_consent, _consent_choices, _consented, columns=1),
            "category": Step(_ask_category, _categories, _chose_category),
            "sponsor": Step(
                _ask_sponsor,
                on_choice=_skipped_sponsor,
                on_text=_sent_sponsor,
                skippable=lambda ctx: not _sponsor_required(ctx),
            ),
        },
    )
)


@router.joined
async def greet(ctx: Context) -> None:
    """Someone joined a category channel or the general one (on Discord: the server)
    without being a member: invite them, once."""
    category = channels.scope_category(ctx.channel_scope)
    general = ctx.channel_scope == channels.GENERAL
    if ctx.member is not None or (category is None and not general):
        return
    greeting = GroupGreeting(
        platform=ctx.event.platform, user_id=ctx.event.user_id, greeted_at=ctx.clock.now()
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(greeting)
    except IntegrityError:
        return  # greeted before, in this channel or another
    name = clean_name(ctx.event.user_name or "") or ctx.event.user_id
    if category is None:
        text = ctx._(
            "Welcome, {name}! To join {network}, send /start or open a private chat with me.",
            name=name,
            network=ctx.settings.network.name,
        )
    else:
        text = ctx._(
            "Welcome, {name}! To join the {category} ambassadors, open a private chat with me.",
            name=name,
            category=category_name(ctx, category),
        )
    ctx.reply(text, [[Button.open_private(ctx._("Join"))]])


@router.command("start")
async def start(ctx: Context) -> None:
    """Begin registration, or tell a member where they stand."""
    if ctx.member is not None:
        if ctx.member.status is MemberStatus.PENDING:
            ctx.reply(ctx._("Your application is waiting for a coordinator's approval."))
        elif ctx.member.status is MemberStatus.REJECTED:
            ctx.reply(ctx._("Your membership is not active. Contact a coordinator."))
        else:
            ctx.reply(ctx._("You are already a member. Send /help to see what you can do."))
        return
    code = normalize_code("".join(ctx.event.args))
    data = await _code_data(ctx, code) if code else {}
    if not ctx.move_to_private(start=code[:64]):  # a deep link carries at most 64
        return
    if code and not data:
        await flows.begin(ctx, JOIN, "code", {"code": code[:32]})
        return
    await flows.begin(ctx, JOIN, "language", data)
