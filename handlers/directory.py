"""/directory (``/annuaire``): search the members who published their profile, page by
page; ask the bot for an introduction; answer one; say whether a monthly meeting took
place.

An introduction request is a short message the bot relays to the person, with Accept and
Decline. On Accept, both receive each other's contact; on Decline nothing is sent: the
asker's request closes later as "no answer", like an unanswered one
(:mod:`bot.directory.introductions`). Every message naming the other member lists them as
a subject of the delivery, so erasing either deletes the copies.
"""

from __future__ import annotations

from bot.conversation import flows
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.flows import Flow, Step
from bot.conversation.routing import Router
from bot.core.port import Button, Message
from bot.core.text import clean_block
from bot.delivery.recipients import private_recipients
from bot.directory import introductions, notices, pairs, profiles, search
from bot.directory.buttons import DirectoryPage, IntroAnswer, IntroAsk, PairAnswer
from bot.directory.introductions import Refusal
from bot.models import Conversation, Introduction, MeetingPair, Member
from handlers._directory_view import results_message
from handlers._labels import short
from handlers._notify import Render, to_recipients
from handlers.profile import closed

router = Router("directory")


@router.command("directory")
async def directory(ctx: Context) -> None:
    """The first page of a search (everyone listed, without words)."""
    if closed(ctx):
        return
    query = search.parse(ctx.settings, " ".join(ctx.event.args)[:200])
    await _show(ctx, query, 0)


async def _show(ctx: Context, query: search.Query, number: int) -> None:
    size = ctx.settings.directory.page_size
    page = await search.search(ctx.session, query, offset=number * size, limit=size)
    if not page.found and number > 0:  # the list shrank since the button was sent
        page = await search.search(ctx.session, query, offset=0, limit=size)
        number = 0
    ctx.send(ctx.answer_to or ctx.private_chat, results_message(ctx, query, page, number))


@router.button(DirectoryPage, access=Access.ACTIVE)
async def paged(ctx: Context, press: DirectoryPage) -> None:
    if closed(ctx):
        return
    query = search.unpack(ctx.settings, press.query)
    await _show(ctx, query, press.page)


# -- asking -------------------------------------------------------------------------


async def _tell(
    ctx: Context, batch: str, key: str, member_id: int, render: Render, about: int
) -> None:
    """A private message to one member naming another (``about``): erasing either
    deletes the stored copy."""
    found = await private_recipients(ctx.session, [member_id], ctx.platforms)
    await to_recipients(ctx, batch, key, found, render, subjects=(about,))


def _refusal(ctx: Context, refusal: Refusal) -> str:
    if refusal is Refusal.SELF:
        return ctx._("That is your own profile.")
    if refusal is Refusal.WAITING:
        return ctx._("You already asked to meet this member: wait for the answer.")
    if refusal is Refusal.LIMIT:
        return ctx.ngettext(
            "You may ask for {n} introduction a week; try again in a few days.",
            "You may ask for {n} introductions a week; try again in a few days.",
            ctx.settings.directory.introductions_per_week,
        )
    return ctx._("This member does not accept introductions at the moment.")


@router.button(IntroAsk, access=Access.ACTIVE)
async def ask(ctx: Context, press: IntroAsk) -> None:
    """Check the request may be made, then ask for the short message."""
    assert ctx.member is not None
    if closed(ctx):
        return
    checked = await introductions.check(
        ctx.session, ctx.settings, ctx.member, press.member_id, ctx.clock.now()
    )
    if isinstance(checked, Refusal):
        ctx.reply_private(_refusal(ctx, checked))
        return
    await flows.begin(ctx, INTRO, "message", {"target": checked.id, "name": checked.display_name})


def _message_question(ctx: Context, conversation: Conversation) -> str:
    return ctx._(
        "Write a short message for {name}: who you are and why you would like to meet "
        "(at most {limit} characters). It is relayed as you write it.",
        name=conversation.data["name"],
        limit=introductions.MAX_MESSAGE,
    )


