"""A campaign as it is written and as members read it: the draft a coordinator prepares,
and its renderings — a channel post (the network's language first, the other below), a
private message or an e-mail (the reader's language, else the network's; see
:mod:`bot.animation.wording`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.animation import calls, wording
from bot.animation.calls import Subject
from bot.animation.kit.buttons import KitOpen
from bot.animation.segments import Segments
from bot.animation.wording import Wording
from bot.core.bilingual import Bilingual
from bot.core.config import Settings
from bot.core.i18n import N_, Translator
from bot.core.port import Button, Message
from bot.models import Campaign, Repeat

FROM_COORDINATORS = N_("A campaign from the network's coordinators:")
EMAIL_SUBJECT = N_("{network}: {title}")
KIT_ITEM = N_("To share, in the kit: {title}")
OPEN_KIT = N_("Open in the kit")
KIT_ITEM_BY_EMAIL = N_("To share, in the kit (/kit in the chat with the bot): {title}")
EMAIL_ANSWER = N_(
    "To answer (Done, I'm on it, Not for me), send /answer {code} to the bot in private."
)


@dataclass(frozen=True, slots=True)
class Draft:
    categories: tuple[str, ...]
    text: Bilingual
    call_to_action: Bilingual
    #: None: now.
    starts_at: datetime | None
    repeat: Repeat
    direct: bool
    #: Also as a newsletter, by e-mail (see :mod:`bot.mailing.newsletter`).
    email: bool = False
    segments: Segments = field(default_factory=Segments)
    #: A repeating campaign's last possible run, and its number of runs at most.
    ends_at: datetime | None = None
    max_runs: int | None = None
    #: A kit item members are asked to share: (its id, its title).
    kit_item: tuple[int, str] | None = None

    @property
    def wording(self) -> Wording:
        return Wording(text=self.text, call=self.call_to_action)


def render(
    translator: Translator,
    language: str,
    draft: Draft,
    subject: Subject | None,
    *,
    private: bool,
    default: str | None = None,
) -> Message:
    """The campaign as members see it: privately in ``language`` (the reader's; the text
    in it, else in ``default``, the network's), with a first line saying who it is from;
    or as a channel post (``language`` is then the network's: its text first, the other
    language's below). A preview when ``subject`` is :data:`calls.PREVIEW`."""
    if private:
        lines = [translator.gettext(language, FROM_COORDINATORS), ""]
        lines += wording.for_reader(draft.wording, language, default or language)
    else:
        first, below = wording.for_channel(draft.wording, language)
        lines = first + below
    rows = calls.buttons(translator, language, subject)
    if draft.kit_item is not None:
        item_id, title = draft.kit_item
        lines.append(translator.gettext(language, KIT_ITEM, title=title))
        rows = [*rows, [Button(translator.gettext(language, OPEN_KIT), KitOpen(item_id).pack())]]
    message = Message.with_rows("\n".join(lines), rows)
    return replace(message, language=language)


def render_email(
    translator: Translator,
    settings: Settings,
    language: str,
    draft: Draft,
    subject: Subject,
) -> Message:
    """The campaign as an e-mail (first line: the subject): the reader's language, else
    the network's; the answer buttons become a reply code to send to the bot."""
    default = settings.network.default_language
    lines = wording.for_reader(draft.wording, language, default)
    first_line = lines[0].splitlines()[0] if lines and lines[0] else ""
    title = translator.gettext(
        language, EMAIL_SUBJECT, network=settings.network.name, title=first_line[:80]
    )
    body = [translator.gettext(language, FROM_COORDINATORS), "", *lines, ""]
    if draft.kit_item is not None:
        body += [translator.gettext(language, KIT_ITEM_BY_EMAIL, title=draft.kit_item[1]), ""]
    body.append(translator.gettext(language, EMAIL_ANSWER, code=subject.key))
    return Message(text="\n".join([title, *body]), language=language)


def draft_of(campaign: Campaign, kit_title: str | None = None) -> Draft:
    """The campaign's draft; ``kit_title`` is its kit item's title, when it carries one
    still in the kit (see :func:`bot.animation.campaigns.kit_title`)."""
    item = campaign.kit_item_id
    return Draft(
        kit_item=(item, kit_title) if item is not None and kit_title is not None else None,
        categories=tuple(campaign.categories),
        text=Bilingual(fr=campaign.text_fr, en=campaign.text_en),
        call_to_action=Bilingual(fr=campaign.call_fr, en=campaign.call_en),
        starts_at=campaign.starts_at,
        repeat=campaign.repeat,
        direct=campaign.direct,
        email=campaign.email,
        segments=Segments.of(campaign.segments),
        ends_at=campaign.ends_at,
        max_runs=campaign.max_runs,
    )
