"""Catalog tables: the assets incidents attach to."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db import Base


class Asset(Base):
    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(1000), unique=True)
    kind: Mapped[str] = mapped_column(
        String(32), index=True
    )  # dataset, chart, ... (urns.ASSET_KINDS)
    platform: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[int] = mapped_column(BigInteger)
