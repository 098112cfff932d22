"""Shared by the coordinators' and referents' handlers: naming a member in a command,
one-line descriptions of members, and telling a member something in their language.

Across platforms a member is named by their **member number** (``#12``), shown in
``/pending``, ``/members``, application cards and results; a display name (``@Alice`` or
``Alice``) also works when exactly one member has it.
"""

from __future__ import annotations

from bot.conversation.context import Context
from bot.core.port import Message
from bot.delivery import audience
from bot.members import roles
from bot.models import AuditEntry, Member, Role
from handlers._labels import category_name


async def named_member(ctx: Context, word: str) -> Member | None:
    """The member ``word`` names, or None after telling the caller why not."""
    found = await roles.find_member(ctx.session, word)
    if found.member is not None:
        return found.member
    if found.candidates:
        lines = [ctx._("Several members are called {name}; use their number:", name=word)]
        lines += [member_line(ctx, member) for member in found.candidates]
        ctx.reply("\n".join(lines))
    else:
        ctx.reply(
            ctx._(
                "No member {name}. Name members by their number (#12), shown in /members "
                "and /pending.",
                name=word,
            )
        )
    return None


def member_line(ctx: Context, member: Member) -> str:
    role = {Role.REFERENT: ctx._("referent"), Role.COORDINATOR: ctx._("coordinator")}
    suffix = f" ({role[member.role]})" if member.role in role else ""
    return f"#{member.id} {member.display_name} — {category_name(ctx, member.category)}{suffix}"


def category_in(ctx: Context, language: str, key: str) -> str:
    category = ctx.settings.category(key)
    return category.name.get(language) if category else key


async def tell(
    ctx: Context, member_id: int, entry: AuditEntry, message: str, **values: object
) -> None:
    """Queue a private message to a member about an audited action, in their language
    (``{category}`` is filled with ``values['category_key']`` named in that language).
    The delivery key names the audit entry, so the message exists once per action."""
    await ctx.session.flush()
    key = f"audit:{entry.id}"
    key_value = values.pop("category_key", None)

    def render(language: str) -> Message:
        extra = {"category": category_in(ctx, language, str(key_value))} if key_value else {}
        return Message(text=ctx.translator.gettext(language, message, **values, **extra))

    queued = await audience.tell_members(
        ctx.session,
        now=ctx.clock.now(),
        platforms=ctx.platforms,
        member_ids=[member_id],
        key_prefix=key,
        batch=key,
        render=render,
    )
    ctx.queued = ctx.queued or queued > 0


def category_word(ctx: Context, word: str) -> str | None:
    """A category key from what the caller typed (its key or name, in either language)."""
    category = ctx.settings.category_named(word)
    return category.key if category is not None else None


def category_keys(ctx: Context) -> str:
    return ", ".join(category.key for category in ctx.settings.categories)
