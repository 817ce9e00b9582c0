"""The MCP server itself, the same over both transports: which tools a caller sees, their
arguments checked against the schemas they publish, each run in a worker thread with the
caller's client, and every refusal answered as a tool error an agent can read and act on."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import mcp_types as types
from jsonschema import Draft202012Validator
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from dataflare.client.client import DataflareClient
from dataflare.client.errors import ClientError
from dataflare.core.errors import DataflareError
from dataflare.mcp.changes import CHANGE_TOOLS
from dataflare.mcp.reads import READ_TOOLS
from dataflare.mcp.spec import ToolSpec

log = logging.getLogger("dataflare.mcp")

TOOLS = READ_TOOLS + CHANGE_TOOLS
INSTRUCTIONS = (
    "Dataflare records incidents on data assets (datasets, dashboards, charts, data flows and "
    "jobs): an active incident marks an asset unhealthy, notifies its owners and stops "
    "pipelines that read it. Find assets with search_assets, look at one with get_asset, check "
    "what upstream is broken with find_broken_upstreams, read incidents with list_incidents "
    "and get_incident. Where offered, raise_incident records a problem and "
    "update_incident_status resolves it; both are marked in the timeline as made through MCP."
)
READ_ONLY_VARIABLE = "DATAFLARE_MCP_READ_ONLY"


@dataclass
class Access:
    """What one request's tools run with: a client acting as the caller, and whether the
    caller may change incidents (asked only when a change tool is called)."""

    client: DataflareClient
    may_change: Callable[[], bool]
    who: str  # the caller, as named in refusals

    def close(self) -> None:
        self.client.close()


OpenAccess = Callable[[ServerRequestContext[Any]], Awaitable[Access]]
ListsChanges = Callable[[ServerRequestContext[Any]], Awaitable[bool]]


class Refused(Exception):
    """A tool call answered with an error the agent should read."""


def build_server(
    open_access: OpenAccess, lists_changes: ListsChanges, read_only: bool, version: str
) -> Server[Any]:
    """`open_access` gives a request its client; `lists_changes` says whether the caller is
    shown the change tools. With `read_only`, nobody is."""
    by_name = {spec.name: spec for spec in TOOLS}
    validators = {spec.name: Draft202012Validator(spec.input_schema()) for spec in TOOLS}

    async def list_tools(
        ctx: ServerRequestContext[Any], _: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        try:
            changes = not read_only and await lists_changes(ctx)
        except ClientError as refused:  # over stdio: a wrong token or URL, said plainly
            raise MCPError(types.INVALID_REQUEST, refused.message) from refused
        shown = [spec for spec in TOOLS if changes or not spec.changes]
        return types.ListToolsResult(tools=[_tool(spec) for spec in shown])

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        spec = by_name.get(params.name)
        arguments = params.arguments or {}
        try:
            if spec is None:
                raise Refused(
                    f"Unknown tool '{params.name[:80]}': the tools are {', '.join(by_name)}."
                )
            if spec.changes and read_only:
                raise Refused(
                    f"{spec.name} is not available: this server lets agents read only "
                    f"({READ_ONLY_VARIABLE} is set)."
                )
            _check(validators[spec.name], arguments)
            access = await open_access(ctx)
            try:
                answer = await anyio.to_thread.run_sync(_run, spec, access, arguments)
            finally:
                access.close()
        except Refused as refused:
            return _error(str(refused))
        except (ClientError, DataflareError) as refused:
            return _error(refused.message)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("MCP tool %s failed (request id %s)", params.name, request_id)
            return _error(f"internal error (request id {request_id})")
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=answer.summary)],
            structured_content=answer.data,
        )

    return Server(
        "dataflare",
        version=version,
        title="Dataflare incidents",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


def _run(spec: ToolSpec, access: Access, arguments: dict[str, Any]) -> Any:
    if spec.changes and not access.may_change():
        raise Refused(
            f"{spec.name} changes incidents, which {access.who} may not do through MCP: "
            "agents that raise or resolve incidents need an Editor's or an Admin's token."
        )
    return spec.run(access.client, arguments)


def _check(validator: Draft202012Validator, arguments: dict[str, Any]) -> None:
    for problem in validator.iter_errors(arguments):
        where = ".".join(str(p) for p in problem.absolute_path)
        message = problem.message if len(problem.message) <= 300 else problem.message[:300] + "…"
        if where:
            raise Refused(f"Invalid argument '{where}': {message}")
        raise Refused(f"Invalid arguments: {message}")


def _tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=spec.input_schema(),
        annotations=types.ToolAnnotations(
            title=spec.title,
            read_only_hint=not spec.changes,
            destructive_hint=False,
            open_world_hint=False,
        ),
    )


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )
