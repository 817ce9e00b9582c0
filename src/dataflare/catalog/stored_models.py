"""The aspects of an entity kept as they were sent, so the GMS reads can serve them back."""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db.base import Base


class StoredAspect(Base):
    """One aspect of one entity (an asset, a user or a group), its latest version, as JSON
    text exactly as it arrived. Only the aspects Dataflare reads are kept (ingest/aspects.py);
    what they mean lives in the catalog's tables, which stay the source of every rule."""

    __tablename__ = "stored_aspects"

    urn: Mapped[str] = mapped_column(String(1000), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[int] = mapped_column(BigInteger)  # when this version arrived
    created_by: Mapped[str] = mapped_column(String(300))  # who sent it


STORED_ASPECTS = cast(Table, StoredAspect.__table__)
