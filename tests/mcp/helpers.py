"""What the MCP tests share: a real server with an Editor and a Reader, and MCP clients of the
SDK's own over streamable HTTP (with a bearer token) and over stdio (`dataflare mcp`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.server import DATAFLARE
from tests.ingest.mcps import BATCH, ownership, properties, upstreams

ADMIN = "mcp-admin-token"
ASSET = "urn:li:dataset:(urn:li:dataPlatform:snowflake,shop.orders,PROD)"
UPSTREAM = "urn:li:dataset:(urn:li:dataPlatform:kafka,orders_raw,PROD)"
READ_TOOLS = {
    "search_assets",
    "get_asset",
    "list_incidents",
    "get_incident",
    "find_broken_upstreams",
}
CHANGE_TOOLS = {"raise_incident", "update_incident_status"}

CREATE_USER = "mutation ($i: CreateUserInput!) { createUser(input: $i) { urn } }"
CREATE_TOKEN = (
    "mutation ($i: CreateAccessTokenInput!) { createAccessToken(input: $i) { accessToken } }"
)
TIMELINE = """query ($urn: String!) { entity(urn: $urn) { ... on Incident {
  status { state } entities { urn } activity { kind actor via message } } } }"""


@dataclass(frozen=True)
class Tokens:
    editor: str
    reader: str


def graphql(url: str, query: str, variables: dict[str, Any], token: str = ADMIN) -> Any:
    answer = httpx.post(
        f"{url}/api/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]


def users_and_tokens(url: str) -> Tokens:
    made = {}
    for name, role in (("eve", "Editor"), ("rex", "Reader")):
        graphql(url, CREATE_USER, {"i": {"username": name, "role": role}})
        given = {
            "type": "PERSONAL",
            "actorUrn": f"urn:li:corpuser:{name}",
            "duration": "ONE_DAY",
            "name": "agent",
        }
        made[name] = graphql(url, CREATE_TOKEN, {"i": given})["createAccessToken"]["accessToken"]
    return Tokens(editor=made["eve"], reader=made["rex"])


def catalog(url: str) -> None:
    """ASSET, owned by eve, reads UPSTREAM: sent as DataHub's ingestion sends metadata."""
    proposals = [
        properties(ASSET, "shop.orders", "Every order, one row each."),
        properties(UPSTREAM, "orders_raw"),
        ownership(ASSET, "urn:li:corpuser:eve"),
        upstreams(ASSET, UPSTREAM),
    ]
    response = httpx.post(
        f"{url}{BATCH}",
        json={"proposals": proposals},
        headers={"Authorization": f"Bearer {ADMIN}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


@asynccontextmanager
async def over_http(url: str, token: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as c:
        yield c


@asynccontextmanager
async def over_stdio(url: str, token: str, *extra: str) -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=DATAFLARE, args=["mcp", "--url", url, "--token", token, *extra]
    )
    async with Client(params) as client:
        yield client
