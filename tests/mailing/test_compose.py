"""A neutral message as an e-mail: what people write is escaped in the HTML part, link
buttons become links, payload buttons are left out, and without a public web address
the only way out offered is the ``mailto:`` one."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from bot.core.config import EmailSettings
from bot.core.i18n import Translator
from bot.core.port import Button, Message
from bot.mailing.addresses import Recipient
from bot.platforms.email.compose import Frame, build
from tests.support.smtp import html_part, text_part

SETTINGS = EmailSettings(host="smtp.test", from_address="club@relais.test")
RECIPIENT = Recipient(7, "eve@example.test", "Eve <b>Bold</b>", "en", "tok3n")


def parsed(mail: EmailMessage) -> EmailMessage:
    message = message_from_bytes(mail.as_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_escaping_links_buttons_and_the_mailto_only_footer() -> None:
    message = Message(
        text="News <of the week>\nHello <script>alert(1)</script>, see https://x.test/a?b=1&c=2",
        buttons=((Button("Read", url="https://x.test/read"), Button("Done", payload="c:d:1")),),
        language="en",
    )
    frame = Frame(settings=SETTINGS, network="Lyon", translator=Translator("fr"))
    mail = parsed(build(message, RECIPIENT, frame))
    assert mail["Subject"] == "News <of the week>"
    assert mail["From"] == "Lyon <club@relais.test>"
    assert mail["List-Unsubscribe"] == "<mailto:club@relais.test?subject=unsubscribe>"
    assert mail["List-Unsubscribe-Post"] is None  # one click needs the web server
    html = html_part(mail)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://x.test/a?b=1&amp;c=2">' in html
    assert '<a href="https://x.test/read">' in html
    text = text_part(mail)
    assert "Read: https://x.test/read" in text
    assert "Done" not in text  # nothing to press in a mail
    assert "reply to this message asking to unsubscribe" in text
    assert mail["To"].addresses[0].display_name == "Eve <b>Bold</b>"


def test_the_footer_follows_the_message_language_and_links_to_the_web_page() -> None:
    frame = Frame(
        settings=SETTINGS,
        network="Lyon",
        translator=Translator("en"),
        public_url="https://relais.test",
    )
    mail = parsed(build(Message("Sujet\nCorps", language="fr"), RECIPIENT, frame))
    assert mail["Content-Language"] == "fr"
    assert "Pour ne plus recevoir de courriel de notre part\u00a0: https://relais.test/u/tok3n" in (
        text_part(mail)
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
