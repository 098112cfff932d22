"""/kitadd: a coordinator (or a referent, for their categories) adds an item to the kit
in a private flow — kind, title, text in their language, link, the image or PDF (sent in
the chat: a visual's image, a document's PDF, a post's optional image), topics, for whom —
sees a preview exactly as members will, and saves it. A file is judged by its content,
never its name (:mod:`bot.animation.kit.files`), and stored when it arrives; one left
behind by a cancelled flow is swept later (:func:`bot.animation.kit.files.sweep`).
``relais kit add --file`` does the same from the command line (:mod:`bot.cli.kit`)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.activity import reports
from bot.animation.kit import files, items
from bot.conversation import flows
from bot.conversation.context import Context
from bot.conversation.flows import SKIP, Flow, Step
from bot.core import audit
from bot.core.bilingual import Bilingual
from bot.core.i18n import N_
from bot.core.port import Attachment, Message
from bot.core.text import clean_block
from bot.members import roles
from bot.models import Conversation, KitItem, KitKind, Role
from handlers._kit_view import KINDS, item_message
from handlers._labels import category_name, invalid_input

EVERYONE = "all"


def _draft(ctx: Context, data: dict[str, Any]) -> items.Draft:
    audience = data.get("audience") or EVERYONE
    return items.Draft(
        kind=KitKind(data["kind"]),
        title=str(data["title"]),
        text=Bilingual.of({ctx.language: data.get("text") or ""}),
        link=data.get("link"),
        tags=tuple(data.get("tags") or ()),
        categories=() if audience == EVERYONE else (str(audience),),
        file_name=data["file"][0] if data.get("file") else None,
        file_type=data["file"][1] if data.get("file") else None,
    )


async def _chose_kind(ctx: Context, conversation: Conversation, value: str) -> None:
    if value not in {kind.value for kind in KitKind}:
        flows.ask(ctx, ADD, conversation)
        return
    flows.update(conversation, kind=value)
    await flows.goto(ctx, ADD, conversation, "title")


async def _sent_title(ctx: Context, conversation: Conversation, text: str) -> None:
    title = clean_block(text, items.MAX_TITLE)
    if title is None or "\n" in title:
        ctx.reply(
            ctx._("Please send one line of at most {limit} characters.", limit=items.MAX_TITLE)
        )
        return
    flows.update(conversation, title=title)
    await flows.goto(ctx, ADD, conversation, "text")


async def _sent_text(ctx: Context, conversation: Conversation, text: str) -> None:
    cleaned = clean_block(text, items.MAX_TEXT)
    if cleaned is None:
        ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=items.MAX_TEXT))
        return
    flows.update(conversation, text=cleaned)
    await flows.goto(ctx, ADD, conversation, "link")


async def _skipped_text(ctx: Context, conversation: Conversation, value: str) -> None:
    assert value == SKIP
    flows.update(conversation, text="")
    await flows.goto(ctx, ADD, conversation, "link")


async def _sent_link(ctx: Context, conversation: Conversation, text: str) -> None:
    try:
        link = reports.parse_link(text)
    except reports.InvalidInput as error:
        ctx.reply(invalid_input(ctx, error.reason))
        return
    flows.update(conversation, link=link)
    await _after_link(ctx, conversation)


async def _skipped_link(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, link=None)
    await _after_link(ctx, conversation)


#: The kinds that carry a file, and the types each accepts.
FILE_KINDS = {
    KitKind.POST: files.IMAGES,
    KitKind.VISUAL: files.IMAGES,
    KitKind.DOCUMENT: ("pdf",),
}


def _kind(conversation: Conversation) -> KitKind:
    return KitKind(conversation.data["kind"])


async def _after_link(ctx: Context, conversation: Conversation) -> None:
    step = "file" if _kind(conversation) in FILE_KINDS else "tags"
    await flows.goto(ctx, ADD, conversation, step)


def _ask_file(ctx: Context, conversation: Conversation) -> str:
    mb = ctx.settings.kit.max_file_mb
    kind = _kind(conversation)
    if kind is KitKind.DOCUMENT:
        return ctx._("Send the PDF document here, at most {mb} MB.", mb=mb)
    if kind is KitKind.VISUAL:
        return ctx._("Send the image here: PNG, JPEG, WebP or GIF, at most {mb} MB.", mb=mb)
    return ctx._(
        "An image to go with the post? Send it here (PNG, JPEG, WebP or GIF, at most {mb} "
        "MB). Or tap Skip.",
        mb=mb,
    )


def _optional_file(ctx: Context) -> bool:
    conversation = ctx.conversation
    return conversation is not None and conversation.data.get("kind") == KitKind.POST.value


async def _sent_file(ctx: Context, conversation: Conversation, attachment: Attachment) -> None:
    """Check the file by its content, store it, and go on; a refusal says why."""
    refused = _refusal(ctx, conversation, attachment)
    if refused is not None:
        ctx.reply(refused)
        return
    assert attachment.content is not None
    stored = await asyncio.to_thread(files.store, ctx.settings, attachment.content)
    flows.update(conversation, file=list(stored))
    await flows.goto(ctx, ADD, conversation, "tags")


def _refusal(ctx: Context, conversation: Conversation, attachment: Attachment) -> str | None:
    mb = ctx.settings.kit.max_file_mb
    too_large = ctx._("This file is larger than {mb} MB: please send a smaller one.", mb=mb)
    if attachment.size > mb * 1024 * 1024:
        return too_large
    if attachment.content is None:
        return ctx._("The file could not be received: please send it again.")
    try:
        kind = files.check(ctx.settings, attachment.content)
    except files.FileRefused as refused:
        if refused.reason == "too_large":
            return too_large
        kind = None
    if kind not in FILE_KINDS[_kind(conversation)]:
        if _kind(conversation) is KitKind.DOCUMENT:
            return ctx._("Only a PDF is accepted here (judged by its content, not its name).")
        return ctx._(
            "Only PNG, JPEG, WebP or GIF images are accepted here (judged by their content, "
            "not their name)."
        )
    return None


async def _file_as_text(ctx: Context, conversation: Conversation, text: str) -> None:
    ctx.reply(ctx._("Please send the file itself (as a photo or a file), or /cancel."))


async def _skipped_file(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, file=None)
    await flows.goto(ctx, ADD, conversation, "tags")


async def _sent_tags(ctx: Context, conversation: Conversation, text: str) -> None:
    flows.update(conversation, tags=items.parse_tags(text))
    await _after_tags(ctx, conversation)


async def _skipped_tags(ctx: Context, conversation: Conversation, value: str) -> None:
    flows.update(conversation, tags=[])
    await _after_tags(ctx, conversation)


async def _after_tags(ctx: Context, conversation: Conversation) -> None:
    mine = conversation.data["mine"]
    if len(mine) == 1 and not conversation.data.get("all"):
        flows.update(conversation, audience=mine[0])
        await _preview(ctx, conversation)
    else:
        await flows.goto(ctx, ADD, conversation, "audience")


def _audiences(ctx: Context, conversation: Conversation) -> list[tuple[str, str]]:
    found = [(EVERYONE, ctx._("Everyone"))] if conversation.data.get("all") else []
    return found + [(key, category_name(ctx, key)) for key in conversation.data["mine"]]


async def _chose_audience(ctx: Context, conversation: Conversation, value: str) -> None:
    if value not in {key for key, _label in _audiences(ctx, conversation)}:
        flows.ask(ctx, ADD, conversation)
        return
    flows.update(conversation, audience=value)
    await _preview(ctx, conversation)


async def _preview(ctx: Context, conversation: Conversation) -> None:
    draft = _draft(ctx, conversation.data)
    shown = KitItem(
        id=0, kind=draft.kind, title=draft.title, text_fr=draft.text.fr, text_en=draft.text.en,
        link=draft.link, tags=" ".join(draft.tags), categories=" ".join(draft.categories),
        file_name=draft.file_name, file_type=draft.file_type,
    )  # fmt: skip
    ctx.reply_private(ctx._("Preview — this is how members will see it:"))
    message = item_message(ctx, shown, manager=False)
    ctx.send(
        ctx.private_chat,
        Message(message.text, image_png=message.image_png, document=message.document),
    )
    await flows.goto(ctx, ADD, conversation, "confirm")


async def _confirmed(ctx: Context, conversation: Conversation, value: str) -> None:
    assert ctx.member is not None
    draft = _draft(ctx, conversation.data)
    for category in draft.categories:
        if not await roles.speaks_for(ctx.session, ctx.member, category):
            await flows.end(ctx, conversation)
            ctx.reply(ctx._("You are not a referent of this category."))
            return
    item = items.create(ctx.session, draft, ctx.member.id, ctx.clock.now())
    await ctx.session.flush()
    audit.record(ctx.session, ctx.clock, actor_id=ctx.member.id, action="kit.add", item_id=item.id)
    await flows.end(ctx, conversation)
    ctx.reply(
        ctx._("Added to the kit (item #{number}). Members find it with /kit.", number=item.id)
    )


ADD = Flow(
    "kitadd",
    steps={
        "kind": Step(
            lambda ctx, _c: ctx._("What kind of item?"),
            lambda ctx, _c: [(kind.value, ctx._(label)) for kind, label in KINDS.items()],
            _chose_kind,
        ),
        "title": Step(lambda ctx, _c: ctx._("Its title (one line)."), on_text=_sent_title),
        "text": Step(
            lambda ctx, _c: ctx._(
                "Its text, as members will copy or share it (in your language). Or tap Skip."
            ),
            on_text=_sent_text,
            on_choice=_skipped_text,
            skippable=True,
        ),
        "link": Step(
            lambda ctx, _c: ctx._("The link members share (https://…). Or tap Skip."),
            on_text=_sent_link,
            on_choice=_skipped_link,
            skippable=True,
        ),
        "file": Step(
            _ask_file,
            on_text=_file_as_text,
            on_file=_sent_file,
            on_choice=_skipped_file,
            skippable=_optional_file,
        ),
        "tags": Step(
            lambda ctx, _c: ctx._("Its topics, a few words (e.g. tourism cycling). Or tap Skip."),
            on_text=_sent_tags,
            on_choice=_skipped_tags,
            skippable=True,
        ),
        "audience": Step(lambda ctx, _c: ctx._("For whom?"), _audiences, _chose_audience),
        "confirm": Step(
            lambda ctx, _c: ctx._("Add it to the kit?"),
            lambda ctx, _c: [("ok", ctx._("Confirm"))],
            _confirmed,
        ),
    },
    min_role=Role.REFERENT,
)


async def begin(ctx: Context) -> None:
    assert ctx.member is not None
    mine = await roles.categories_of(ctx.session, ctx.settings, ctx.member)
    if not mine:
        ctx.reply(ctx._("You are not a referent of any category yet."))
        return
    if not ctx.move_to_private():
        return
    everyone = ctx.member.role is Role.COORDINATOR
    await flows.begin(ctx, ADD, "kind", {"mine": mine, "all": everyone})


# -- editing ------------------------------------------------------------------------------

FIELDS = {
    "title": N_("Title"),
    "fr": N_("Text in French"),
    "en": N_("Text in English"),
    "link": N_("Link"),
    "tags": N_("Topics"),
}


def _fields(ctx: Context, _c: Conversation) -> list[tuple[str, str]]:
    return [(name, ctx._(label)) for name, label in FIELDS.items()]


async def _chose_field(ctx: Context, conversation: Conversation, value: str) -> None:
    if value not in FIELDS:
        flows.ask(ctx, EDIT, conversation)
        return
    flows.update(conversation, field=value)
    await flows.goto(ctx, EDIT, conversation, "value")


def _ask_value(ctx: Context, conversation: Conversation) -> str:
    label = ctx._(FIELDS[str(conversation.data.get("field", "title"))])
    return ctx._("The new {field}. Or tap Skip to empty it.", field=label.lower())


async def _sent_value(ctx: Context, conversation: Conversation, text: str) -> None:
    await _apply(ctx, conversation, text)


async def _apply(ctx: Context, conversation: Conversation, text: str | None) -> None:
    """Write the new value (None: empty it) and show the item as members see it."""
    assert ctx.member is not None
    item = await ctx.session.get(KitItem, int(conversation.data["item"]))
    if item is None or item.retired_at is not None:
        await flows.end(ctx, conversation)
        ctx.reply(ctx._("This item is no longer in the kit."))
        return
    field = str(conversation.data["field"])
    if field == "title":
        title = None if text is None else clean_block(text, items.MAX_TITLE)
        if title is None or "\n" in title:
            ctx.reply(
                ctx._("Please send one line of at most {limit} characters.", limit=items.MAX_TITLE)
            )
            return
        item.title = title
    elif field in ("fr", "en"):
        block = "" if text is None else clean_block(text, items.MAX_TEXT)
        if block is None:
            ctx.reply(ctx._("Please send between 1 and {limit} characters.", limit=items.MAX_TEXT))
            return
        setattr(item, f"text_{field}", block)
    elif field == "link":
        try:
            item.link = None if text is None else reports.parse_link(text)
        except reports.InvalidInput as error:
            ctx.reply(invalid_input(ctx, error.reason))
            return
    else:
        item.tags = "" if text is None else " ".join(items.parse_tags(text))
    audit.record(
        ctx.session, ctx.clock, actor_id=ctx.member.id, action="kit.edit", item_id=item.id,
        field=field,
    )  # fmt: skip
    await flows.end(ctx, conversation)
    ctx.reply_private(ctx._("Saved. This is how members see it now:"))
    ctx.send(ctx.private_chat, item_message(ctx, item, manager=False))


async def _skipped_value(ctx: Context, conversation: Conversation, value: str) -> None:
    if conversation.data.get("field") == "title":  # a title cannot be empty
        flows.ask(ctx, EDIT, conversation)
        return
    await _apply(ctx, conversation, None)


EDIT = Flow(
    "kitedit",
    steps={
        "field": Step(lambda ctx, _c: ctx._("What do you want to change?"), _fields, _chose_field),
        "value": Step(_ask_value, on_text=_sent_value, on_choice=_skipped_value, skippable=True),
    },
    min_role=Role.REFERENT,
)


async def begin_edit(ctx: Context, item: KitItem) -> None:
    if not ctx.move_to_private():
        return
    await flows.begin(ctx, EDIT, "field", {"item": item.id})
