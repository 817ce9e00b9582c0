"""Catalog tables: assets, who owns them, what feeds what, and the people and groups named."""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    false,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column

from dataflare.db.base import Base


class Asset(Base):
    __tablename__ = "assets"
    # "Has Active Incidents" searches read their matches (type, platform, name for the order)
    # from this index alone. No index on kind, platform or name alone: without statistics SQLite
    # walks such an index whole, to group or sort by it, rather than take the rows picked out.
    __table_args__ = (
        Index(
            "ix_assets_incidents_search", "active_incidents", "removed", "kind", "platform", "name"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(1000), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # dataset, chart, ... (urns)
    platform: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(1000))  # from the URN, or the properties aspect
    description: Mapped[str | None] = mapped_column(Text)
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # removed = soft-deleted: out of search, incidents kept
    created_at: Mapped[int] = mapped_column(BigInteger)
    # Hard-deleted (its metadata forgotten, removed too): it reads as not existing until metadata
    # names it again.
    deleted_at: Mapped[int | None] = mapped_column(BigInteger)
    # The active-incident summary, kept in step with incidents in the same transaction, so
    # health and the "Has Active Incidents" filter never scan incidents.
    active_incidents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    latest_incident_id: Mapped[int | None] = mapped_column(Integer)  # newest active incident
    # Its creation time: a raise compares with it, in the statement that locks the row, so the
    # newest stays the newest whichever of two concurrent raises commits first.
    latest_incident_at: Mapped[int | None] = mapped_column(BigInteger)
    # Incidents linked to the asset, in any state (incidents/links.py keeps it): the total of
    # its incident list, however many it has.
    incidents_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    incidents_changed_at: Mapped[int | None] = mapped_column(BigInteger)


ASSETS = cast(Table, Asset.__table__)  # for plain inserts and updates on hot paths

# What a "Has Active Incidents" search finds. Written with a literal 0, as in the partial index
# below: a planner can only use that index for a query whose condition it can match to it.
WITH_INCIDENTS = and_(Asset.active_incidents > literal_column("0"), Asset.removed == false())
# Those assets in search order: a page of them is read from here, however large the catalog.
Index(
    "ix_assets_with_incidents_by_name",
    func.lower(Asset.name),
    Asset.id,
    sqlite_where=WITH_INCIDENTS,
    postgresql_where=WITH_INCIDENTS,
)
# Every asset a search can find, in search order: "*" pages from here. (Free text reads the
# trigram index of migration 0011, which SQLAlchemy does not describe.)
VISIBLE = Asset.removed == false()
Index(
    "ix_assets_visible_by_name",
    func.lower(Asset.name),
    Asset.id,
    sqlite_where=VISIBLE,
    postgresql_where=VISIBLE,
)
# The same per type and per platform: a search filtered on one type or platform reads its page
# here, in search order, and a general search with such a filter finds its matches here. (The
# facets are grouped after the matches are found, so SQLite is never tempted to walk these
# whole to group by them: see search_matches.py.)
Index(
    "ix_assets_visible_by_kind",
    Asset.kind,
    func.lower(Asset.name),
    Asset.id,
    sqlite_where=VISIBLE,
    postgresql_where=VISIBLE,
)
Index(
    "ix_assets_visible_by_platform",
    Asset.platform,
    func.lower(Asset.name),
    Asset.id,
    sqlite_where=VISIBLE,
    postgresql_where=VISIBLE,
)


class IncidentOwnerCount(Base):
    """Per owner, type and platform, how many of the assets a "Has Active Incidents" search
    finds it owns: the "Owned By" facet of that search, narrowed or not by type and platform,
    kept in step with the assets (catalog/search_counts.py). Rows stay at 0 when an owner's
    last such asset is fixed."""

    __tablename__ = "incident_owner_counts"

    owner_urn: Mapped[str] = mapped_column(String(512), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(200), primary_key=True)
    assets: Mapped[int] = mapped_column(Integer)


class IncidentKindCount(Base):
    """Per type and platform, how many assets a "Has Active Incidents" search finds: that
    search's total and its type and platform facets, kept like the owners' counts."""

    __tablename__ = "incident_kind_counts"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Writers add to a shard of their own, so concurrent writers do not queue on one row;
    # the count is the sum of the shards (catalog/search_counts.py).
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="0")
    assets: Mapped[int] = mapped_column(Integer)


class VisibleOwnerCount(Base):
    """Per owner, type and platform, how many assets a search can find (not removed): the
    "Owned By" facet of a "*" search, kept like the counts above."""

    __tablename__ = "visible_owner_counts"

    owner_urn: Mapped[str] = mapped_column(String(512), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(200), primary_key=True)
    assets: Mapped[int] = mapped_column(Integer)


class VisibleKindCount(Base):
    """Per type and platform, how many assets a search can find: a "*" search's total and its
    type and platform facets."""

    __tablename__ = "visible_kind_counts"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    platform: Mapped[str] = mapped_column(String(200), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, server_default="0")  # as above
    assets: Mapped[int] = mapped_column(Integer)


OWNER_COUNTS = cast(Table, IncidentOwnerCount.__table__)
KIND_COUNTS = cast(Table, IncidentKindCount.__table__)
VISIBLE_OWNER_COUNTS = cast(Table, VisibleOwnerCount.__table__)
VISIBLE_KIND_COUNTS = cast(Table, VisibleKindCount.__table__)


class AssetOwner(Base):
    __tablename__ = "asset_owners"
    __table_args__ = (Index("ix_asset_owners_owner", "owner_urn"),)

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    owner_urn: Mapped[str] = mapped_column(String(512), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))  # TECHNICAL_OWNER, BUSINESS_OWNER, ...
    position: Mapped[int] = mapped_column(Integer)


ASSET_OWNERS = cast(Table, AssetOwner.__table__)


class LineageEdge(Base):
    """`upstream` feeds `downstream`. Each edge remembers the aspect that stated it, so that
    a newer version of that aspect replaces exactly the edges it stated before."""

    __tablename__ = "lineage_edges"
    __table_args__ = (
        Index("ix_lineage_downstream", "downstream_id", "upstream_id"),
        Index("ix_lineage_origin", "origin_id", "origin_aspect"),
    )

    # Asset ids with no foreign key: assets are never deleted (a trigger refuses it, migration
    # 0021), and checking three keys a row was most of what writing an edge cost PostgreSQL.
    upstream_id: Mapped[int] = mapped_column(primary_key=True)
    downstream_id: Mapped[int] = mapped_column(primary_key=True)
    origin_id: Mapped[int] = mapped_column(primary_key=True)
    origin_aspect: Mapped[str] = mapped_column(String(64), primary_key=True)


LINEAGE_EDGES = cast(Table, LineageEdge.__table__)


class Actor(Base):
    """A user or group as the metadata describes them (names, e-mail, Slack handle)."""

    __tablename__ = "actors"

    urn: Mapped[str] = mapped_column(String(512), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    slack: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(300))
