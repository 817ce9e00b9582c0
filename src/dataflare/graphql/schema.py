"""The executable schema: the SDL files in schema/ bound to the resolvers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ariadne import ScalarType, load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema, IntValueNode, StringValueNode, ValueNode

from dataflare.graphql.asset_sdl import asset_sdl
from dataflare.graphql.resolvers import (
    access,
    assertions,
    entities,
    incidents,
    insights,
    mutations,
    search,
    soft_delete,  # noqa: F401 (registers its mutation)
)
from dataflare.graphql.resolvers.assets import asset_types
from dataflare.graphql.resolvers.catalog import catalog_types
from dataflare.graphql.resolvers.relationships import relationship_types

SCHEMA_DIR = Path(__file__).parent / "schema"

long_scalar = ScalarType("Long")


LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1  # Java's long, as DataHub's schema means it


@long_scalar.value_parser
def parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"Long must be an integer, not {str(value)[:40]}")
    return _in_range(value)


@long_scalar.literal_parser
def parse_long_literal(node: ValueNode, _variables: Any = None) -> int:
    if isinstance(node, IntValueNode | StringValueNode):
        return _in_range(node.value)
    raise ValueError("Long must be an integer")


def _in_range(value: int | str) -> int:
    text = str(value)
    if len(text) > 20:  # longer than any long: not worth converting
        raise ValueError(f"Long must be between {LONG_MIN} and {LONG_MAX}")
    number = int(text)
    if not LONG_MIN <= number <= LONG_MAX:
        raise ValueError(f"Long must be between {LONG_MIN} and {LONG_MAX}, not {number}")
    return number


def type_defs() -> str:
    return load_schema_from_path(str(SCHEMA_DIR)) + "\n" + asset_sdl()


def build_schema() -> GraphQLSchema:
    return make_executable_schema(
        type_defs(),
        long_scalar,
        entities.query,
        entities.entity_interface,
        entities.owner_union,
        entities.corp_user,
        entities.corp_group,
        mutations.mutation,
        incidents.incident_type,
        incidents.activity_type,
        search.search_query,
        *asset_types(),
        *catalog_types(),
        *relationship_types(),
        access.query,
        access.mutation,
        access.token_metadata,
        access.corp_user,
        insights.query,
        assertions.query,
        assertions.assertion_type,
        assertions.run_type,
    )
