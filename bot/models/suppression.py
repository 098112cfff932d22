"""People who asked to be erased, kept only as keyed hashes so an import never brings
them back (see :mod:`bot.members.suppression`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime


class Suppression(Base):
    """One keyed hash (HMAC-SHA256, hex) of one normalized identifier of an erased
    person: their email, their phone, or their name in their category. Nothing in clear."""

    __tablename__ = "suppressions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Suppression {self.digest[:8]}…>"
