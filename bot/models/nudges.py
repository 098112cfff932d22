"""The nudge ladder's rungs and members' preferences about nudges."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, enum_column


class NudgeStep(StrEnum):
    GENTLE = "gentle"
    PERSONAL = "personal"
    #: Not a message to the member: they are listed in their referent's weekly digest.
    REFERENT = "referent"


class Nudge(Base):
    """One rung of the nudge ladder reached by a dormant member.

    ``spell_start`` is when the member's quiet spell began (their last sign of life, else
    their joining): a new sign of life starts a new spell, so the ladder starts again. ``ordinal``
    numbers the rungs of a spell; the unique constraint makes a re-run add nothing.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("member_id", "spell_start", "ordinal", name="uq_nudges_rung"),
        Index("ix_nudges_member_sent", "member_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    spell_start: Mapped[datetime] = mapped_column(UTCDateTime)
    ordinal: Mapped[int] = mapped_column(Integer)
    step: Mapped[NudgeStep] = mapped_column(enum_column(NudgeStep))
    #: The wording the member was assigned (stable per member), for ``/nudges``.
    variant: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: The member's one-tap answer: did, lead, later, pause or stop.
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For the referent step: when a referent wrote to the member or marked them contacted.
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Nudge {self.id} {self.step} → {self.member_id} at {self.sent_at}>"


class CampaignReach(StrEnum):
    """How a member wants campaigns' personal copies: by chat, by e-mail, or both."""

    CHAT = "chat"
    EMAIL = "email"
    BOTH = "both"


class NudgePreference(Base):
    """What a member asked of the messages sent to them (``/reminders``): a pause of
    nudges until a date, or no nudges at all; how campaigns reach them (chat, e-mail or
    both), and whether they want campaigns' private messages and e-mails at all (channel
    posts are read in the channels, whatever is chosen here)."""

    __tablename__ = "nudge_preferences"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Empty: the default, :attr:`CampaignReach.CHAT`.
    campaign_reach: Mapped[CampaignReach | None] = mapped_column(enum_column(CampaignReach))
    #: When the member opted out of campaigns' private messages and e-mails.
    campaigns_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return (
            f"<NudgePreference {self.member_id} paused={self.paused_until} stop={self.stopped_at}>"
        )
