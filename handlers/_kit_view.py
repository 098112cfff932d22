"""How the kit looks in a chat: lists with topic and page buttons, one item with its
text, file and buttons (Share, Copy the text, I used it; for those who run the kit, its
reach and Retire). Payload families are here so both routers of the kit share them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.animation.kit import files, sharing
from bot.conversation.context import Context
from bot.core.bilingual import Bilingual
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.port import Button, Message
from bot.models import KitItem, KitKind, Role
from handlers._labels import category_name

#: The "every topic" value of :class:`KitList` (tags are letters and digits only).
ALL = "_"

KINDS = {
    KitKind.TALKING_POINT: N_("Talking point"),
    KitKind.FIGURE: N_("Key figure"),
    KitKind.POST: N_("Ready-to-share post"),
    KitKind.VISUAL: N_("Visual"),
    KitKind.DOCUMENT: N_("Document"),
    KitKind.LINK: N_("Link"),
}


@dataclass(frozen=True)
class KitList(Payload, prefix="kit:l"):
    """A page of the items of one topic (or :data:`ALL`)."""

    tag: str
    page: int


@dataclass(frozen=True)
class KitOpen(Payload, prefix="kit:o"):
    item_id: int


@dataclass(frozen=True)
class KitAct(Payload, prefix="kit:a"):
    """s: share, c: copy the text, u: I used it."""

    action: Literal["s", "c", "u"]
    item_id: int


@dataclass(frozen=True)
class KitAdmin(Payload, prefix="kit:m"):
    """r: retire, e: edit (referents of the item's categories and coordinators)."""

    action: Literal["r", "e"]
    item_id: int


def body(ctx: Context, item: KitItem) -> str:
    text, _language = Bilingual(fr=item.text_fr, en=item.text_en).pick(
        ctx.language, ctx.settings.network.default_language
    )
    return text


def page_of(ctx: Context, items: list[KitItem], tag: str, page: int, header: str) -> Message:
    size = ctx.settings.kit.page_size
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    shown = items[page * size : (page + 1) * size]
    rows = [[Button(f"{item.title}", KitOpen(item.id).pack())] for item in shown]
    moves = []
    if page > 0:
        moves.append(Button("◀", KitList(tag, page - 1).pack()))
    if page + 1 < pages:
        moves.append(Button("▶", KitList(tag, page + 1).pack()))
    rows.append(moves)
    if pages > 1:
        header += "\n" + ctx._("Page {page} of {pages}", page=page + 1, pages=pages)
    return Message.with_rows(header, rows)


def item_message(ctx: Context, item: KitItem, *, manager: bool) -> Message:
    """The item as a member opens it; ``manager`` adds Retire (the reach goes apart)."""
    lines = [f"{item.title} · {ctx._(KINDS[item.kind])}"]
    text = body(ctx, item)
    if text:
        lines += ["", text]
    if item.link:
        lines += ["", item.link]
    if item.tag_list:
        lines.append(" ".join(f"#{tag}" for tag in item.tag_list))
    rows = [
        [Button(ctx._("Share"), KitAct("s", item.id).pack())],
        [
            Button(
                ctx._("Copy the text"),
                KitAct("c", item.id).pack(),
                copy_text=text or item.link or item.title,
            ),
            Button(ctx._("I used it"), KitAct("u", item.id).pack()),
        ],
    ]
    if manager:
        rows.append(
            [
                Button(ctx._("Edit"), KitAdmin("e", item.id).pack()),
                Button(ctx._("Retire"), KitAdmin("r", item.id).pack()),
            ]
        )
    message = Message.with_rows("\n".join(lines), rows)
    content = files.read(ctx.settings, item.file_name) if item.file_name else None
    if content is not None and item.file_type == "png":
        return Message(message.text, message.buttons, image_png=content)
    if content is not None and item.file_type:
        name = f"{item.title[:40]}.{item.file_type}".replace("/", "-")
        return Message(message.text, message.buttons, document=(name, content))
    return message


def reach_text(ctx: Context, reach: sharing.ItemReach) -> str:
    lines = [
        ctx._("Reach: {shares} shares, {clicks} clicks.", shares=reach.shares, clicks=reach.clicks)
    ]
    for key, (shares, clicks) in reach.by_category.items():
        name = category_name(ctx, key) if key else "—"
        lines.append(f"· {name}: {shares} / {clicks}")
    return "\n".join(lines)


def is_manager(ctx: Context) -> bool:
    return ctx.member is not None and ctx.member.role in (Role.REFERENT, Role.COORDINATOR)
