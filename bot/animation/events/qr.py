"""The check-in deep link as a QR code, for the organizer to show at the meeting.

Members scan it with their phone's camera: the link opens the private chat with the bot
and checks them in (``t.me/<bot>?start=ci-<code>`` on Telegram). segno writes the PNG (no
image library needed); a scale of 10 pixels a module and the standard quiet zone of 4
keep it readable from across a room or a projected screen.
"""

from __future__ import annotations

import io

import segno

#: Pixels per module, and the quiet zone in modules (the standard asks for 4).
SCALE = 10
BORDER = 4


def checkin_qr(link: str) -> bytes:
    """A PNG of a QR code holding ``link`` (error correction M, or better when it fits)."""
    if not link:
        raise ValueError("a QR code needs a link")
    code = segno.make(link, error="m", boost_error=True, micro=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()
