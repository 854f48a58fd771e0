"""``/query``: the named queries as ready examples, a SPARQL form, and the results as a table."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kg.errors import QueryError
from kg.query import bind_params
from kg.serve import negotiation as neg
from kg.serve.pool import PoolError
from kg.serve.responses import error, render
from kg.sparql import service_calls

PARAM_PREFIX = "p."
#: HTML input type of each parameter type of the named queries; the others are text (a date
#: parameter takes a year or a Japanese-era date such as 令和2年, which a date picker cannot).
INPUT_TYPES = {"integer": "number", "decimal": "number"}
DOWNLOADS = ("csv", "tsv", "json", "xml", "ttl", "jsonld", "nt")


def page(request: Request, status: int = 200, headers: dict | None = None, **values) -> Response:
    """The query page with ``values`` (text, name, given, result, error …) filled in."""
    context = {"text": None, "name": None, "given": {}, "result": None, "downloads": [], "error": None,
               "fix": None, "input_types": INPUT_TYPES, "prefix": PARAM_PREFIX,
               "unavailable": unavailable(request)} | values
    return render(request, "query.html", context, status=status, headers=headers)


def unavailable(request: Request) -> dict[str, dict]:
    """The named queries this server refuses to run, by name: those calling (SERVICE) an endpoint
    the operator did not allow, with the endpoints and the reason in Japanese and English."""
    cache = request.app.state.cache
    if "unavailable queries" not in cache:
        allowed = request.app.state.settings.allowed_services
        found = {}
        for named in request.app.state.site.queries.values():
            refused = list(dict.fromkeys(c.iri for c in service_calls(named.text) if c.iri not in allowed))
            if refused:
                endpoints = ", ".join(refused)
                found[named.name] = {"services": refused, "reason": {
                    "ja": f"このサーバーでは実行できません。外部の SPARQL エンドポイント {endpoints} "
                          "への問い合わせ（SERVICE）を運用者が許可していません。",
                    "en": f"This server cannot run it: the operator has not allowed calls (SERVICE) to the outside "
                          f"SPARQL endpoint {endpoints}."}}
        cache["unavailable queries"] = found
    return cache["unavailable queries"]


async def query_page(request: Request) -> Response:
    """List the named queries; run one (with its parameters) or the SPARQL text given."""
    site = request.app.state.site
    params = request.query_params
    name, text = params.get("name"), params.get("q")
    given = {k[len(PARAM_PREFIX):]: v for k, v in params.items() if k.startswith(PARAM_PREFIX) and v != ""}
    if name is None and text is None:
        return page(request)
    if len((text or "").encode()) > request.app.state.settings.max_body:
        return error(request, 413, "the query is too long", "send a shorter query")
    bindings = None
    if name is not None:
        named = site.queries.get(name)
        if named is None:
            return error(request, 404, f"no named query `{name}`", "the query page lists them")
        try:
            bindings = bind_params(named, given, site.base)
        except QueryError as exc:
            return page(request, 400, name=name, given=given, error=exc.message, fix=exc.fix)
        text = named.text
    fmt = params.get("format") or neg.HTML
    try:
        result = await request.app.state.pool.call("sparql", text, None, fmt, bindings, untrusted=True)
    except PoolError as exc:
        if fmt != neg.HTML:
            return error(request, exc.status, exc.message, exc.fix)
        return page(request, exc.status, text=text, name=name, given=given, error=exc.message, fix=exc.fix)
    if result[0] == "bytes":
        return Response(result[2], media_type=neg.media_type(result[1]))
    if result[0] == "406":
        return error(request, 400, f"format `{fmt}` does not fit this query's result",
                     "use one of: " + ", ".join(result[1]))
    kept = [(k, v) for k, v in params.multi_items() if k != "format"]
    offered = [f for f in DOWNLOADS if (f in neg.GRAPH_OFFERS) == (result[1] == "graph")]
    return page(request, text=text, name=name, given=given, result=result,
                downloads=[(f, "/query?" + urlencode(kept + [("format", f)])) for f in offered])
