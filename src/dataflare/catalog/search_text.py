"""Free text: every word of a query must appear, in any case and as plain characters, in an
asset's name, description or URN (so a URN fragment such as a platform's name finds it).

Both databases answer from a trigram index, which finds any substring of 3 characters or more:
on SQLite the FTS5 table `asset_text` (trigram tokenizer, its content read from the assets
table, kept in step by the triggers of migration 0011); on PostgreSQL a pg_trgm GIN index on
the name, description and URN joined by spaces. A word never holds a space, so it cannot match
across two of them: both find the same assets. Shorter words are looked for without the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, column, func, literal_column, or_, select, table
from sqlalchemy.orm import InstrumentedAttribute

from dataflare.catalog.models import Asset
from dataflare.catalog.search_filters import escape_like

MIN_INDEXED_CHARS = 3  # a trigram index finds only substrings at least this long
ASSET_TEXT = table("asset_text", column("rowid"), column("asset_text"))
EXACT, PREFIX, OTHER = 0, 1, 2  # how well a match's name matches the query, best first


def words(query: str) -> list[str]:
    return [w for w in query.split() if w != "*"]


def searchable_text() -> ColumnElement[str]:
    """PostgreSQL: what its trigram index holds, written as in the index (migration 0011) so
    that the planner can match the two: literal strings, no parameters."""
    space: ColumnElement[str] = literal_column("' '")
    description = func.coalesce(Asset.description, literal_column("''"))
    return Asset.name + space + description + space + Asset.urn


def _contains(
    text: ColumnElement[Any] | InstrumentedAttribute[Any], word: str
) -> ColumnElement[bool]:
    return text.ilike(f"%{escape_like(word)}%", escape="\\")


def _fts_phrase(word: str) -> str:
    """A word as an FTS5 string: inside double quotes nothing is an operator."""
    return '"' + word.replace('"', '""') + '"'


def matches(dialect: str, query_words: list[str]) -> ColumnElement[bool]:
    """Assets with every word (at least one word)."""
    if dialect == "postgresql":
        text = searchable_text()
        return and_(*(_contains(text, w) for w in query_words))
    indexed = [w for w in query_words if len(w) >= MIN_INDEXED_CHARS]
    short = [w for w in query_words if len(w) < MIN_INDEXED_CHARS]
    conditions = [
        or_(_contains(Asset.name, w), _contains(Asset.description, w), _contains(Asset.urn, w))
        for w in short
    ]
    if indexed:
        found = select(ASSET_TEXT.c.rowid).where(
            ASSET_TEXT.c.asset_text.match(" AND ".join(map(_fts_phrase, indexed)))
        )
        conditions.insert(0, Asset.id.in_(found))
    return and_(*conditions)


def rank(query_words: list[str]) -> ColumnElement[int]:
    """EXACT when the name is the query (any case), PREFIX when it starts with it, else OTHER."""
    phrase = " ".join(query_words).lower()
    name = func.lower(Asset.name)
    return case(
        (name == phrase, EXACT),
        (name.like(f"{escape_like(phrase)}%", escape="\\"), PREFIX),
        else_=OTHER,
    )
