"""The MCP server: its tools and resources as one table each, and the two transports (stdio, streamable HTTP)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import jsonschema
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from kg import __version__
from kg.mcp.backend import Backend, ToolError, query_uri
from kg.query import NamedQuery

RESOURCE = {"type": "string", "minLength": 1, "maxLength": 2000,
            "description": "the resource's IRI (as the find tool gives it), or KIND/SLUG such as measure/x"}
INSTRUCTIONS = (
    "A knowledge graph of Japanese local-government digital policy (national laws and policies, Tokyo's "
    "strategies, a city's IT plans and measures). Find resources by label, describe them, run the named "
    "queries or SPARQL. Every answer lists under `cites` the IRIs it rests on and the source passages "
    "(sections of the source document) they come from: quote those rather than answering from memory.")


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, description, input schema and the backend call that answers it."""

    name: str
    title: str
    description: str
    schema: dict
    run: Callable[[Backend, dict], Awaitable[dict]]


def query_catalogue(queries: dict[str, NamedQuery]) -> str:
    """The named queries as the run_query tool describes them: title, description, parameters."""
    lines = []
    for q in queries.values():
        params = "; ".join(f"{p.name} ({p.type}{', default ' + p.default if p.default else ', required'})"
                           f"{': ' + p.text if p.text else ''}" for p in q.params) or "none"
        lines.append(f"- {q.name}: {q.title_en}. {q.description_en} Parameters: {params}.")
    return "\n".join(lines)


def params_schema(queries: dict[str, NamedQuery]) -> dict:
    """Every parameter a named query takes, each saying which queries take it and what it is."""
    props: dict[str, dict] = {}
    for q in queries.values():
        for p in q.params:
            entry = props.setdefault(p.name, {"type": ["string", "number"], "description": ""})
            entry["description"] += f"{q.name}: {p.type}{' ' + p.text if p.text else ''}. "
    return {"type": "object", "properties": props, "additionalProperties": False,
            "description": "the query's parameters by name; an IRI parameter takes an IRI or KIND/SLUG"}


def tools(backend: Backend) -> dict[str, ToolSpec]:
    """The tools, by name; the named queries of the served project are part of run_query's schema."""
    queries = backend.site.queries
    specs = [
        ToolSpec("find", "Find resources",
                 "Find resources (laws, policies, plans, measures, organisations, systems, technologies …) "
                 "whose label contains a text, in Japanese or English (kana, width and case are folded). "
                 "Gives IRIs to pass to describe.",
                 {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
                     "text": {"type": "string", "minLength": 1, "maxLength": 200,
                              "description": "text to look for in labels, e.g. マイナンバー or cloud"},
                     "lang": {"enum": ["ja", "en"], "description": "only labels in this language"},
                     "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}},
                 lambda b, a: b.find(a["text"], a.get("lang"), a.get("limit", 10))),
        ToolSpec("describe", "Describe a resource",
                 "Everything the graph says about one resource: its facts with the labels of properties and "
                 "values, the resources that link to it, the source passages it is derived from (with the "
                 "heading as the source writes it), and the wording the graph keeps from the source "
                 "(descriptions, progress notes, the source's own spelling). The graph holds the source's "
                 "headings, not its full text.",
                 {"type": "object", "required": ["resource"], "additionalProperties": False,
                  "properties": {"resource": RESOURCE}},
                 lambda b, a: b.describe(a["resource"])),
        ToolSpec("run_query", "Run a named query",
                 "Run one of the project's named queries with its parameters. The queries:\n"
                 + query_catalogue(queries),
                 {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
                     "name": {"enum": list(queries) or [""], "description": "the named query"},
                     "params": params_schema(queries)}},
                 lambda b, a: b.named_query(a["name"], a.get("params", {}))),
        ToolSpec("sparql", "Run a SPARQL query",
                 "Run a read-only SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph, within "
                 f"the server's limits: {backend.settings.timeout:g} s, {backend.settings.max_results:,} rows; "
                 "no SERVICE, FROM or FROM NAMED unless the operator allows an endpoint. The project's "
                 "prefixes (lgdx:, rdfs:, skos:, dcterms:, prov:, eli:, org: …) are declared.",
                 {"type": "object", "required": ["query"], "additionalProperties": False, "properties": {
                     "query": {"type": "string", "minLength": 1, "maxLength": 100_000}}},
                 lambda b, a: b.sparql(a["query"])),
        ToolSpec("validation", "Validation results of a resource",
                 "The results of validating the graph (SHACL shapes and identifier check digits) about one "
                 "resource: violations and warnings, each with a message in Japanese and English.",
                 {"type": "object", "required": ["resource"], "additionalProperties": False,
                  "properties": {"resource": RESOURCE}},
                 lambda b, a: b.validation(a["resource"])),
    ]
    return {s.name: s for s in specs}


