"""Bounds on a GraphQL document: its depth and number of fields (known once it is parsed), and its
cost, the number of fields the answer may hold (known with the request's variables, since page
sizes often come in them). Page sizes are clamped, not refused; `page_size` does it for the
resolvers and the cost counts the same clamped sizes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    visit,
)

from dataflare.core.errors import InvalidInput
from dataflare.core.limits import (
    DEFAULT_LIST_SIZE,
    DEFAULT_RUN_EVENTS,
    MAX_COST,
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_LIST_COUNT,
    MAX_NESTED_LIST_COUNT,
    MAX_SEARCH_COUNT,
)

# The list a `count` sizes, in the page type the counted field returns. A test checks that every
# field taking a count returns one of these.
PAGED_LISTS = {
    "EntityIncidentsResult": "incidents",
    "EntityLineageResult": "relationships",
    "EntityRelationshipsResult": "relationships",
    "SearchResults": "searchResults",
    "SearchAcrossLineageResults": "searchResults",
    "ScrollResults": "searchResults",
    "ListAccessTokenResult": "tokens",
    "ListUsersResult": "users",
    "EntityAssertionsResult": "assertions",
    "AssertionRunEventsResult": "runEvents",  # sized by `limit`, as DataHub names it
}
# Lists Dataflare always answers empty (asked for by DataHub's clients): they add nothing.
EMPTY_LISTS = frozenset({("SearchResult", "extraProperties")})
SEARCHES = frozenset({"SearchResults", "SearchAcrossLineageResults", "ScrollResults"})
# Fields whose work grows with the catalog, however small the page asked for.
HEAVY_FIELDS = frozenset(
    {"searchAcrossEntities", "scrollAcrossEntities", "searchAcrossLineage", "lineage"}
)


def page_size(requested: int, page_type: str, nested: bool) -> int:
    """The page size a list uses: what was asked, at most its cap (less inside another list)."""
    if nested:
        cap = MAX_NESTED_LIST_COUNT
    else:
        cap = MAX_SEARCH_COUNT if page_type in SEARCHES else MAX_LIST_COUNT
    return min(requested, cap)


def in_a_list(path: Any) -> bool:
    """Whether a resolver runs for an element of a list (its GraphQL path holds an index)."""
    node = path
    while node is not None:
        if isinstance(node.key, int):
            return True
        node = node.prev
    return False


def check_shape(document: DocumentNode) -> None:
    """Refuse a document deeper or with more fields than allowed (fragments expanded)."""
    fragments = _fragments(document)
    for operation in _operations(document):
        depth, fields = _measure(operation.selection_set, fragments, 1, ())
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"The query is {depth} fields deep; the limit is {MAX_DEPTH} (fragments counted)."
            )
        if fields > MAX_FIELDS:
            raise InvalidInput(
                f"The query selects {fields} fields; the limit is {MAX_FIELDS} (fragments and "
                "aliases counted)."
            )


def check_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation to run, or InvalidInput naming the limit when it is over."""
    fragments = _fragments(document)
    operation = _operation(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _CostWalk(schema, fragments, variables or {})
    cost = walk.selections(operation.selection_set, root, 1, nested=False)
    if cost > MAX_COST:
        raise InvalidInput(
            f"The query could answer {cost} fields; the limit is {MAX_COST}. Ask for smaller "
            "pages (count) or fewer fields inside lists."
        )
    return cost


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        times: int,
        nested: bool,
        seen: tuple[str, ...] = (),
        paged: int | None = None,
    ) -> int:
        """The cost of a selection set evaluated `times` times; `paged` sizes the parent's
        paged list when the parent is a page. Fragments on different object types exclude each
        other (an entity is a Dataset or a Chart, not both): only the dearest counts."""
        common = 0
        by_type: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                common += self.field(selection, parent, times, nested, seen, paged)
                continue
            inner: InlineFragmentNode | FragmentDefinitionNode
            if isinstance(selection, InlineFragmentNode):
                condition, inner, seen_here = selection.type_condition, selection, seen
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation reports both
                    continue
                condition, inner, seen_here = fragment.type_condition, fragment, (*seen, name)
            else:
                continue
            on = self._type_named(condition, parent)
            cost = self.selections(inner.selection_set, on, times, nested, seen_here, paged)
            if isinstance(on, GraphQLObjectType) and on is not parent:
                by_type[on.name] = by_type.get(on.name, 0) + cost
            else:  # on the parent itself, or on an interface every result has
                common += cost
        return common + max(by_type.values(), default=0)

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        times: int,
        nested: bool,
        seen: tuple[str, ...],
        paged: int | None,
    ) -> int:
        name = node.name.value
        if name.startswith("__"):  # introspection: bounded by the schema, and cheap
            return times
        definition = (
            parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
        ) or _interface_field(parent, name)
        if definition is None or node.selection_set is None:
            return times
        result = get_named_type(definition.type)
        size = 1
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            page_field = PAGED_LISTS.get(parent.name)
            size = paged if paged is not None and page_field == name else DEFAULT_LIST_SIZE
            if (parent.name, name) in EMPTY_LISTS:
                size = 0
        counted = self._count(node, result.name, nested)
        inner_nested = nested or size > 1
        return times + self.selections(
            node.selection_set, result, times * size, inner_nested, seen, counted
        )

    def _count(self, node: FieldNode, page_type: str, nested: bool) -> int | None:
        """The clamped `count` of a field that returns a page, or None for other fields."""
        if page_type not in PAGED_LISTS:
            return None
        requested: Any = None
        for argument in node.arguments or ():
            if argument.name.value in ("count", "limit"):
                requested = self._value(argument.value)
            elif argument.name.value == "input":
                given = self._value(argument.value)
                if isinstance(given, dict):
                    requested = given.get("count")
        if requested is None and page_type == "AssertionRunEventsResult":
            requested = DEFAULT_RUN_EVENTS
        if not isinstance(requested, int) or isinstance(requested, bool) or requested < 0:
            requested = DEFAULT_LIST_SIZE if requested is None else 0
        return page_size(requested, page_type, nested)

    def _value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ObjectValueNode):
            return {f.name.value: self._value(f.value) for f in node.fields}
        return None

    def _type_named(self, condition: Any, parent: GraphQLNamedType) -> GraphQLNamedType:
        if condition is None:
            return parent
        found = self.schema.get_type(condition.name.value)
        return found if found is not None else parent


