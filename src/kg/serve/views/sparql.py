"""``/sparql``: the SPARQL 1.1 Protocol (query only) and the service description."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID
from starlette.requests import Request
from starlette.responses import Response

from kg.namespaces import SD, bind
from kg.serve import negotiation as neg
from kg.serve.pool import PoolError
from kg.serve.responses import conditional, error
from kg.serve.views.query import page as query_page

W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML")
FORM = "application/x-www-form-urlencoded"
READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted",
             "send queries (SELECT, ASK, CONSTRUCT, DESCRIBE) with `query=`")
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
#: Functions whose value changes from one run of a query to the next.
VOLATILE = ("NOW", "RAND", "UUID", "STRUUID", "BNODE")
_MAYBE_VOLATILE = re.compile(r"(?:%s)\s*\(" % "|".join(VOLATILE), re.IGNORECASE)


class BodyTooLarge(Exception):
    """The request body is over the server's limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (before reading it when it says its length) past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def protocol_params(request: Request) -> tuple[dict[str, str], list[str]] | Response:
    """The protocol parameters of a GET or POST, and the names of the dataset parameters given.

    ``query`` and ``update`` may each be given once, in the URL, the form or as the body.
    """
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            body = await read_body(request, request.app.state.settings.max_body)
        except BodyTooLarge:
            limit = request.app.state.settings.max_body
            return error(request, 413, f"the request body is larger than {limit:,} bytes",
                         "send a shorter query")
        if media == "application/sparql-update":
            return error(request, 400, *READ_ONLY)
        if media == "application/sparql-query":
            pairs.append(("query", body.decode("utf-8", errors="replace")))
        elif media == FORM:
            pairs += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        else:
            return error(request, 415, f"cannot read a request body of type `{media or 'none'}`",
                         f"send application/sparql-query or {FORM}")
    names = [k for k, _ in pairs]
    for name in ("query", "update"):
        if names.count(name) > 1:
            return error(request, 400, f"`{name}` is given {names.count(name)} times",
                         f"send one `{name}`: in the URL, in the form or as the request body")
    return dict(pairs), [k for k in names if k in DATASET_PARAMS]


def volatile(query: str) -> bool:
    """Whether ``query`` may call a function (``NOW()``, ``RAND()`` …) that makes each run's result differ.

    Read from the text, strings and comments included: a false alarm only costs a validator.
    """
    return _MAYBE_VOLATILE.search(query) is not None


async def sparql(request: Request) -> Response:
    """Run a query sent by GET, by POST form or by POST application/sparql-query.

    A GET's result is known by its request alone (the data cannot change while the server runs), so
    it gets validators, checked only once the query has succeeded: a failing query is never a 304.
    A query calling a :data:`VOLATILE` function is the exception: its result is ``no-store``.
    """
    got = await protocol_params(request)
    if isinstance(got, Response):
        return got
    params, datasets = got
    if "update" in params:
        return error(request, 400, *READ_ONLY)
    if datasets:
        return error(request, 400, f"`{datasets[0]}` is not allowed",
                     "query the graph as it is, without a protocol dataset or FROM / FROM NAMED")
    query = params.get("query")
    if query is None:
        return service_description(request)
    accept = request.headers.get("accept")
    explicit = params.get("format") or params.get("output")
    try:
        result = await request.app.state.pool.call("sparql", query, accept, explicit, None, True, untrusted=True)
    except PoolError as exc:
        return error(request, exc.status, exc.message, exc.fix)
    if result[0] == "bytes":
        response = Response(result[2], headers={"Vary": "Accept"}, media_type=neg.media_type(result[1]))
    elif result[0] == "table":
        response = query_page(request, headers={"Vary": "Accept"}, text=query, result=result)
    else:
        types = ", ".join(neg.media_type(f).split(";")[0] for f in result[1])
        return error(request, 406, "none of the accepted media types fits this result", f"accept one of: {types}")
    if request.method == "POST":
        return response
    if volatile(query):
        response.headers["Cache-Control"] = "no-store"
        return response
    return conditional(request, response, f"{accept}|{explicit}")


# --- service description ------------------------------------------------------

def service_description(request: Request) -> Response:
    """The SPARQL service description (Turtle, JSON-LD …), or the query page for browsers."""
    fmt = neg.choose(request.headers.get("accept"), neg.DATA_OFFERS, "graph", request.query_params.get("format"))
    if fmt is None:
        return error(request, 406, "no acceptable format for the service description",
                     "accept text/turtle, application/ld+json, application/n-triples or text/html")
    if fmt == neg.HTML:
        return query_page(request, headers={"Vary": "Accept"})
    # written afresh each time (a few milliseconds): the endpoint's URL comes from the request's
    # Host, so a cache by URL would grow with every Host a client makes up
    graph = describe_service(request.app.state, str(request.url.replace(query="")))
    content = graph.serialize(format={"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdfxml": "xml"}[fmt],
                              encoding="utf-8")
    return Response(content, headers={"Vary": "Accept"}, media_type=neg.media_type(fmt))


def describe_service(state, endpoint: str) -> Graph:
    """``sd:Service`` for this endpoint: language, result formats, limits and the dataset."""
    site, settings = state.site, state.settings
    g = bind(Graph())
    g.bind("sd", SD)
    service, dataset, graph = URIRef(endpoint), BNode(), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, W3C_FORMATS[name]))
    if settings.allowed_services:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, DCTERMS.description, Literal(
        f"読み取り専用。1件の問い合わせは {settings.timeout:g} 秒、結果は {settings.max_results:,} 行（トリプル）まで。",
        lang="ja")))
    g.add((service, DCTERMS.description, Literal(
        f"Read-only. Each query may run {settings.timeout:g} s and return {settings.max_results:,} rows "
        "(or triples) at most.", lang="en")))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    if site.dataset is not None:
        g.add((dataset, DCTERMS.source, site.dataset))
        for title in site.catalog.objects(site.dataset, DCTERMS.title):
            g.add((dataset, DCTERMS.title, title))
    g.add((dataset, SD.defaultGraph, graph))
    g.add((graph, RDF.type, SD.Graph))
    triples = site.void_stat(VOID.triples)
    if triples is not None:
        g.add((graph, VOID.triples, Literal(triples)))
    return g
