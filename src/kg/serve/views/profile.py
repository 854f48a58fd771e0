"""A resource in a profile (W3C Content Negotiation by Profile): ``?_profile=`` or ``Accept-Profile``.

``?_profile=TOKEN`` (or the profile's URI) names one; ``?_profile=alt`` lists the profiles the
resource has a view in; ``Accept-Profile: <URI>`` negotiates among them. Answers say which
profile they follow with ``Content-Profile`` and ``Link: <URI>; rel="profile"``, and name the
others as ``Link`` alternates.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from kg import profiles
from kg.errors import KgError
from kg.serve import negotiation as neg
from kg.serve.pool import PoolError
from kg.serve.responses import cached_async, error

#: The formats a profile's view is offered in (views are data: no page).
OFFERS = ("ttl", "jsonld", "nt", "rdfxml")
#: The profile whose view the resource pages embed as JSON-LD, for search engines.
PAGE_PROFILE = "schema"


def asked(request: Request) -> bool:
    """Whether the request names a profile (``?_profile=`` or ``Accept-Profile``)."""
    return "_profile" in request.query_params or "accept-profile" in request.headers


def profile_links(path: str, current: profiles.Profile, available: list[profiles.Profile]) -> str:
    """``Link`` values: the profile followed, each other view, and the list of them all."""
    links = [f'<{current.uri}>; rel="profile"']
    links += [f'<{path}?_profile={p.token}>; rel="alternate"; type="text/turtle"; profile="{p.uri}"'
              for p in available if p is not current]
    links.append(f'<{path}?_profile={profiles.ALTERNATES}>; rel="alternate"; type="application/json"')
    return ", ".join(links)


def default_headers(path: str) -> dict[str, str]:
    """What every answer in the default profile says about profiles (without reading the store)."""
    own = profiles.profiles()[profiles.DEFAULT]
    return {"Content-Profile": f"<{own.uri}>", "Link": profile_links(path, own, [own])}


async def triples_of(request: Request, candidates: list[str]) -> tuple[str, list] | None:
    """The resource's IRI and triples (its blank nodes followed), or None if the store does not know it."""
    found = await request.app.state.pool.call("describe", candidates, "nt")
    if found is None:
        return None
    return found[0], list(ox.parse(found[1], format=ox.RdfFormat.N_TRIPLES))


async def resource(request: Request, path: str, candidates: list[str], ext_fmt: str | None) -> Response:
    """The resource in the profile asked for, or the list of its profiles."""
    site = request.app.state.site
    token = request.query_params.get("_profile")
    named = None
    if token and token != profiles.ALTERNATES:
        try:
            named = profiles.named(token)
        except KgError as exc:
            return error(request, 404, exc.message, f"{exc.fix}; or {profiles.ALTERNATES} for the list")
    fmt = ext_fmt or neg.negotiate(request.headers.get("accept"), OFFERS, "graph")
    if token != profiles.ALTERNATES and fmt not in OFFERS:
        return error(request, 406, "no acceptable format for this view",
                     "accept text/turtle, application/ld+json, application/n-triples or application/rdf+xml")

    async def make() -> Response:
        try:
            found = await triples_of(request, candidates)
        except PoolError as exc:
            return error(request, exc.status, exc.message, exc.fix)
        if found is None:
            return error(request, 404, f"no resource <{candidates[0]}> in this dataset",
                         "search by label at /search, or browse the classes from the home page")
        iri, triples = found
        available = profiles.available(triples, site.ontology)
        if token == profiles.ALTERNATES:
            body = {"resource": iri, "profiles": [
                {"token": p.token, "uri": p.uri, "title": p.title, "description": p.description,
                 "href": f"{path}?_profile={p.token}"} for p in available]}
            return Response(json.dumps(body, ensure_ascii=False, indent=1), media_type="application/json",
                            headers={"Link": profile_links(path, available[0], available)})
        chosen = named or profiles.from_accept_profile(request.headers.get("accept-profile"), available) \
            or available[0]
        if chosen not in available:
            return error(request, 406, f"<{iri}> has no view in the {chosen.title} profile",
                         f"its profiles: {', '.join(p.token for p in available)} (?_profile={profiles.ALTERNATES})")
        graph = profiles.to_graph(profiles.view(chosen, triples, site.ontology))
        headers = {"Content-Profile": f"<{chosen.uri}>", "Link": profile_links(path, chosen, available)}
        return Response(profiles.serialize(graph, fmt, chosen, site.base), headers=headers,
                        media_type=neg.media_type(fmt))

    response = await cached_async(request, f"{fmt}|{request.headers.get('accept-profile', '')}", make)
    if response.status_code == 200 or response.status_code == 304:
        response.headers["Vary"] = "Accept, Accept-Profile"
    return response


def page_jsonld(site, data: dict) -> Markup | None:
    """The schema.org view of a resource (as the page's data holds it) as JSON-LD to embed in its page:
    a data block, which no browser runs."""
    profile = profiles.profiles()[PAGE_PROFILE]
    triples = profiles.view(profile, _entity_triples(data), site.ontology)
    if not triples:
        return None
    text = profiles.serialize(profiles.to_graph(triples, prefixes=False), "jsonld", profile, site.base).decode("utf-8")
    # inside <script>, "</" would end the element: write the characters HTML treats specially as escapes
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _entity_triples(data: dict) -> list[ox.Triple]:
    """The triples of a resource's page data (``fetch.entity``): its own and its blank nodes'."""
    subject = ox.NamedNode(data["iri"])
    out = [ox.Triple(subject, ox.NamedNode(p), _term(v)) for p, values in data["props"].items() for v in values]
    for node, props in data["bnodes"].items():
        out += [ox.Triple(ox.BlankNode(node), ox.NamedNode(p), _term(v)) for p, values in props.items() for v in values]
    return out


def _term(value: tuple):
    kind, text = value[0], value[1]
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return ox.BlankNode(text)
    if value[2]:
        return ox.Literal(text, language=value[2])
    return ox.Literal(text, datatype=ox.NamedNode(value[3]))