def _interface_field(parent: GraphQLNamedType, name: str) -> Any:
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = _operations(document)
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _measure(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    depth: int,
    seen: tuple[str, ...],
) -> tuple[int, int]:
    """(deepest field level, number of fields) of a selection set at `depth`."""
    deepest, fields = depth - 1, 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields += 1
            deepest = max(deepest, depth)
            if selection.selection_set is not None:
                inner, count = _measure(selection.selection_set, fragments, depth + 1, seen)
                deepest, fields = max(deepest, inner), fields + count
        else:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    continue
                inner_set, seen_here = fragment.selection_set, (*seen, name)
            elif isinstance(selection, InlineFragmentNode):
                inner_set, seen_here = selection.selection_set, seen
            else:
                continue
            inner, count = _measure(inner_set, fragments, depth, seen_here)
            deepest, fields = max(deepest, inner), fields + count
        if fields > MAX_FIELDS:  # stop early: the count is already too high
            break
    return deepest, fields


def asks_for_heavy_work(document: DocumentNode) -> bool:
    """Whether any operation or fragment of the document selects a heavy field."""
    finder = _HeavyFields()
    visit(document, finder)
    return finder.found


class _HeavyFields(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: object) -> object:
        if node.name.value in HEAVY_FIELDS:
            self.found = True
            return Visitor.BREAK
        return None
