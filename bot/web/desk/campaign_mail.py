"""The composer's e-mail preview: a campaign's e-mail in each written language, built by
:func:`bot.platforms.email.compose.build` — the function that sends it — for a recipient
who is nobody (``…`` stands for each member's own unsubscribe link)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.animation import campaigns
from bot.animation.calls import Subject
from bot.core.i18n import N_
from bot.mailing.addresses import Recipient
from bot.platforms.email.compose import Frame, build
from bot.web.desk.access import Desk

#: The preview's recipient: an address of nobody, a placeholder for the unsubscribe token.
ADDRESS, TOKEN = "ambassador@example.invalid", "…"
NO_EMAIL = N_("E-mail is not set up on this network: no e-mail will go out.")


@dataclass(frozen=True, slots=True)
class MailPreview:
    """An e-mail as the mailer builds it: its language, sender, subject and plain-text
    part (the HTML part holds the same paragraphs, web addresses made links)."""

    language: str
    sender: str
    subject: str
    body: str


def previews(desk: Desk, draft: campaigns.Draft, number: int | None) -> list[MailPreview] | str:
    """The e-mail in each written language (campaign ``number``'s first run; a new
    campaign's answer code has no number yet), or why no e-mail will go out."""
    context = desk.context
    settings, translator = context.settings, context.translator
    if not settings.email.enabled:
        return desk._(NO_EMAIL)
    frame = Frame(
        settings=settings.email, network=settings.network.name, translator=translator,
        public_url=settings.web.public_url,
    )  # fmt: skip
    subject = Subject(campaign_id=number or 0, occurrence=1 if number else 0)
    shown = []
    for language in draft.wording.written() or (settings.network.default_language,):
        message = campaigns.render_email(translator, settings, language, draft, subject)
        mail = build(message, Recipient(desk.member.id, ADDRESS, "", language, TOKEN), frame)
        text = mail.get_body(preferencelist=("plain",))
        body = str(text.get_content()) if text is not None else ""
        shown.append(MailPreview(language, str(mail["From"]), str(mail["Subject"]), body))
    return shown
