"""Dereferenceable IRIs: ``/id/{kind}/{slug}`` (page or RDF by Accept or extension) and ``/ontology``."""

from __future__ import annotations

from rdflib import OWL, URIRef
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.export import dataset_iri
from kg.namespaces import LGDX, ONTOLOGY_IRI, PREFIXES
from kg.serve import negotiation as neg
from kg.serve.pool import PoolError
from kg.serve.responses import cached_async, chosen_format, error, render
from kg.serve.views import profile
from kg.serve.views.compare import entity_charts

DERIVED_FROM = str(PREFIXES["prov"]) + "wasDerivedFrom"
RDF_TYPE = str(PREFIXES["rdf"]) + "type"
RDFS_LABEL = str(PREFIXES["rdfs"]) + "label"
#: Properties shown first on a page, in this order; the rest follow the ontology's order.
FIRST = tuple(str(PREFIXES[p]) + n for p, n in (
    ("skos", "prefLabel"), ("skos", "altLabel"), ("dcterms", "description"), ("skos", "definition"),
    ("dcterms", "identifier")))
#: Properties shown last: notes and the record of corrections to the source's text.
LAST = tuple(str(PREFIXES[p]) + n for p, n in (
    ("skos", "note"), ("skos", "hiddenLabel"), ("skos", "editorialNote"), ("rdfs", "seeAlso")))
ALTERNATES = ("ttl", "jsonld", "nt", "rdfxml")


def link_header(path: str) -> str:
    """``Link`` alternates of the resource at ``path``: one per RDF format, and the page (each at
    its extension URL; the URL without one negotiates)."""
    return ", ".join(f'<{path}{neg.FORMAT_EXTENSIONS[f]}>; rel="alternate"; type="{neg.media_type(f).split(";")[0]}"'
                     for f in (*ALTERNATES, neg.HTML))


async def resource(request: Request) -> Response:
    """A resource of the dataset: its page for people, its triples for programs."""
    site = request.app.state.site
    raw = request.scope.get("raw_path") or request.url.path.encode()
    whole = raw.decode("utf-8", errors="replace")
    path, ext_fmt = neg.split_extension(whole)
    candidates = site.urls.iris_of_path(path) + ([] if ext_fmt is None else site.urls.iris_of_path(whole))
    iri = candidates[0]
    if iri == str(dataset_iri(site.base)):
        ext = neg.FORMAT_EXTENSIONS.get(ext_fmt, "") if ext_fmt else ""
        return RedirectResponse("/catalog" + ext, status_code=303)
    if profile.asked(request):
        return await profile.resource(request, path, candidates, ext_fmt)
    fmt = ext_fmt or neg.negotiate(request.headers.get("accept"), neg.PAGE_OFFERS, "graph")
    if fmt is None:
        return error(request, 406, "no acceptable format for this resource",
                     "accept text/html, text/turtle, application/ld+json, application/n-triples "
                     "or application/rdf+xml")
    profiled = profile.default_headers(path)
    headers = {"Link": link_header(path) + ", " + profiled.pop("Link")} | profiled
    if ext_fmt is None:
        headers["Content-Location"] = path + neg.FORMAT_EXTENSIONS[fmt]

    async def make() -> Response:
        pool = request.app.state.pool
        try:
            if fmt == neg.HTML:
                data = await pool.call("entity", candidates)
            else:
                data = await pool.call("describe", candidates, fmt)
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        if data is None:
            return error(request, 404, f"no resource <{iri}> in this dataset",
                         "search by label at /search, or browse the classes from the home page")
        if fmt != neg.HTML:
            return Response(data[1], headers=headers, media_type=neg.media_type(fmt))
        page = entity_page(site, data)
        kind = path[len(site.urls.id_prefix):].split("/", 1)[0] if path.startswith(site.urls.id_prefix) else ""
        try:
            charts = await entity_charts(request, kind, page["iri"])  # plans and cities: their measures drawn
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        return render(request, [f"entity-{kind}.html", "entity.html"],
                      {"e": page, "path": path, "formats": ALTERNATES, "charts": charts,
                       "findings": site.findings.get(page["iri"], []),
                       "jsonld": profile.page_jsonld(site, data)}, headers=headers)

    response = await cached_async(request, fmt, make, vary=ext_fmt is None)  # an extension URL does not vary
    if ext_fmt is None:  # the profile is negotiated too
        response.headers["Vary"] = "Accept, Accept-Profile"
    return response


