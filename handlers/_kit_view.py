"""How the kit looks in a chat: lists with topic and page buttons, one item with its
text, file and buttons (Share, Copy the text, I used it; for those who run the kit, its
reach, Edit and Retire). The button families are :mod:`bot.animation.kit.buttons`'."""

from __future__ import annotations

from bot.animation.kit import files, sharing
from bot.animation.kit.buttons import ALL, KitAct, KitAdmin, KitList, KitOpen
from bot.conversation.context import Context
from bot.core.bilingual import Bilingual
from bot.core.i18n import N_
from bot.core.port import Button, Message
from bot.models import KitItem, KitKind, Role
from handlers._labels import category_name

__all__ = ["ALL", "KINDS", "KitAct", "KitAdmin", "KitList", "KitOpen"]

#: Images the platforms show inline (Telegram's photos are PNG or JPEG); WebP and GIF
#: go as files, which every platform can open.
SHOWN_AS_IMAGE = ("png", "jpeg")

KINDS = {
    KitKind.TALKING_POINT: N_("Talking point"),
    KitKind.FIGURE: N_("Key figure"),
    KitKind.POST: N_("Ready-to-share post"),
    KitKind.VISUAL: N_("Visual"),
    KitKind.DOCUMENT: N_("Document"),
    KitKind.LINK: N_("Link"),
}


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
    if content is not None and item.file_type in SHOWN_AS_IMAGE:
        return Message(message.text, message.buttons, image_png=content)
    if content is not None and item.file_type:
        name = f"{item.title[:40]}.{item.file_type}".replace("/", "-")
        return Message(message.text, message.buttons, document=(name, content))
    return message


def reach_text(ctx: Context, reach: sharing.ItemReach) -> str:
    """The item's reach, then one line per category: shares / clicks / uses."""
    lines = [
        ctx._(
            "Reach: {shares} shares, {clicks} clicks, used by {uses}.",
            shares=reach.shares, clicks=reach.clicks, uses=reach.uses,
        )
    ]  # fmt: skip
    if reach.by_category:
        lines.append(ctx._("By category (shares / clicks / used):"))
    for key, (shares, clicks, uses) in reach.by_category.items():
        name = category_name(ctx, key) if key else "—"
        lines.append(f"· {name}: {shares} / {clicks} / {uses}")
    return "\n".join(lines)


def is_manager(ctx: Context) -> bool:
    return ctx.member is not None and ctx.member.role in (Role.REFERENT, Role.COORDINATOR)
