"""GraphQL requests generated from the server's own schema (its SDL files) by schemathesis: valid
documents and documents that break the schema, some two in one operation, with URNs put in place
of some of the strings, and the arguments of some documents sent as variables instead of
literals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import graphql
import schemathesis
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    NameNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    value_from_ast_untyped,
    visit,
)
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from dataflare.core.urns import ACTOR_KINDS, ASSET_KINDS, entity_type_of
from dataflare.graphql.schema import LONG_MAX, LONG_MIN, type_defs

SCHEMA = schemathesis.graphql.from_file(type_defs())
# Long: epoch milliseconds mostly, the ends of its range, and the digits-in-a-string form that
# DataHub's clients send; schemathesis alone draws integers in range only.
_LONGS = st.one_of(
    st.integers(0, 2**45),
    st.sampled_from([LONG_MIN, LONG_MAX, LONG_MIN - 1, LONG_MAX + 1, 10**20, -(10**20)]),
    st.integers(LONG_MIN, LONG_MAX),
)
schemathesis.graphql.scalar(
    "Long", st.one_of(_LONGS.map(nodes.Int), _LONGS.map(str).map(nodes.String))
)
URN_KINDS = [*ASSET_KINDS, *ACTOR_KINDS, "incident", "dataPlatform", "dataHubRole", "accessToken"]


@dataclass(frozen=True)
class Request:
    query: str
    variables: dict[str, Any] = field(default_factory=dict)

    def body(self) -> bytes:
        # json.dumps lets a float literal too large for a double through as `Infinity`, which
        # httpx would refuse to send: the server must refuse it instead.
        return json.dumps({"query": self.query, "variables": self.variables}).encode()

    def __str__(self) -> str:
        if not self.variables:
            return self.query
        return f"{self.query}\nvariables: {json.dumps(self.variables, ensure_ascii=False)}"


@dataclass(frozen=True)
class Known:
    """Values that name rows of the seeded catalog, by what they name."""

    assets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()  # ids and urns
    words: tuple[str, ...] = ()  # names, dedup keys, platforms: what searches and filters match

    def fitting(self, field_name: str, name: str) -> tuple[str, ...]:
        """The values worth trying for argument or input field `name` of `field_name`."""
        everything = (*self.assets, *self.actors, *self.incidents, *self.roles, *self.tokens)
        if name == "urn":
            if field_name in ASSET_KINDS:
                return tuple(u for u in self.assets if entity_type_of(u) == field_name)
            if "Incident" in field_name:
                return self.incidents
            return self.actors if "CorpUser" in field_name else everything
        by_name = {
            "resourceUrn": self.assets,
            "resourceUrns": self.assets,
            "assigneeUrns": self.actors,
            "actorUrn": self.actors,
            "actors": self.actors,
            "roleUrn": self.roles,
            "tokenId": self.tokens,
            "field": FILTER_FIELDS,
            "query": ("*", *self.words),
            "dedupKey": self.words,
        }
        return by_name.get(name, (*everything, *self.words))


SEARCH_FILTERS = ("hasActiveIncidents", "_entityType", "platform", "owners", "urn", "name")
FILTER_FIELDS = (*SEARCH_FILTERS, "ownerUrn", "actorUrn")  # the last two: access tokens'


def urns() -> st.SearchStrategy[str]:
    """URN-shaped strings, of every kind the API knows, that mostly name no row."""
    text = st.text(max_size=12)
    key = st.one_of(
        text,
        st.lists(text, min_size=1, max_size=4).map(lambda parts: f"({','.join(parts)})"),
        st.tuples(text, text, st.sampled_from(["PROD", "DEV", ""])).map(
            lambda p: f"(urn:li:dataPlatform:{p[0]},{p[1]},{p[2]})"
        ),
    )
    return st.builds("urn:li:{}:{}".format, st.sampled_from(URN_KINDS), key)


def graphql_requests(known: Known = Known()) -> st.SearchStrategy[Request]:
    """Queries and mutations over every field of Query and Mutation: three valid for one that
    breaks the schema (graphql-core refuses those before any of our code runs)."""
    valid = SCHEMA.as_strategy()
    cases = st.one_of(valid, valid, valid, SCHEMA.as_strategy(GenerationMode.NEGATIVE))
    return _requests(cases.map(lambda case: str(case.body)), known)


@st.composite
def _requests(draw: st.DrawFn, queries: st.SearchStrategy[str], known: Known) -> Request:
    query = draw(queries)
    try:
        document = graphql.parse(query)
        if draw(st.integers(0, 3)) == 0:
            document = _together(document, graphql.parse(draw(queries)))
    except graphql.GraphQLSyntaxError:
        return Request(query)  # nothing to aim: sent as generated
    document = _aimed(draw, document, known)
    if draw(st.booleans()):
        document, variables = _as_variables(document)
        return Request(graphql.print_ast(document), variables)
    return Request(graphql.print_ast(document))


def _together(first: DocumentNode, second: DocumentNode) -> DocumentNode:
    """One operation asking for the fields of both, when both are queries or both mutations
    (several mutations in one request run in one transaction). The second's fields are aliased,
    so the same field with other arguments is no conflict."""
    [one, *_] = [d for d in first.definitions if isinstance(d, OperationDefinitionNode)]
    [two, *_] = [d for d in second.definitions if isinstance(d, OperationDefinitionNode)]
    if one.operation != two.operation:
        return first
    aliased = [
        FieldNode(
            alias=NameNode(value=f"also_{field.name.value}"),
            name=field.name,
            arguments=field.arguments,
            directives=field.directives,
            selection_set=field.selection_set,
        )
        for field in two.selection_set.selections
        if isinstance(field, FieldNode)
    ]
    selections = SelectionSetNode(selections=(*one.selection_set.selections, *aliased))
    return DocumentNode(definitions=(_with(one, selection_set=selections),))


def _with(operation: OperationDefinitionNode, **changes: Any) -> OperationDefinitionNode:
    fields = ("operation", "name", "variable_definitions", "directives", "selection_set")
    return OperationDefinitionNode(**{f: getattr(operation, f) for f in fields} | changes)


def _aimed(draw: st.DrawFn, document: DocumentNode, known: Known) -> DocumentNode:
    """Some strings replaced by values of seeded rows that fit where they stand (an asset's URN
    in `resourceUrns`, a user's in `assigneeUrns`), or by URN-shaped strings."""

    class Aim(Visitor):
        def enter_string_value(
            self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: Any
        ) -> StringValueNode | None:
            # Mostly known values: one bad string in a list of filters refuses them all.
            choice = draw(st.sampled_from(["known", "as generated", "known", "URN", "known"]))
            if choice == "as generated":
                return None
            field_name, name = _names([*ancestors, parent])
            fitting = known.fitting(field_name, name)
            if choice == "known" and fitting:
                return StringValueNode(value=draw(st.sampled_from(fitting)))
            return None if name == "field" else StringValueNode(value=draw(urns()))

    aimed: DocumentNode = visit(document, Aim())
    return aimed


def _names(ancestors: Sequence[Any]) -> tuple[str, str]:
    """The names of the field and of the argument (or input field) a value stands in."""
    field_name = name = ""
    for node in ancestors:
        if isinstance(node, FieldNode):
            field_name = node.name.value
        elif isinstance(node, ArgumentNode | ObjectFieldNode):
            name = node.name.value
    return field_name, name


def _as_variables(document: DocumentNode) -> tuple[DocumentNode, dict[str, Any]]:
    """Every argument of the schema's moved to a variable of the argument's type (as a client
    would send it). An argument the schema does not have stays a literal."""
    type_info = TypeInfo(SCHEMA.client_schema)
    variables: dict[str, Any] = {}
    definitions: list[VariableDefinitionNode] = []

    class Lift(Visitor):
        def enter_argument(self, node: ArgumentNode, *_args: Any) -> ArgumentNode | None:
            argument = type_info.get_argument()
            if argument is None or isinstance(node.value, VariableNode):
                return None
            name = f"v{len(variables)}"
            variables[name] = value_from_ast_untyped(node.value)
            variable = VariableNode(name=NameNode(value=name))
            type_node = parse_type(str(argument.type))
            definitions.append(VariableDefinitionNode(variable=variable, type=type_node))
            return ArgumentNode(name=node.name, value=variable)

    lifted: DocumentNode = visit(document, TypeInfoVisitor(type_info, Lift()))
    operations = [
        _with(d, variable_definitions=(*(d.variable_definitions or ()), *definitions))
        if isinstance(d, OperationDefinitionNode)
        else d
        for d in lifted.definitions
    ]
    return DocumentNode(definitions=tuple(operations)), variables