def entity_page(site, data: dict) -> dict:
    """The data of one resource arranged for its page: header, property rows, links, sources."""
    labels = data["linked_labels"]
    order = {t.iri: i for i, t in enumerate(site.terms)}
    skip = {RDF_TYPE, RDFS_LABEL, DERIVED_FROM}

    def rank(prop: str) -> tuple:
        if prop in FIRST:
            return (0, FIRST.index(prop))
        if prop in LAST:
            return (3, LAST.index(prop))
        return (1, order[prop]) if prop in order else (2, site.compact(prop))

    def value(term) -> dict:
        if term[0] == "uri":
            return {"kind": "uri", "iri": term[1], "href": site.urls.href(term[1]),
                    "labels": labels.get(term[1]) or site.term_label(term[1]), "compact": site.compact(term[1])}
        if term[0] == "literal":
            return {"kind": "literal", "text": term[1], "lang": term[2], "datatype": _datatype(site, term[3])}
        if term[0] == "bnode":
            nested = data["bnodes"].get(term[1], {})
            return {"kind": "bnode", "rows": [row(p, v) for p, v in sorted(nested.items(), key=lambda kv: rank(kv[0]))]}
        return {"kind": "literal", "text": term[1], "lang": None, "datatype": None}

    def row(prop: str, values: list) -> dict:
        shown = sorted((value(v) for v in values), key=_value_order)
        return {"iri": prop, "href": site.urls.href(prop), "labels": site.term_label(prop),
                "compact": site.compact(prop), "values": shown}

    props = [row(p, v) for p, v in sorted(data["props"].items(), key=lambda kv: rank(kv[0])) if p not in skip]
    incoming = [{"iri": p, "href": site.urls.href(p), "labels": site.term_label(p), "compact": site.compact(p),
                 "subjects": sorted((value(("uri", s)) for s in subjects), key=_value_order)}
                for p, subjects in sorted(data["incoming"].items(), key=lambda kv: rank(kv[0]))]
    types = [{"iri": t, "labels": site.term_label(t), "compact": site.compact(t),
              "href": site.class_href(t) or site.urls.href(t)}
             for t in sorted(data["types"], key=lambda t: (not t.startswith(str(LGDX)), site.compact(t)))]  # own first
    sources = [dict(s, href=site.urls.href(s["iri"]),
                    document_href=site.urls.href(s["document"]) if s["document"] else None)
               for s in data["sources"]]
    return {"iri": data["iri"], "labels": data["labels"], "compact": site.compact(data["iri"]), "types": types,
            "props": props, "incoming": incoming, "incoming_total": data["incoming_total"], "sources": sources,
            "facts": {p: v for p, v in data["props"].items()}}


def _datatype(site, iri: str | None) -> str | None:
    if not iri or iri.endswith("#string") or iri.endswith("#langString"):
        return None
    return site.compact(iri)


def _value_order(v: dict) -> tuple:
    if v["kind"] == "literal":
        return (0, {"ja": 0, "en": 1}.get(v["lang"] or "", 2), v["text"])
    if v["kind"] == "uri":
        return (1, v["labels"].get("ja") or v["labels"].get("en") or v["iri"])
    return (2, "")


# --- the ontology -------------------------------------------------------------

async def ontology(request: Request) -> Response:
    """The ontology: documented term by term for people, Turtle etc. by Accept or extension.

    Its ``owl:versionIRI`` (``/ontology/0.1.0``) names the same ontology; other versions are not kept.
    """
    site = request.app.state.site
    if "version" in request.path_params:
        version = site.ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
        if version is None or site.urls.local_path(str(version)) != request.scope["path"]:
            return error(request, 404, f"no version `{request.path_params['version']}` of the ontology",
                         "only the current version is served, at /ontology")
    fmt = chosen_format(request, neg.PAGE_OFFERS, "the ontology")
    if isinstance(fmt, Response):
        return fmt
    headers = {"Link": link_header("/ontology")}

    async def make() -> Response:
        if fmt != neg.HTML:
            return Response(site.rdf("ontology.ttl", fmt), headers=headers, media_type=neg.media_type(fmt))
        counts = {c["iri"]: c for c in site.classes.values()}
        return render(request, "ontology.html", {"terms": site.terms, "counts": counts, "lgdx": str(LGDX),
                                                 "formats": ALTERNATES}, headers=headers)

    return await cached_async(request, fmt, make)
