"""A real MCP host for `persona mcp serve`: the official MCP Python SDK spawns the bridge over
stdio, connects (the initialize handshake, or `mode="auto"`, which probes server/discover
first), lists the tools, checks their names, and calls each one with the arguments given.

    python mcp_client.py --bridge PERSONA_BIN --mode legacy|auto --calls JSON -- [serve args...]

--calls maps each tool name, as the bridge lists it, to its arguments. The bridge gets this
process's environment (key, URLs, config directories). Prints one JSON line with what it saw;
exits non-zero on any failure.
"""

import argparse
import asyncio
import json
import os
import re
import sys

from mcp import Client, ClientSession, StdioServerParameters, stdio_client

SAFE_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def text_of(result) -> str:
    return " ".join(getattr(part, "text", "") for part in result.content)


async def exercise(list_tools, call_tool, calls: dict, safe: bool) -> dict:
    listed = await list_tools()
    names = [tool.name for tool in listed.tools]
    if not names:
        raise AssertionError("tools/list returned no tools")
    if safe:
        unsafe = [name for name in names if not SAFE_NAME.match(name)]
        if unsafe:
            raise AssertionError(f"tool names outside ^[a-zA-Z0-9_-]{{1,64}}$: {unsafe}")
    missing = sorted(set(names) - set(calls))
    if missing:
        raise AssertionError(f"no arguments given for the tools {missing} (listed: {names})")
    results = {}
    for name in names:
        result = await call_tool(name, calls[name])
        text = text_of(result)
        if result.is_error:
            raise AssertionError(f"{name} failed: {text}")
        if not text.strip() and result.structured_content is None:
            raise AssertionError(f"{name} returned nothing")
        results[name] = text[:200]
    return {"tools": names, "results": results}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bridge", required=True, help="the persona binary")
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy")
    parser.add_argument("--calls", required=True, help="JSON: tool name -> arguments")
    parser.add_argument("--original-names", action="store_true")
    parser.add_argument("serve_args", nargs="*")
    options = parser.parse_args()
    calls = json.loads(options.calls)
    server = StdioServerParameters(
        command=options.bridge,
        args=["mcp", "serve", *options.serve_args],
        env=dict(os.environ),
    )
    safe = not options.original_names
    if options.mode == "legacy":
        async with stdio_client(server) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                summary = await exercise(session.list_tools, session.call_tool, calls, safe)
                summary["protocol"] = init.protocol_version
                summary["server"] = init.server_info.name
    else:
        async with Client(server, mode="auto") as client:
            summary = await exercise(client.list_tools, client.call_tool, calls, safe)
            summary["protocol"] = client.protocol_version
    summary["mode"] = options.mode
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BaseException as error:  # an ExceptionGroup from the SDK's task groups, say
        def show(error, depth=0):
            print(f"mcp_client: {'  ' * depth}{type(error).__name__}: {error}", file=sys.stderr)
            for inner in getattr(error, "exceptions", []):
                show(inner, depth + 1)

        show(error)
        sys.exit(1)
