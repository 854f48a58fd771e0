"""What the MCP tools read: the dist folder, the query workers of ``kg serve``, and the validation report.

Every answer is plain JSON data that names the IRIs it rests on and the source passages
those resources come from (``cites``), so that an assistant can quote the plan.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pyoxigraph as ox
from rdflib import Graph

from kg.errors import KgError, QueryError
from kg.namespaces import LGDX, PREFIXES
from kg.query import Param, bind_params, serialize_graph, term_of
from kg.serve.config import Settings
from kg.serve.pool import Pool, PoolError
from kg.serve.site import Site, load_site
from kg.sparql import query_form

DERIVED_FROM = ox.NamedNode(str(PREFIXES["prov"]) + "wasDerivedFrom")
RDF_TYPE = str(PREFIXES["rdf"]) + "type"
SKOS = str(PREFIXES["skos"])
#: Properties whose Japanese text keeps the source's own wording (the hidden label keeps its spelling).
QUOTED = (SKOS + "hiddenLabel", str(PREFIXES["dcterms"]) + "description", SKOS + "definition",
          str(LGDX) + "progressNote")
#: How many resources linking to a resource describe lists, by property (their count is given).
LINKS_SHOWN = 50
#: How many result IRIs an answer looks up the source passages of.
CITED_PASSAGES_LIMIT = 20
# The resource and prov:wasDerivedFrom are bound as terms, never written in the text: the
# query's safety check then finds no word such as FROM or SERVICE in it (an IRI may hold one)
# and need not parse the whole query.
# A passage's hidden label is its heading as the source writes it, before normalisation.
PASSAGES_QUERY = """SELECT ?passage ?section ?ja ?en ?written WHERE {
  ?s ?derived ?passage .
  OPTIONAL { ?passage lgdx:section ?section }
  OPTIONAL { ?passage rdfs:label ?ja FILTER(lang(?ja) = "ja") }
  OPTIONAL { ?passage rdfs:label ?en FILTER(lang(?en) = "en") }
  OPTIONAL { ?passage skos:hiddenLabel ?written }
}"""


def query_uri(name: str) -> str:
    """The URI of a named query's text among the server's resources."""
    return f"kg://queries/{name}"


class ToolError(KgError):
    """A call an assistant can correct: a bad argument, an unknown resource, a query past the limits."""


class Backend:
    """The dist folder and its query workers, as the MCP server's tools use them."""

    def __init__(self, settings: Settings, site: Site | None = None):
        self.settings = settings
        self.site = site or load_site(settings.dist, settings.queries_dir)
        self.pool: Pool | None = None
        self._report = None
        self._report_lock = anyio.Lock()

    @asynccontextmanager
    async def running(self):
        """Start the query workers; stop them when the server ends."""
        config = {"path": str(self.site.files["kg.nt"].path), "base": self.site.base,
                  "allowed_services": sorted(self.settings.allowed_services),
                  "max_results": self.settings.max_results}
        self.pool = Pool(config, self.settings.workers, self.settings.timeout)
        await self.pool.start()
        try:
            yield self
        finally:
            await self.pool.close()

    async def call(self, op: str, *args, untrusted: bool = False):
        """A worker operation; its failures (time limit, row limit, bad query) as :class:`ToolError`."""
        try:
            return await self.pool.call(op, *args, untrusted=untrusted)
        except PoolError as exc:
            raise ToolError(exc.message, fix=exc.fix) from None

    # --- naming ---------------------------------------------------------------

    def iri_of(self, text: str) -> str:
        """The IRI an argument names: a full IRI, ``KIND/SLUG``, a prefixed name or a path of ``kg serve``."""
        text = text.strip()
        if text.startswith("/"):
            return self.site.urls.iri_of_path(text)
        try:
            return term_of(Param("iri", "iri", None, "an IRI, KIND/SLUG (e.g. measure/x) or a prefixed name"),
                           text, self.site.base).value
        except QueryError as exc:
            raise ToolError(exc.message, fix=exc.fix) from None

    def label(self, iri: str, found: dict | None = None) -> dict[str, str]:
        """The labels of ``iri`` from ``found`` (labels read from the store), else the ontology's."""
        return (found or {}).get(iri) or self.site.term_label(iri)

    def ref(self, iri: str, found: dict | None = None) -> dict:
        return {"iri": iri, "label": self.label(iri, found)}

    # --- citations ------------------------------------------------------------

    async def passages_of(self, iris) -> dict[str, list[dict]]:
        """The source passages each IRI is derived from (the first :data:`CITED_PASSAGES_LIMIT` IRIs)."""
        iris = list(dict.fromkeys(iris))[:CITED_PASSAGES_LIMIT]
        found: dict[str, list[dict]] = {}
        failed: list[ToolError] = []

        async def read(iri: str):
            try:
                reply = await self.call("sparql", PASSAGES_QUERY, None, "json",
                                        {"s": ox.NamedNode(iri), "derived": DERIVED_FROM})
            except ToolError as exc:  # raised once all reads are done, not as a group of errors
                failed.append(exc)
                return
            for b in json.loads(reply[2])["results"]["bindings"]:
                passage = {"iri": b["passage"]["value"], "section": b.get("section", {}).get("value"),
                           "label": {k: b[k]["value"] for k in ("ja", "en") if k in b}}
                if "written" in b:
                    passage["heading_as_written"] = b["written"]["value"]
                if passage not in found.setdefault(iri, []):
                    found[iri].append(passage)

        async with anyio.create_task_group() as group:
            for iri in iris:
                group.start_soon(read, iri)
        if failed:
            raise failed[0]
        return {iri: found[iri] for iri in iris if iri in found}

    async def cites(self, iris) -> dict:
        """``{"iris": […], "passages": […]}``: what an answer rests on, and where that comes from."""
        iris = list(dict.fromkeys(iris))
        by_resource = await self.passages_of(iris)
        passages: dict[str, dict] = {}
        for resource, found in by_resource.items():
            for p in found:
                passages.setdefault(p["iri"], dict(p, of=[]))["of"].append(resource)
        return {"iris": iris, "passages": list(passages.values())}

    # --- the tools --------------------------------------------------------------

    async def find(self, text: str, lang: str | None = None, limit: int = 10) -> dict:
        """Resources whose labels contain ``text`` (Japanese or English), best matches first."""
        found = await self.call("search", text, lang, 0, limit)
        items = [{"iri": i["iri"], "label": self.label(i["iri"], found["labels"]), "matched": i["matched"],
                  "types": [self.site.compact(t) for t in i["types"]]} for i in found["items"]]
        answer = {"total": found["total"], "items": items}
        return answer | {"cites": await self.cites(i["iri"] for i in items)}

    async def describe(self, resource: str) -> dict:
        """One resource: its facts with labels, the links to it, its source passages and their wording."""
        iri = self.iri_of(resource)
        data = await self.call("entity", [iri])
        if data is None:
            raise ToolError(f"no resource <{iri}> in this dataset",
                            fix="find it by label with the find tool, and pass the IRI it gives")
        labels = data["linked_labels"]

        def value(term) -> dict:
            kind, text, lang, datatype = (tuple(term) + (None, None))[:4]
            if kind == "uri":
                return self.ref(text, labels)
            if kind == "bnode":
                return {"facts": facts(data["bnodes"].get(text, {}))}
            out = {"text": text}
            if lang:
                out["lang"] = lang
            if datatype and not datatype.endswith(("#string", "#langString")):
                out["datatype"] = self.site.compact(datatype)
            return out

        def facts(props: dict) -> list[dict]:
            return [{"property": self.site.compact(p), "property_iri": p, "property_label": self.label(p),
                     "values": [value(v) for v in values]} for p, values in props.items()]

        links = [{"property": self.site.compact(p), "property_label": self.label(p), "count": len(subjects),
                  "from": [self.ref(s, labels) for s in subjects[:LINKS_SHOWN]]}
                 for p, subjects in data["incoming"].items()]
        quotes = [{"property": self.site.compact(p), "text": v[1]} for p in QUOTED
                  for v in data["props"].get(p, []) if v[0] == "literal" and v[2] in (None, "ja")]
        documents = {s["iri"]: s for s in data["sources"] if s["document"]}
        sources = [p | {"document": self.ref(d["document"], {d["document"]: d["document_labels"]})
                        if (d := documents.get(p["iri"])) else None}
                   for p in (await self.passages_of([iri])).get(iri, [])]
        cited = [iri] + [t[1] for values in data["props"].values() for t in values if t[0] == "uri"]
        cited += [s for subjects in data["incoming"].values() for s in subjects[:LINKS_SHOWN]]
        return {"iri": iri, "label": data["labels"], "types": [self.ref(t) for t in data["types"]],
                "facts": facts({p: v for p, v in data["props"].items() if p != RDF_TYPE}),
                "links_in": links, "links_in_total": data["incoming_total"],
                "sources": sources, "source_wording": quotes,
                "cites": {"iris": list(dict.fromkeys(cited)), "passages": sources}}

    async def named_query(self, name: str, params: dict) -> dict:
        """Run the named query ``name`` with ``params`` (name → value as text)."""
        query = self.site.queries.get(name)
        if query is None:
            raise ToolError(f"no query named `{name}`", fix=f"use one of: {', '.join(self.site.queries)}")
        try:
            bindings = bind_params(query, {k: str(v) for k, v in params.items()}, self.site.base)
        except QueryError as exc:
            raise ToolError(exc.message.replace("--param ", ""), fix=(exc.fix or "").replace("--param ", "")) from None
        answer = await self._run(query.text, bindings, untrusted=True)
        answer["cites"]["query"] = query_uri(name)  # the text it ran, a resource of this server
        return {"query": name, "title": query.title_en, "params": dict(params)} | answer

    async def sparql(self, text: str) -> dict:
        """Run a read-only SPARQL query within the server's time and row limits."""
        return await self._run(text, None, untrusted=True)

    async def _run(self, text: str, bindings, untrusted: bool) -> dict:
        try:
            form = query_form(text)
        except QueryError as exc:
            raise ToolError(exc.message, fix=exc.fix) from None
        if form in ("SELECT", "ASK"):
            reply = await self.call("sparql", text, None, "json", bindings, untrusted=untrusted)
            result = json.loads(reply[2])
            if "boolean" in result:
                return {"boolean": result["boolean"], "cites": await self.cites([])}
            names = result["head"]["vars"]
            rows = [{n: _plain(b[n], self.site.compact) for n in names if n in b} for b in result["results"]["bindings"]]
            iris = [b[n]["value"] for b in result["results"]["bindings"] for n in names
                    if n in b and b[n]["type"] == "uri"]
            return {"variables": names, "rows": rows, "cites": await self.cites(iris)}
        reply = await self.call("sparql", text, None, "nt", bindings, untrusted=untrusted)
        triples = list(ox.parse(reply[2], format=ox.RdfFormat.N_TRIPLES))
        iris = [t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)]
        iris += [t.object.value for t in triples if isinstance(t.object, ox.NamedNode)]
        turtle = serialize_graph(triples, "ttl", {k: str(v) for k, v in PREFIXES.items() if k != "id"})
        return {"triples": len(triples), "turtle": turtle.decode("utf-8"), "cites": await self.cites(iris)}

    async def validation(self, resource: str) -> dict:
        """The SHACL and identifier results about one resource, from the validation of the whole graph."""
        iri = self.iri_of(resource)
        if await self.call("entity", [iri]) is None:
            raise ToolError(f"no resource <{iri}> in this dataset",
                            fix="find it by label with the find tool, and pass the IRI it gives")
        report = await self.report()
        results = [{"severity": r.severity, "message": r.message,
                    "path": self.ref(str(r.path)) if r.path is not None else None,
                    "value": str(r.value) if r.value is not None else None,
                    "shape": str(r.shape) if r.shape is not None else None,
                    "constraint": self.site.compact(str(r.constraint))}
                   for r in report.results if str(r.focus) == iri]
        cites = await self.cites([iri])
        return {"iri": iri, "conforms": not any(r["severity"] == "Violation" for r in results),
                "results": results, "cites": cites}

    async def report(self):
        """The validation report of the served graph, made once (in a thread) on first use."""
        async with self._report_lock:
            if self._report is None:
                shapes = self.site.dist / "shapes.ttl"
                if not shapes.is_file():
                    raise ToolError(f"no shapes.ttl in {self.site.dist}",
                                    fix="serve a dist folder written by `kg build`, which includes the shapes")
                self._report = await anyio.to_thread.run_sync(_validate, self.site.files["kg.nt"].path,
                                                              shapes, self.site.ontology)
        return self._report


def _validate(data: Path, shapes: Path, ontology: Graph):
    from kg import fastvalidate

    return fastvalidate.validate(fastvalidate.load_files([data]), Graph().parse(shapes, format="turtle"),
                                 ontology, workers=1)


def _plain(term: dict, compact) -> dict | str:
    """A SPARQL JSON term as an assistant reads it: an IRI as ``{"iri": …}``, a literal as its text."""
    if term["type"] == "uri":
        return {"iri": term["value"]}
    if term["type"] == "literal" and ("xml:lang" in term or "datatype" in term):
        datatype = compact(term["datatype"]) if "datatype" in term else None
        return {k: v for k, v in (("text", term["value"]), ("lang", term.get("xml:lang")), ("datatype", datatype)) if v}
    return term["value"]