def resources(backend: Backend) -> dict[str, tuple[types.Resource, Callable[[], str]]]:
    """The resources, by URI: the ontology, the catalogue and each named query's text."""
    site = backend.site
    out = {
        "kg://ontology": (types.Resource(uri="kg://ontology", name="ontology", mime_type="text/turtle",
                                         description="the OWL ontology of the graph, with its mappings"),
                          lambda: site.rdf("ontology.ttl", "ttl").decode("utf-8")),
        "kg://catalog": (types.Resource(uri="kg://catalog", name="catalog", mime_type="text/turtle",
                                        description="DCAT and VoID of the dataset: dumps, licence, figures"),
                         lambda: site.rdf("catalog.ttl", "ttl").decode("utf-8")),
    }
    for q in site.queries.values():
        uri = query_uri(q.name)
        out[uri] = (types.Resource(uri=uri, name=q.name, title=q.title_en, mime_type="application/sparql-query",
                                   description=q.description_en),
                    lambda q=q: q.text)
    return out


def check_arguments(spec: ToolSpec, arguments: dict[str, Any]) -> None:
    """Refuse arguments that do not fit the tool's schema, naming the argument and the rule."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(spec.schema).iter_errors(arguments))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "arguments"
        raise ToolError(f"{spec.name}: {where}: {error.message}",
                        fix="see the tool's input schema for the arguments it takes")


def text_result(value: dict, is_error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(value, ensure_ascii=False))],
                                structured_content=value, is_error=is_error)


def create_server(backend: Backend) -> Server:
    """The MCP server over ``backend``: its workers start and stop with the server."""
    specs = tools(backend)
    listed = resources(backend)

    async def list_tools(ctx, params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=s.name, title=s.title, description=s.description, input_schema=s.schema,
                       annotations=types.ToolAnnotations(read_only_hint=True, open_world_hint=False))
            for s in specs.values()])

    async def call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        spec = specs.get(params.name)
        if spec is None:
            raise MCPError(types.INVALID_PARAMS, f"no tool named `{params.name}`; the tools are: {', '.join(specs)}")
        arguments = params.arguments or {}
        try:
            check_arguments(spec, arguments)
            return text_result(await spec.run(backend, arguments))
        except ToolError as exc:
            return text_result({"error": exc.message, "fix": exc.fix}, is_error=True)

    async def list_resources(ctx, params) -> types.ListResourcesResult:
        return types.ListResourcesResult(resources=[r for r, _ in listed.values()])

    async def read_resource(ctx, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        uri = str(params.uri)
        if uri not in listed:
            raise MCPError(types.INVALID_PARAMS, f"no resource {uri}: the resources are {', '.join(listed)}")
        resource, read = listed[uri]
        return types.ReadResourceResult(contents=[
            types.TextResourceContents(uri=uri, mime_type=resource.mime_type, text=read())])

    def lifespan(server: Server):
        return backend.running()

    return Server("kg", version=__version__, instructions=INSTRUCTIONS, lifespan=lifespan,
                  on_list_tools=list_tools, on_call_tool=call_tool,
                  on_list_resources=list_resources, on_read_resource=read_resource)


def run_stdio(backend: Backend) -> None:
    """Answer one client on stdin and stdout until it closes them."""
    import anyio
    from mcp.server.stdio import stdio_server

    server = create_server(backend)

    async def main():
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)


def run_http(backend: Backend, host: str, port: int, log=None) -> None:
    """Answer clients with the streamable HTTP transport at ``http://host:port/mcp``."""
    import uvicorn

    app = create_server(backend).streamable_http_app(host=host)
    (log or (lambda m: print(m, file=sys.stderr)))(f"MCP server for {backend.site.dist} at http://{host}:{port}/mcp")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