async def _message_sent(ctx: Context, conversation: Conversation, text: str) -> None:
    assert ctx.member is not None
    message = clean_block(text, introductions.MAX_MESSAGE)
    if message is None:
        ctx.reply(ctx._("Please send at most {limit} characters.", limit=introductions.MAX_MESSAGE))
        return
    target_id = int(conversation.data["target"])
    await flows.end(ctx, conversation)
    made = await introductions.ask(
        ctx.session, ctx.settings, ctx.member, target_id, message, ctx.clock.now()
    )
    if isinstance(made, Refusal):
        ctx.reply(_refusal(ctx, made))
        return
    asker, mine = ctx.member, await profiles.of(ctx.session, ctx.member.id)
    intro_id = made.id

    who = asker.display_name + notices.about(asker, mine)

    def render(speaker: Context) -> Message:
        text = "\n".join(
            [
                speaker._("{name} would like to be introduced to you:", name=who),
                speaker._("“{message}”", message=message),
                speaker._(
                    "Accept, and you both receive each other's contact. Decline, and "
                    "they are not told: their request closes without an answer."
                ),
            ]
        )
        return Message.with_rows(
            text,
            [
                [
                    Button(speaker._("Accept"), IntroAnswer("y", intro_id).pack()),
                    Button(speaker._("Decline"), IntroAnswer("n", intro_id).pack()),
                ]
            ],
        )

    await _tell(ctx, "introductions", f"intro:{intro_id}:asked", target_id, render, asker.id)
    ctx.reply(
        ctx._(
            "Sent to {name}. You will hear as soon as they accept; without an answer within "
            "{days} days, the request closes.",
            name=conversation.data["name"],
            days=ctx.settings.directory.introduction_days,
        )
    )


INTRO = router.flow(Flow("intro", {"message": Step(_message_question, on_text=_message_sent)}))


# -- answering ----------------------------------------------------------------------


async def _contact(ctx: Context, member: Member) -> str:
    profile = await profiles.of(ctx.session, member.id)
    return "\n".join(await profiles.contact_lines(ctx.session, member, profile))


@router.button(IntroAnswer, access=Access.ACTIVE)
async def answered(ctx: Context, press: IntroAnswer) -> None:
    assert ctx.member is not None
    introduction = await ctx.session.get(Introduction, press.intro_id, with_for_update=True)
    if introduction is None or introduction.target_id != ctx.member.id:
        ctx.reply_private(ctx._("This button is no longer active."))
        return
    mine = await profiles.of(ctx.session, ctx.member.id)
    if mine is not None:
        profiles.remember_handle(mine, ctx.event.platform, ctx.event.user_handle)
    accept = press.answer == "y"
    if not introductions.answer(introduction, accept=accept, now=ctx.clock.now()):
        ctx.reply_private(ctx._("You already answered this request."))
        return
    asker = await ctx.session.get(Member, introduction.asker_id)
    if not accept or asker is None:
        ctx.edit_pressed(ctx._("Declined. They will not be told."))
        return
    target = ctx.member
    theirs, mine_text = await _contact(ctx, asker), await _contact(ctx, target)
    ctx.edit_pressed(ctx._("Accepted."))
    ctx.reply_private(
        ctx._("Here is how to reach {name}:", name=asker.display_name) + "\n" + theirs
    )
    await _tell(
        ctx,
        "introductions",
        f"intro:{introduction.id}:accepted",
        asker.id,
        lambda speaker: Message(
            text=speaker._(
                "{name} accepted your introduction request. How to reach them:",
                name=target.display_name,
            )
            + "\n"
            + mine_text
        ),
        target.id,
    )


@router.button(PairAnswer, access=Access.ACTIVE)
async def met(ctx: Context, press: PairAnswer) -> None:
    """A member of a pair says whether they met; a yes counts once for the pair."""
    assert ctx.member is not None
    pair = await ctx.session.get(MeetingPair, press.pair_id, with_for_update=True)
    if pair is None or pairs.partner_of(pair, ctx.member.id) is None:
        ctx.reply_private(ctx._("This button is no longer active."))
        return
    if press.answer == "n":
        ctx.edit_pressed(ctx._("Thank you for telling me. Maybe next month!"))
        return
    if not await pairs.confirm(ctx.session, ctx.settings, pair, ctx.clock.now()):
        ctx.edit_pressed(ctx._("Your meeting is already counted. Thank you!"))
        return
    points = ctx.settings.directory.pair_points
    said = ctx._("Great, your meeting counts for both of you!")
    if points:
        said += " " + ctx.ngettext("+{n} point", "+{n} points", points)
    ctx.edit_pressed(said)
    partner = pairs.partner_of(pair, ctx.member.id)
    assert partner is not None
    name = short(ctx.member.display_name, 40)
    await _tell(
        ctx,
        "meetings",
        f"pair:{pair.id}:met",
        partner,
        lambda speaker: Message(
            text=speaker._("{name} confirmed your meeting of the month.", name=name)
            + (" " + speaker.ngettext("+{n} point", "+{n} points", points) if points else "")
        ),
        ctx.member.id,
    )
