"""Bounds on GraphQL requests: body size, document tokens, depth, fields and cost, page sizes
clamped (less inside lists), and a document cache that holds only good documents, within bytes.
The introspection queries that GraphiQL, gql and the DataHub SDK send stay within every limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, get_introspection_query, get_named_type
from starlette.testclient import TestClient

from dataflare.core.limits import MAX_BODY_BYTES, MAX_COST, MAX_DEPTH, MAX_FIELDS
from dataflare.graphql.documents import Documents
from dataflare.graphql.limits import PAGED_LISTS
from dataflare.graphql.schema import build_schema
from tests.conftest import ADMIN_TOKEN, GraphQL
from tests.graphql.documents import RAISE

KAFKA = "urn:li:dataset:(urn:li:dataPlatform:kafka,SampleKafkaDataset,PROD)"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
GRAPHIQL_INTROSPECTION = Path("node_modules/graphql/package.json")


def nested_lineage(levels: int) -> str:
    inner = "urn"
    for _ in range(levels):
        inner = (
            "lineage(input: {direction: UPSTREAM}) { relationships { entity { "
            f"... on Dataset {{ {inner} }} }} }} }}"
        )
    return f'{{ dataset(urn: "{KAFKA}") {{ {inner} }} }}'


def test_the_introspection_query_of_clients_stays_within_the_limits(gql: GraphQL) -> None:
    full = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    schema = gql.data(full)["__schema"]

    assert schema["queryType"]["name"] == "Query"


def test_graphiqls_introspection_query_stays_within_the_limits(gql: GraphQL) -> None:
    """GraphiQL builds its query with graphql-js (from npm at set-up: `make setup`)."""
    if not GRAPHIQL_INTROSPECTION.exists():
        pytest.fail("node_modules/graphql is missing: run `make setup` first")
    import subprocess

    query = subprocess.run(
        [
            "node",
            "-e",
            "process.stdout.write(require('graphql').getIntrospectionQuery({descriptions: true,"
            " specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,"
            " inputValueDeprecation: true}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert gql.data(query)["__schema"]["types"]


def test_a_document_deeper_than_the_limit_is_refused(gql: GraphQL) -> None:
    error = gql.error(nested_lineage(6))

    assert error["message"] == (
        f"The query is {1 + 6 * 3 + 1} fields deep; the limit is {MAX_DEPTH} (fragments counted)."
    )
    assert error["extensions"] == {"code": 400, "type": "BAD_REQUEST"}


def test_deep_fragments_count_as_deep(gql: GraphQL) -> None:
    fragments = "".join(
        f"fragment F{i} on Dataset {{ lineage(input: {{direction: UPSTREAM}}) {{ relationships "
        f"{{ entity {{ ... on Dataset {{ ...F{i + 1} }} }} }} }} }}\n"
        for i in range(5)
    )
    query = (
        f'{{ dataset(urn: "{KAFKA}") {{ ...F0 }} }}\n{fragments}fragment F5 on Dataset {{ urn }}'
    )

    error = gql.error(query)

    assert error["message"].startswith("The query is 17 fields deep")


def test_many_aliases_are_refused(gql: GraphQL) -> None:
    aliases = " ".join(f"a{i}: urn" for i in range(2000))

    error = gql.error(f'{{ dataset(urn: "{KAFKA}") {{ {aliases} }} }}')

    assert error["message"].startswith("The query selects ")
    assert error["message"].endswith(
        f"fields; the limit is {MAX_FIELDS} (fragments and aliases counted)."
    )


def test_exponential_fragments_are_refused_quickly(gql: GraphQL) -> None:
    """Each fragment spreads the next twice: 2^30 fields once expanded."""
    spreads = "".join(
        f"fragment F{i} on Dataset {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(30)
    )
    query = f'{{ dataset(urn: "{KAFKA}") {{ ...F0 }} }}\n{spreads}fragment F30 on Dataset {{ urn }}'

    error = gql.error(query)

    assert error["message"].startswith("The query selects")


def test_a_document_of_too_many_tokens_is_refused(gql: GraphQL) -> None:
    error = gql.error("{ " + "__typename " * 20_000 + "}")

    assert error["message"] == "The document is too long: the limit is 10000 tokens."


def test_lists_inside_lists_cost_what_they_could_answer(gql: GraphQL) -> None:
    three_deep = nested_lineage(3).replace("direction: UPSTREAM", "direction: UPSTREAM, count: 100")

    error = gql.error(three_deep)

    assert error["message"].startswith("The query could answer ")
    assert f"the limit is {MAX_COST}." in error["message"]


def test_the_cost_reads_page_sizes_from_the_variables(gql: GraphQL) -> None:
    query = (
        'query($n: Int) { searchAcrossEntities(input: {query: "*", count: $n}) { '
        "searchResults { entity { urn ... on Dataset { incidents(count: 100) { incidents { urn "
        "title } } } } } } }"
    )

    small = gql.data(query, {"n": 10})
    error = gql.error(query, {"n": 10_000})

    assert small["searchAcrossEntities"]["searchResults"] == []
    assert error["message"].startswith("The query could answer ")


def test_a_count_inside_a_list_is_clamped_lower(gql: GraphQL) -> None:
    gql.data(RAISE, {"input": {"type": "SQL", "resourceUrn": KAFKA}})
    query = (
        '{ top: dataset(urn: "' + KAFKA + '") { incidents(count: 5000) { count } } '
        'search: searchAcrossEntities(input: {query: "*"}) { searchResults { entity { '
        "... on Dataset { incidents(count: 5000) { count total } } } } } }"
    )

    data = gql.data(query)

    assert data["top"]["incidents"]["count"] == 1000
    [nested] = data["search"]["searchResults"]
    assert nested["entity"]["incidents"] == {"count": 100, "total": 1}


def test_every_field_taking_a_count_returns_a_known_page() -> None:
    schema = build_schema()
    counted = []
    for type_ in schema.type_map.values():
        for name, field in getattr(type_, "fields", {}).items():
            if type_.name.startswith("__") or isinstance(type_, GraphQLInputObjectType):
                continue
            takes_count = (
                "count" in field.args
                or "limit" in field.args
                or any(
                    "count" in getattr(get_named_type(arg.type), "fields", {})
                    for arg in field.args.values()
                )
            )
            if takes_count:
                counted.append((type_.name, name, get_named_type(field.type).name))

    assert counted, "the schema has paged fields"
    assert [c for c in counted if c[2] not in PAGED_LISTS] == []


def test_a_body_over_the_limit_is_a_413_by_its_length(client: TestClient) -> None:
    body = json.dumps({"query": "{ __typename }", "pad": "x" * MAX_BODY_BYTES}).encode()

    response = client.post("/api/graphql", content=body, headers=AUTH)

    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == (
        f"The request body is larger than the limit of {MAX_BODY_BYTES} bytes (1024 KiB)."
    )


def test_a_streamed_body_over_the_limit_is_a_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/api/graphql", content=chunks(), headers=AUTH)

    assert response.status_code == 413, response.text


def test_without_credentials_a_large_body_is_refused_unread(client: TestClient) -> None:
    body = b'{"query": "{' + b" __typename" * 90_000 + b' }"}'  # 80,000 tokens, under 1 MiB

    missing = client.post("/api/graphql", content=body)
    unknown = client.post("/api/graphql", content=body, headers={"Authorization": "Bearer nope"})

    assert missing.status_code == unknown.status_code == 401
    assert missing.json()["errors"][0]["message"].startswith("Missing access token")
    assert unknown.json()["errors"][0]["message"].startswith("Invalid access token")


def test_the_cache_keeps_only_documents_that_compile_and_stays_within_its_bytes() -> None:
    documents = Documents(build_schema(), cache_bytes=4096)

    for i in range(20):
        documents.compile(f"{{ nope{i} }}")  # fails validation
        documents.compile(f"{{ dataset(urn: {i}) ")  # fails parsing
    assert documents.cached_bytes == 0

    for i in range(200):
        documents.compile(f'{{ dataset(urn: "{KAFKA}") {{ urn a{i}: urn }} }}')
    assert 0 < documents.cached_bytes <= 4096


def test_fragments_on_different_types_cost_as_the_dearest_one() -> None:
    from graphql import parse

    from dataflare.graphql.limits import check_cost

    schema = build_schema()
    on_one = '{ entity(urn: "u") { ... on Dataset { urn properties { name description } } } }'
    on_five = (
        '{ entity(urn: "u") { '
        + " ".join(
            f"... on {t} {{ urn properties {{ name description }} }}"
            for t in ("Dataset", "Chart", "Dashboard", "DataFlow", "DataJob")
        )
        + " } }"
    )

    assert check_cost(schema, parse(on_five), None, {}) == check_cost(
        schema, parse(on_one), None, {}
    )


def test_the_python_sdks_own_requests_stay_within_the_limits() -> None:
    from graphql import parse

    from dataflare.client import breaker
    from dataflare.client import documents as doc
    from dataflare.graphql.limits import check_cost, check_shape

    schema = build_schema()
    for name in dir(doc):
        text = getattr(doc, name)
        if isinstance(text, str) and ("query" in text or "mutation" in text) and "{" in text:
            check_shape(parse(text))
    upstream = {"input": {"count": breaker.PAGE}, "count": breaker.INCIDENTS_WITH_EACH}
    assert check_cost(schema, parse(doc.BROKEN_UPSTREAM), None, upstream) <= MAX_COST
