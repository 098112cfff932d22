"""A neutral :class:`Message` as an e-mail, built with the standard library's ``email``.

The message's first line is the subject, the rest its body. The mail is
``multipart/alternative`` (plain text, and HTML: the same text escaped, in paragraphs,
its web addresses made links) in UTF-8; an image (an invitation's QR code) is attached
inline to the HTML part and referenced by ``cid:``. Link buttons become links under the
body; payload buttons are left out (nothing can be pressed in a mail). Each mail ends
with a translated footer saying why it came and how to stop it.

Headers: ``List-Unsubscribe`` carries a ``mailto:`` to the reply address (someone reads
it and runs ``relais unsubscribe``) and, when the web server has a public URL, the
one-click ``https://…/u/<token>`` link, with ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058). The ``Message-ID`` is random: nothing about
the person is in it.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.utils import formatdate

from bot.core.config import EmailSettings
from bot.core.i18n import N_, Translator
from bot.core.port import Message
from bot.mailing.addresses import Recipient

FOOTER_LINK = N_(
    "You receive this e-mail as an ambassador of {network}. To receive no more e-mail from "
    "us: {link}"
)
FOOTER_REPLY = N_(
    "You receive this e-mail as an ambassador of {network}. To receive no more e-mail from "
    "us, reply to this message asking to unsubscribe."
)
_URL = re.compile(r"https?://[^\s<>\"']+")


class BadAddress(ValueError):
    """The recipient's address cannot be written in a mail header."""


@dataclass(frozen=True, slots=True)
class Frame:
    """What every mail of the network shares."""

    settings: EmailSettings
    network: str
    translator: Translator
    #: The web server's public address, for the one-click unsubscribe link.
    public_url: str | None = None

    def unsubscribe_url(self, token: str) -> str | None:
        return f"{self.public_url}/u/{token}" if self.public_url else None


def _linkify(text: str) -> str:
    """Escape ``text`` for HTML and make its web addresses links."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        url = html.escape(match.group(0))
        parts.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def _html(paragraphs: list[str], footer: str, image_cid: str | None, language: str) -> str:
    body = "".join(
        f"<p>{_linkify(paragraph).replace(chr(10), '<br>')}</p>" for paragraph in paragraphs
    )
    image = f'<p><img src="cid:{image_cid[1:-1]}" alt="QR" width="240"></p>' if image_cid else ""
    small = _linkify(footer).replace("\n", "<br>")
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.4">{body}{image}'
        f'<hr><p style="font-size:small;color:#555">{small}</p></body></html>'
    )


def build(message: Message, recipient: Recipient, frame: Frame) -> EmailMessage:
    """The mail for ``recipient``; raises :class:`BadAddress` for an unusable address."""
    settings = frame.settings
    assert settings.from_address is not None
    language = message.language or recipient.language
    subject, _, body = message.text.partition("\n")
    links = [
        f"{button.label}: {button.url}" for row in message.buttons for button in row if button.url
    ]
    if links:
        body = body.rstrip("\n") + "\n\n" + "\n".join(links)
    unsubscribe = frame.unsubscribe_url(recipient.token)
    replies = settings.replies_to or settings.from_address
    if unsubscribe is not None:
        footer = frame.translator.gettext(
            language,
            FOOTER_LINK,
            network=frame.network,
            link=unsubscribe,
        )
    else:
        footer = frame.translator.gettext(
            language,
            FOOTER_REPLY,
            network=frame.network,
        )
    mail = EmailMessage()
    try:
        mail["To"] = MailAddress(recipient.name or "", addr_spec=recipient.address)
    except (ValueError, IndexError) as error:
        raise BadAddress("the address cannot be written in a header") from error
    domain = settings.from_address.rpartition("@")[2]
    mail["From"] = MailAddress(settings.from_name or frame.network, addr_spec=settings.from_address)
    if settings.reply_to:
        mail["Reply-To"] = settings.reply_to
    mail["Subject"] = subject.strip()
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{secrets.token_hex(16)}@{domain}>"  # random: nothing of anyone
    mailto = f"<mailto:{replies}?subject=unsubscribe>"
    if unsubscribe is not None:
        mail["List-Unsubscribe"] = f"<{unsubscribe}>, {mailto}"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        mail["List-Unsubscribe"] = mailto
    paragraphs = [part.strip("\n") for part in body.strip("\n").split("\n\n") if part.strip()]
    mail.set_content("\n\n".join(paragraphs) + "\n\n-- \n" + footer + "\n", charset="utf-8")
    cid = f"<{secrets.token_hex(8)}@{domain}>" if message.image_png is not None else None
    mail.add_alternative(_html(paragraphs, footer, cid, language), subtype="html", charset="utf-8")
    if message.image_png is not None and cid is not None:
        html_part = mail.get_body(preferencelist=("html",))
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(
            message.image_png, maintype="image", subtype="png", cid=cid, filename="qr.png"
        )
    mail["Content-Language"] = language  # after the parts: set_content drops Content-*
    return mail
