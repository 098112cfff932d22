"""How a campaign's personal copies reach each member: by private chat, by e-mail, or both.

Each member says it in ``/reminders`` ("how to reach me": chat, the default; e-mail; or
both) and may turn campaigns' private messages and e-mails off altogether, keeping only
the channel posts. For a campaign sent privately (``direct``) and/or as a newsletter
(``email``), a targeted member who did not turn them off gets:

- a **private chat message** when the campaign is private, they chose chat (or both), and
  a private chat reaches them (:mod:`bot.delivery.recipients`, the one rule);
- an **e-mail** when the e-mail platform runs, they can be mailed (an address, not
  unsubscribed, not bounced) and either the campaign is private and they chose e-mail
  (or both), or the campaign is a newsletter and no private chat reaches them — members
  imported from a spreadsheet who never claimed their account get newsletters this way.

An e-mail is a delivery like any other (platform ``email``, the member's id as the chat
id: the adapter looks the address up when it sends, so an address unsubscribed in the
meantime is never written to).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.batching import chunked
from bot.core.port import Address
from bot.delivery.recipients import Recipient, private_recipients
from bot.mailing import addresses
from bot.models import CampaignReach, Member, NudgePreference

#: The e-mail platform's name.
EMAIL = "email"


def email_address(member_id: int) -> Address:
    """Where an e-mail to a member is queued (the e-mail platform's convention)."""
    return Address(EMAIL, str(member_id))


def mailable() -> ColumnElement[bool]:
    """Members a newsletter may be queued for: the e-mail platform's own rule (an address,
    a person not erased, not unsubscribed, not bounced), so a copy that could never go out
    is neither queued nor counted."""
    return addresses.mailable()


@dataclass(frozen=True, slots=True)
class Routes:
    chat: list[Recipient]
    email: list[Recipient]


async def campaign_routes(
    session: AsyncSession,
    member_ids: Iterable[int],
    platforms: Collection[str],
    *,
    direct: bool,
    newsletter: bool,
) -> Routes:
    """Who of ``member_ids`` gets the campaign by chat, and who by e-mail (see the
    module's rule), each in member id order."""
    ids = sorted(set(member_ids))
    reach: dict[int, CampaignReach] = {}
    off: set[int] = set()
    for chunk in chunked(ids):
        rows = await session.execute(
            select(
                NudgePreference.member_id,
                NudgePreference.campaign_reach,
                NudgePreference.campaigns_off_at,
            ).where(NudgePreference.member_id.in_(chunk))
        )
        for member_id, chosen, off_at in rows:
            if off_at is not None:
                off.add(member_id)
            reach[member_id] = chosen or CampaignReach.CHAT
    wanted = [i for i in ids if i not in off]
    chats = [p for p in platforms if p != EMAIL]
    reachable = await private_recipients(session, wanted, chats)
    by_chat = {r.member_id for r in reachable}

    def wants(member_id: int, how: CampaignReach) -> bool:
        return reach.get(member_id, CampaignReach.CHAT) in (how, CampaignReach.BOTH)

    chat = [r for r in reachable if direct and wants(r.member_id, CampaignReach.CHAT)]
    email: list[Recipient] = []
    if EMAIL in platforms and (direct or newsletter):
        candidates = [
            i
            for i in wanted
            if (direct and wants(i, CampaignReach.EMAIL)) or (newsletter and i not in by_chat)
        ]
        for chunk in chunked(candidates):
            found = await session.execute(
                select(Member.id, Member.language)
                .where(Member.id.in_(chunk), mailable())
                .order_by(Member.id)
            )
            email += [Recipient(i, language, email_address(i)) for i, language in found]
    return Routes(chat=chat, email=email)
