"""The declarative base every table's model derives from (db/registry.py imports them all)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
