"""How the directory looks in a chat: a member's own profile with its buttons, and a page
of search results with "Ask for an introduction" and Previous / Next."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.core.port import Button, Message
from bot.directory import profiles, search
from bot.directory.buttons import DirectoryPage, IntroAsk, ProfilePress
from bot.models import Member, Profile
from handlers._labels import category_name, short


def profile_text(ctx: Context, member: Member, profile: Profile, *, full: bool = True) -> str:
    """A profile as others see it (``full``: every field; else a short card)."""
    head = f"{member.display_name} · {category_name(ctx, member.category)}"
    job = ", ".join(part for part in (profile.job_title, profile.organisation) if part)
    lines = [head]
    if job or profile.town:
        lines.append(" — ".join(part for part in (job, profile.town) if part))
    if profile.tag_list():
        lines.append(" ".join(f"#{tag}" for tag in profile.tag_list()))
    limit = 10_000 if full else 90
    for field in profiles.FIELDS[3:]:
        value = getattr(profile, field.key)
        if value:
            lines.append(f"{ctx._(field.label)}: {short(value, limit) if not full else value}")
    return "\n".join(lines)


def _switch(ctx: Context, label: str, on: bool, action: str) -> Button:
    state = ctx._("yes") if on else ctx._("no")
    return Button(f"{label}: {state}", ProfilePress(action).pack())  # type: ignore[arg-type]


def profile_message(ctx: Context, member: Member, profile: Profile) -> Message:
    """The member's own profile: the preview, whether it is shown, and its buttons."""
    if profile.listed:
        status = ctx._("Your profile is in the directory: members can find it.")
        publish = Button(ctx._("Hide my profile"), ProfilePress("hide").pack())
    else:
        status = ctx._("Your profile is hidden: nobody can find it. Publish it when it is ready.")
        publish = Button(ctx._("Publish in the directory"), ProfilePress("show").pack())
    edits = [
        Button(ctx._(field.label), ProfilePress("e", field.key).pack()) for field in profiles.FIELDS
    ]
    edits.append(Button(ctx._("Areas of expertise"), ProfilePress("e", "tags").pack()))
    rows = [[publish]] + [edits[i : i + 3] for i in range(0, len(edits), 3)]
    rows.append([_switch(ctx, ctx._("Introductions"), profile.contact, "contact")])
    if member.email:
        rows.append([_switch(ctx, ctx._("E-mail on introductions"), profile.share_email, "email")])
    if ctx.settings.directory.pairs:
        rows.append([_switch(ctx, ctx._("Monthly meetings"), profile.pairs, "pairs")])
    text = "\n\n".join([status, profile_text(ctx, member, profile)])
    return Message.with_rows(text, rows)


def results_message(ctx: Context, query: search.Query, page: search.Page, number: int) -> Message:
    """Page ``number`` of a search: each member's short card, an introduction button for
    those who accept contact (never for the searcher), and the moves."""
    assert ctx.member is not None
    if page.total == 0:
        return Message(text=ctx._("Nobody in the directory matches this search."))
    lines = [ctx.ngettext("{n} member found.", "{n} members found.", page.total)]
    rows: list[list[Button]] = []
    for index, (member, profile) in enumerate(page.found, start=page.offset + 1):
        lines += ["", f"{index}. " + profile_text(ctx, member, profile, full=False)]
        if profile.contact and member.id != ctx.member.id:
            label = ctx._("Ask for an introduction: {name}", name=short(member.display_name, 30))
            rows.append([Button(label, IntroAsk(member.id).pack())])
    moves = []
    packed = query.pack()
    if number > 0:
        moves.append(Button("◀ " + ctx._("Previous"), DirectoryPage(number - 1, packed).pack()))
    if page.remaining:
        label = ctx._("Next ({n} more)", n=page.remaining)
        moves.append(Button(label + " ▶", DirectoryPage(number + 1, packed).pack()))
    if moves:
        rows.append(moves)
    return Message.with_rows("\n".join(lines), rows)
