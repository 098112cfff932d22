"""Discord components for neutral buttons and free-text steps.

Every :class:`~bot.core.port.Button` becomes a button whose ``custom_id`` *is* its
payload (payloads are at most 64 bytes; Discord allows 100 characters). One
:class:`PayloadButton` dynamic item, registered at start-up, parses any such id back, so
a prompt posted before a restart still works after it: nothing about a button lives in
memory. A step that accepts free text gets one more button, :data:`WRITE`, that opens a
form (a modal); the form's answer comes back as ordinary text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Protocol, cast

import discord
from discord import ui

from bot.core.port import OPEN_PRIVATE, Message

#: The custom_id of the button that opens the free-text form, and of the form and field.
WRITE = "relais:write"
FORM = "relais:form"
FIELD = "relais:answer"
MAX_LABEL = 80
MAX_FORM_TITLE = 45
MAX_FIELD_LABEL = 45
MAX_PLACEHOLDER = 100
ROWS = 5
PER_ROW = 5


class PressHandler(Protocol):
    """What the adapter does with a press: ``custom_id`` and the pressed button's label."""

    def __call__(
        self, interaction: discord.Interaction, custom_id: str, label: str
    ) -> Awaitable[None]: ...


class _HasPressHandler(Protocol):
    on_press: PressHandler


class PayloadButton(ui.DynamicItem[ui.Button[ui.View]], template=r"(?P<custom_id>[^\n]{1,100})"):
    """A button carrying a Relais payload (or :data:`WRITE`) as its custom_id.

    The template accepts any id: every component Relais posts is one of these, and the
    adapter decides what an id means, so an unknown one gets a polite "no longer active".
    """

    def __init__(self, custom_id: str, label: str) -> None:
        style = discord.ButtonStyle.primary if custom_id == WRITE else discord.ButtonStyle.secondary
        button: ui.Button[ui.View] = ui.Button(
            label=_short(label, MAX_LABEL), custom_id=custom_id, style=style
        )
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: ui.Item[Any], match: Any, /
    ) -> PayloadButton:
        return cls(match["custom_id"], getattr(item, "label", None) or "…")

    async def callback(self, interaction: discord.Interaction) -> None:
        client = cast(_HasPressHandler, interaction.client)
        await client.on_press(interaction, self.custom_id, self.item.label or "")


def view_for(message: Message, open_private_url: str | None = None) -> ui.View | None:
    """The message's buttons as a view (rows kept, Discord's 5×5 grid respected);
    ``None`` when it has none, so an edit removes old buttons. Link buttons stay links;
    "open a private chat" leads to ``open_private_url`` (dropped when unknown)."""
    rows: list[list[ui.Item[Any]]] = []
    if message.text_prompt is not None:
        rows.append([PayloadButton(WRITE, message.text_prompt)])
    for row in message.buttons:
        items: list[ui.Item[Any]] = []
        for button in row:
            if button.url is None:
                items.append(PayloadButton(button.payload, button.label))
                continue
            url = open_private_url if button.url.startswith(OPEN_PRIVATE) else button.url
            if url is not None:
                items.append(ui.Button(label=_short(button.label, MAX_LABEL), url=url))
        if items:
            rows.append(items)
    if not rows:
        return None
    view = ui.View(timeout=None)
    row_index = 0
    for items in rows:
        for start in range(0, len(items), PER_ROW):
            if row_index >= ROWS:
                raise ValueError("a Discord message holds at most 25 buttons in 5 rows")
            for item in items[start : start + PER_ROW]:
                item.row = row_index
                view.add_item(item)
            row_index += 1
    return view


class TextForm(ui.Modal):
    """The form a :data:`WRITE` button opens: one field, labelled with the prompt.

    Its submission is handled by the adapter's ``on_interaction``, not by
    :meth:`on_submit`, so that a form opened before a restart is still answered.
    """

    def __init__(self, *, title: str, question: str, max_length: int) -> None:
        super().__init__(title=_short(title, MAX_FORM_TITLE), custom_id=FORM, timeout=None)
        label = _short(question, MAX_FIELD_LABEL)
        self.answer: ui.TextInput[TextForm] = ui.TextInput(
            label=label,
            custom_id=FIELD,
            style=discord.TextStyle.paragraph,
            max_length=max_length,
            placeholder=_short(question, MAX_PLACEHOLDER) if label != question else None,
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        return None  # answered in the adapter's on_interaction (see the class docstring)


def submitted_text(data: Mapping[str, Any] | None) -> str | None:
    """The text typed into :data:`FIELD`, read from a modal submission's raw data."""
    for component in _walk((data or {}).get("components", [])):
        if component.get("custom_id") == FIELD:
            value = component.get("value")
            return value if isinstance(value, str) else None
    return None


def _walk(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(_walk(component.get("components", [])))
        inner = component.get("component")  # a Label (type 18) wraps one component
        if isinstance(inner, Mapping):
            found.extend(_walk([inner]))
    return found


def _short(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else textwrap.shorten(flat, width, placeholder="…")
