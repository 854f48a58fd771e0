"""``kg mcp``: the tools and resources, driven by the MCP SDK's own client (in process, stdio and HTTP)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError
from rdflib import Graph

from fixtures.built import ROOT, built_dist
from fixtures.serve import free_port
from kg.mcp.backend import Backend
from kg.mcp.server import create_server
from kg.serve.config import Settings

BASE = "https://w3id.org/lgdx/id/"
MEASURE = BASE + "measure/higashiyamato-it-plan-4-01"
# a cross join of the data with itself, four times over: runs far past any time limit
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return built_dist(tmp_path_factory.getbasetemp())


def settings(dist: Path) -> Settings:
    return Settings(dist=dist, queries_dir=ROOT / "queries", timeout=1.5, max_results=200, workers=2)


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
async def client(dist, anyio_backend):
    """An in-process server on ``dist``, for every test of this module that takes it."""
    async with Client(create_server(Backend(settings(dist)))) as connected:
        yield connected


async def answer(client, tool: str, arguments: dict, error: bool = False) -> dict:
    result = await client.call_tool(tool, arguments)
    assert result.is_error is error, result.content
    data = json.loads(result.content[0].text)
    assert data == result.structured_content
    return data


@pytest.mark.anyio
async def test_tools_list_the_named_queries_with_their_parameters(client):
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"find", "describe", "run_query", "sparql", "validation"}
    run_query = tools["run_query"]
    names = run_query.input_schema["properties"]["name"]["enum"]
    assert "measures-by-status" in names and "construct-egov-pages" not in names  # rules are not queries
    assert "Measures of a plan by achievement status" in run_query.description
    assert "plan (iri" in run_query.description
    assert "measures-by-status: iri" in run_query.input_schema["properties"]["params"]["properties"]["plan"]["description"]
    assert all(t.annotations.read_only_hint for t in tools.values())


@pytest.mark.anyio
async def test_find_in_japanese_and_english_cites_passages(client):
    ja = await answer(client, "find", {"text": "ﾏｲﾅﾝﾊﾞｰカード"})  # half-width kana fold to full width
    assert BASE + "system/my-number-card" in [i["iri"] for i in ja["items"]]
    en = await answer(client, "find", {"text": "my number card", "lang": "en", "limit": 2})
    assert en["items"][0]["iri"] == BASE + "system/my-number-card"
    assert len(en["items"]) <= 2 and en["total"] >= len(en["items"])
    assert en["cites"]["iris"] == [i["iri"] for i in en["items"]]
    passage = en["cites"]["passages"][0]
    assert passage["iri"].startswith(BASE + "source/") and passage["section"] and passage["label"]["ja"]
    assert BASE + "system/my-number-card" in passage["of"] or len(en["cites"]["passages"]) > 1


@pytest.mark.anyio
async def test_describe_gives_facts_links_and_sources(client):
    data = await answer(client, "describe", {"resource": "measure/higashiyamato-it-plan-4-01"})
    assert data["iri"] == MEASURE and data["label"]["ja"] == "文書管理システムの導入"
    facts = {f["property"]: f for f in data["facts"]}
    assert facts["lgdx:partOf"]["values"] == [{"iri": BASE + "plan/higashiyamato-it-plan-4",
                                               "label": {"ja": "第四次東大和市情報化推進計画",
                                                         "en": "Fourth Higashiyamato City IT Promotion Plan"}}]
    assert facts["lgdx:partOf"]["property_label"]["ja"]
    assert data["sources"][0]["section"] == "4-(2)"
    assert data["sources"][0]["document"]["iri"] == BASE + "source/higashiyamato-it-plan-5-ch2"
    assert any(q["property"] == "lgdx:progressNote" for q in data["source_wording"])
    assert BASE + "plan/higashiyamato-it-plan-4" in data["cites"]["iris"]
    assert data["cites"]["passages"] == data["sources"]
    tokyo = await answer(client, "describe", {"resource": "policy/tokyo-ict-strategy"})
    assert tokyo["sources"][0]["heading_as_written"] == "(1) 東京都 I C T 戦略"  # the source letter-spaces ICT
    plan = await answer(client, "describe", {"resource": BASE + "plan/higashiyamato-it-plan-4"})
    part_of = next(link for link in plan["links_in"] if link["property"] == "lgdx:partOf")
    assert MEASURE in {s["iri"] for s in part_of["from"]} and part_of["count"] == 17 == len(part_of["from"])


@pytest.mark.anyio
async def test_named_query_with_parameters_and_bad_arguments(client):
    data = await answer(client, "run_query", {"name": "measures-by-status",
                                              "params": {"plan": "plan/higashiyamato-it-plan-4"}})
    counts = {r["status_en"]["text"]: int(r["measures"]["text"]) for r in data["rows"]}
    assert sum(counts.values()) == 17 and data["rows"][0]["measures"]["datatype"] == "xsd:integer"
    assert data["cites"]["query"] == "kg://queries/measures-by-status"
    bad = await answer(client, "run_query", {"name": "measures-by-status", "params": {"plan": "not an iri"}},
                       error=True)
    assert "parameter `plan`" in bad["error"] and bad["fix"]
    unknown = await answer(client, "run_query", {"name": "measures-by-status", "params": {"colour": "x"}},
                           error=True)
    assert "colour" in unknown["error"]
    wrong = await answer(client, "run_query", {"name": "no-such-query"}, error=True)
    assert "name" in wrong["error"] and "is not one of" in wrong["error"]
    typed = await answer(client, "find", {"text": "AI", "limit": 500}, error=True)
    assert "limit" in typed["error"] and "50" in typed["error"]
    missing = await answer(client, "describe", {}, error=True)
    assert "resource" in missing["error"]
    with pytest.raises(MCPError, match="no tool named"):
        await client.call_tool("drop_everything", {})


@pytest.mark.anyio
async def test_sparql_limits_and_a_runaway_query(client):
    rows = await answer(client, "sparql", {"query": "SELECT ?law WHERE { ?law a lgdx:Law } LIMIT 3"})
    assert len(rows["rows"]) == 3 and rows["cites"]["iris"] == [r["law"]["iri"] for r in rows["rows"]]
    graph = await answer(client, "sparql", {"query": f"DESCRIBE <{MEASURE}>"})
    assert graph["triples"] > 5 and "文書管理システムの導入" in graph["turtle"]
    assert (await answer(client, "sparql", {"query": "ASK { ?s a lgdx:Plan }"}))["boolean"] is True
    for query, message in (("INSERT DATA { <a:b> <a:c> <a:d> }", "update"),
                           ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "not allowed"),
                           ("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }", "not allowed"),
                           ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "more than 200"),
                           ("SELECT WHERE {", "malformed")):
        assert message in (await answer(client, "sparql", {"query": query}, error=True))["error"]
    started = time.perf_counter()
    runaway = await answer(client, "sparql", {"query": RUNAWAY}, error=True)
    assert "time limit" in runaway["error"] and time.perf_counter() - started < 10
    after = await answer(client, "find", {"text": "RPA"})  # the server keeps going
    assert after["items"]


@pytest.mark.anyio
async def test_validation_results_of_a_resource(client, dist):
    from kg import fastvalidate

    report = fastvalidate.validate(fastvalidate.load_files([dist / "kg.nt"]),
                                   Graph().parse(dist / "shapes.ttl"), Graph().parse(dist / "ontology.ttl"))
    focus = str(report.results[0].focus)
    expected = sorted(r.message["en"] for r in report.results if str(r.focus) == focus)
    data = await answer(client, "validation", {"resource": focus})
    assert sorted(r["message"]["en"] for r in data["results"]) == expected
    assert data["results"][0]["severity"] in ("Violation", "Warning") and data["cites"]["iris"] == [focus]
    assert (await answer(client, "validation", {"resource": "measure/nope"}, error=True))["error"].startswith(
        "no resource")


@pytest.mark.anyio
async def test_resources_ontology_catalogue_and_query_texts(client):
    uris = [str(r.uri) for r in (await client.list_resources()).resources]
    assert {"kg://ontology", "kg://catalog", "kg://queries/measures-by-status"} <= set(uris)
    ontology = (await client.read_resource("kg://ontology")).contents[0]
    assert ontology.mime_type == "text/turtle" and len(Graph().parse(data=ontology.text, format="turtle")) > 100
    text = (await client.read_resource("kg://queries/measures-by-status")).contents[0].text
    assert text == (ROOT / "queries" / "measures-by-status.rq").read_text(encoding="utf-8")
    with pytest.raises(MCPError, match="no resource kg://nothing"):
        await client.read_resource("kg://nothing")
    assert (await client.read_resource("kg://catalog")).contents[0].text.startswith("@prefix")


def test_stdio_as_a_client_starts_it(dist):
    params = StdioServerParameters(command=sys.executable, cwd=str(ROOT),
                                   args=["-m", "kg.cli", "mcp", "--dist", str(dist)])

    async def go():
        async with Client(params) as client:
            found = await answer(client, "find", {"text": "ドローン"})
            assert found["items"][0]["label"]["en"]
            assert "limit" in (await answer(client, "find", {"text": "x", "limit": 0}, error=True))["error"]
            with pytest.raises(MCPError, match="no resource kg://nothing"):
                await client.read_resource("kg://nothing")
            assert (await answer(client, "describe", {"resource": found["items"][0]["iri"]}))["facts"]
    anyio.run(go)


def test_streamable_http_on_localhost(dist):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "mcp", "--dist", str(dist), "--port", str(port),
                                "--timeout", "1"], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        async def go():
            url, deadline = f"http://127.0.0.1:{port}/mcp", time.monotonic() + 60
            while True:  # until it listens
                try:
                    async with Client(url) as client:
                        await client.list_tools()
                    break
                except Exception as exc:  # the client raises several kinds while nothing listens
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"kg mcp --port did not answer: {exc}") from exc
                    await anyio.sleep(0.2)
            async with Client(url) as client:
                assert "time limit" in (await answer(client, "sparql", {"query": RUNAWAY}, error=True))["error"]
                data = await answer(client, "describe", {"resource": "measure/higashiyamato-it-plan-4-01"})
                assert data["iri"] == MEASURE
            # a page of another site, or a name rebound to this machine, is refused (DNS rebinding)
            request = {"json": {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                       "headers": {"Accept": "application/json, text/event-stream"}}
            host = httpx.post(url, **request | {"headers": request["headers"] | {"Host": "attacker.example"}})
            assert host.status_code == 421 and "Host" in host.text
            origin = httpx.post(url, **request | {"headers": request["headers"] | {"Origin": "http://attacker.example"}})
            assert origin.status_code == 403 and "Origin" in origin.text
        anyio.run(go)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_missing_dist_folder_is_an_input_error(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["--project", str(ROOT), "mcp", "--dist", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "no kg.nt in the dist folder" in result.output and "kg build" in result.output
