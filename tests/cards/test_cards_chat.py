"""The member card and partners through the console: a coordinator adds partners and
benefits, a member gets their card (the QR code read back from the image), sees what their
level unlocks, anyone checks a card by its code; re-issuing and erasure revoke it."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from bot.cards import image
from bot.models import AuditEntry, Benefit, BenefitUse, MemberCard, Partner, PointsEntry
from tests.support.cards import PARTNERS, last_card
from tests.support.harness import Network


async def _code(network: Network) -> str:
    async with network.sessions() as session:
        card = await session.scalar(
            select(MemberCard).where(MemberCard.revoked_at.is_(None)).order_by(MemberCard.id.desc())
        )
        assert card is not None
        return card.code


async def test_partners_benefits_card_and_verify(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    out = await network.play(PARTNERS)
    assert "Partner added: Musée des Confluences. Its code is" in out
    assert "Benefit added at Bouchon Daniel." in out
    async with network.sessions() as session:
        museum = await session.scalar(select(Partner).where(Partner.kind == "Museum"))
        assert museum is not None and len(museum.code) == 6
        benefits = list(await session.scalars(select(Benefit).order_by(Benefit.id)))
    assert [(b.text_en, b.text_fr, b.min_level) for b in benefits] == [
        ("Free entry", "Entrée gratuite", 0), ("10% off the menu", "", 50),
    ]  # fmt: skip
    assert str(benefits[1].ends_on) == "2026-12-31"

    out = await network.play("@alice /benefits")
    assert "Benefits of your card — your level: Ambassador" in out
    assert "Museum" in out and "Restaurant" in out
    assert "Free entry ✓" in out
    assert "10% off the menu (until 31 December 2026) (from level Committed ambassador)" in out
    assert "86 quai Perrache, Lyon · https://museum.test" in out

    out = await network.play("@alice /card")
    assert "Your member card, valid until 4 March 2027." in out
    png, held = last_card(network)
    code = await _code(network)
    assert held == f"{code[:4]}-{code[4:]}"  # no public address: the code itself
    card = Image.open(io.BytesIO(png))
    assert card.size == (image.WIDTH, image.HEIGHT) == (1011, 638)
    assert round(card.info["dpi"][0]) == 300

    out = await network.play(f"@paula /verify {code.lower()}")  # not a member: a partner
    assert "✅ Carte valable\u00a0: Alice, Ambassadeur." in out  # the network's language
    assert "Musée des Confluences\u00a0: Entrée gratuite" in out
    out = await network.play(f"@carol /verify {code}")
    assert "✅ Valid card: Alice, Ambassador." in out
    assert "Musée des Confluences: Free entry" in out and "10% off" not in out
    assert "console:alice" not in out

    out = await network.play("@alice /card")  # the same card again
    assert await _code(network) == code
    out = await network.play("@alice /card new")
    assert "It replaces your earlier card, which no longer works." in out
    new_code = await _code(network)
    assert new_code != code
    out = await network.play(f"@carol /verify {code}")
    assert "❌ This card is no longer valid: it was replaced or cancelled." in out
    out = await network.play("@carol /verify ZZZZ-ZZZZ")
    assert "❌ No valid card has this code." in out

    async with network.sessions() as session:  # 60 points: the restaurant opens
        alice_id = await session.scalar(select(MemberCard.member_id))
        assert alice_id is not None
        session.add(
            PointsEntry(
                member_id=alice_id,
                points=60,
                reason="test",
                unique_key="test:1",
                created_at=network.clock.now(),
            )
        )
        await session.commit()
    out = await network.play(f"@carol /verify {new_code}")
    assert "Bouchon Daniel: 10% off the menu" in out

    out = await network.play("@carol /partners")
    assert "2 partners; 0 recorded uses of benefits in all." in out
    assert f"Partner code: {museum.code}" in out and "used 0 times" in out

    network.clock.advance(timedelta(days=366))
    out = await network.play(f"@carol /verify {new_code}")
    assert "❌ This card expired on 4 March 2027." in out
    out = await network.play("@alice /card")  # renewed on asking
    assert "valid until 5 March 2028" in out
    async with network.sessions() as session:
        issued = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "card.issue")
        )
        assert issued == 3


async def test_wrong_codes_are_limited_and_erasure_removes_cards(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    await network.play(PARTNERS)
    await network.play("@alice /card")
    code = await _code(network)
    for _ in range(5):
        out = await network.play("@paula /verify AAAA-AAAA")
    out = await network.play(f"@paula /verify {code}")
    assert "Trop de codes erronés. Réessayez dans une heure." in out
    out = await network.play(f"@carol /verify {code}")  # another account is not locked
    assert "✅ Valid card: Alice" in out
    async with network.sessions() as session:
        card = await session.scalar(select(MemberCard))
        benefit = await session.scalar(select(Benefit))
        assert card is not None and benefit is not None
        session.add(
            BenefitUse(
                benefit_id=benefit.id, partner_id=benefit.partner_id, card_id=card.id,
                day="2026-03-04", used_at=network.clock.now(),
            )
        )  # fmt: skip
        await session.commit()
    out = await network.play("@alice /mydata")
    document = next(
        o.message.document for o in reversed(network.console.history) if o.message.document
    )
    assert document is not None
    [mine] = json.loads(document[1])["member_cards"]
    assert mine["code"] == code and mine["revoked_at"] is None
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")
    out = await network.play(f"@carol /verify {code}")
    assert "❌ No valid card has this code." in out
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MemberCard)) == 0
        use = await session.scalar(select(BenefitUse))
        assert use is not None and use.card_id is None  # still counted, traced to nobody
    out = await network.play("@carol /partners")
    assert "used 1 time" in out


async def test_partner_commands_are_for_coordinators(network: Network) -> None:
    await network.join("carol")
    await network.join("alice")
    for command in ("/partners", "/partneradd", "/benefitadd"):
        out = await network.play(f"@alice {command}")
        assert "Partner" not in out and "partner's name" not in out
    out = await network.play("@alice /benefits")
    assert "No partner offers benefits yet." in out
