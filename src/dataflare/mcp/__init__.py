"""The MCP server: incident tools for AI agents.

Every tool speaks the public GraphQL API through the Python SDK (`dataflare.client`), so an
agent meets the same rules, limits and error messages as any other client. Over streamable
HTTP at /mcp the SDK's documents run inside the server, as the caller whose bearer token came
with the request (http.py); over stdio (`dataflare mcp`) they go to a server over HTTP
(stdio.py). Changes made either way are marked "via MCP" in the incidents' timelines.
"""
