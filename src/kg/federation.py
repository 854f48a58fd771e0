"""Federation: SERVICE calls made by kg itself, to the endpoints the operator allows, for local and remote queries.

No store is trusted to call other endpoints: each ``SERVICE`` clause is evaluated here, only for
an endpoint allowed by ``--allow-service``, optionally redirected to a stand-in (``--service-map``),
with a timeout and a row limit, and as a bound join (the local values of the shared variables go
to the service). Its answer takes its place in the query as a ``VALUES`` block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import KgError, QueryError
from kg.query import check_query, run, service_not_allowed
from kg.remote import Endpoint, RemoteError, check_url, sparql_request
from kg.sparql import (ServiceCall, prologue, service_calls, values_block, variables, with_bindings,
                       without_filters)


@dataclass(frozen=True)
class Services:
    """The SERVICE endpoints a query may call, stand-ins for them, and the limits of each call."""

    allowed: frozenset[str] = frozenset()
    mapping: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 60.0
    max_rows: int = 100_000
    chunk: int = 200


def parse_service_map(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``FROM=TO`` items as a mapping, both sides checked as http(s) URLs."""
    mapping = {}
    for item in items:
        source, sep, target = item.partition("=")
        if not sep:
            raise KgError(f"`{item}` is not FROM=TO", fix="write --service-map PRODUCTION_URL=STAND_IN_URL")
        mapping[check_url(source, "--service-map")] = check_url(target, "--service-map")
    return mapping


def query_remote(ep: Endpoint, text: str, bindings: Mapping[str, ox.Term] | None = None, *,
                 graph: str | None = None, services: Services = Services()):
    """Run a query on a remote store (``graph`` as its default graph), like :func:`kg.query.run` locally."""
    check_query(text, services.allowed)
    bound = with_bindings(text, bindings or {})
    if service_calls(bound):
        bound = resolve_services(bound, lambda t: sparql_request(ep, t, graph=graph), services)
    return sparql_request(ep, bound, graph=graph)


def query_local(store: ox.Store, text: str, bindings: Mapping[str, ox.Term] | None = None, *,
                services: Services = Services()):
    """Run a query on the local store, calling the SERVICE endpoints the operator allows."""
    check_query(text, services.allowed)
    if not service_calls(text):
        return run(store, text, dict(bindings or {}))
    bound = with_bindings(text, bindings or {})
    return run(store, resolve_services(bound, lambda t: run(store, t), services))


def resolve_services(text: str, execute: Callable[[str], object], services: Services) -> str:
    """``text`` with each SERVICE call replaced by a VALUES block of what the (allowed) endpoint answered.

    A call that is a member of the WHERE group (or of an OPTIONAL or MINUS that is) is a bound join:
    the distinct values that the group's earlier patterns give the variables it shares with the
    call go along with it. The group's FILTERs are left out of that probe, so it can find more
    values than the query keeps, never fewer; elsewhere the call is evaluated on its own.
    """
    while calls := service_calls(text):
        call = calls[0]
        if call.iri not in services.allowed:
            raise service_not_allowed(call.iri)  # checked again: this is the call that goes out
        if service_calls(call.pattern):
            raise QueryError("a SERVICE inside a SERVICE is not supported", fix="call each endpoint at the top level")
        url = services.mapping.get(call.iri, call.iri)
        declarations = prologue(text)
        shared, probe = [], None
        if call.left is not None:
            left = without_filters(call.left)
            in_left = set(variables(left))
            shared = [v for v in variables(call.pattern) if v in in_left]
            if shared:
                result = execute(f"{declarations}SELECT DISTINCT {' '.join('?' + v for v in shared)} WHERE {{{left}}}")
                probe = [{v: s[v] for v in shared} for s in result
                         if not any(isinstance(s[v], ox.BlankNode) for v in shared)]
        try:
            names, rows = _call_service(url, declarations, call, shared, probe, services)
        except (RemoteError, QueryError):
            if not call.silent:
                raise
            names, rows = [], [{}]  # SILENT: a failed call joins as one empty solution
        text = text[:call.start] + values_block(names, rows) + text[call.end:]
    return text


def _call_service(url: str, declarations: str, call: ServiceCall, shared: list[str], probe: list[dict] | None,
                  services: Services) -> tuple[list[str], list[dict]]:
    if probe is not None and not probe:
        return variables(call.pattern), []  # nothing on the local side to join with
    ep = Endpoint(url, url, timeout=services.timeout)
    chunks = [probe[i:i + services.chunk] for i in range(0, len(probe), services.chunk)] if probe else [None]
    names: list[str] = []
    rows: dict[tuple, dict] = {}
    for chunk in chunks:
        head = f"{values_block(shared, chunk)}\n" if chunk else ""
        text = f"{declarations}SELECT * WHERE {{ {head}{call.pattern} }} LIMIT {services.max_rows + 1}"
        try:
            result = sparql_request(ep, text)
        except RemoteError as exc:
            raise RemoteError(f"SERVICE <{call.iri}>: {exc.message}", fix=exc.fix) from None
        names += [v.value for v in result.variables if v.value not in names]
        for solution in result:
            row = {v.value: solution[v] for v in result.variables if solution[v] is not None}
            for name, term in row.items():
                if isinstance(term, ox.BlankNode):
                    raise QueryError(f"SERVICE <{call.iri}> answered a blank node for ?{name}",
                                     fix="select IRIs or literals from the service")
            rows.setdefault(tuple(sorted((k, str(t)) for k, t in row.items())), row)
            if len(rows) > services.max_rows:
                raise QueryError(f"SERVICE <{call.iri}> answered more than {services.max_rows} rows",
                                 fix="make the SERVICE pattern more selective")
    return names, list(rows.values())
