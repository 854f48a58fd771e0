"""Remote SPARQL 1.1 stores: push and pull a named graph, run queries there, federate by SERVICE.

Push replaces a named graph with no partial result: the data goes in batches to a staging graph
(Graph Store Protocol PUT then POST, or SPARQL Update ``INSERT DATA`` where no Graph Store is
offered), is counted there, and only then takes the target's place in one DELETE/INSERT operation
that removes what is gone and adds what is new (one transaction, like ``MOVE``, but touching only
the changes; COPY into an empty graph). A failure drops the staging graph and leaves the target
as it was. Blank nodes travel as skolem IRIs under ``{base}genid/`` (so that batches and retries
cannot split or duplicate them) and come back as blank nodes on pull.

Queries go through SPARQLWrapper. Parameters are bound by a ``VALUES`` block written from RDF
terms, since the protocol has no binding of its own. ``SERVICE`` clauses are evaluated here, not
by the store: only for endpoints the operator allows, optionally redirected to a stand-in, with a
timeout, and as a bound join (the local values of the shared variables go to the service).
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import math
import random
import re
import secrets
import struct
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import EXIT_VIOLATIONS, KgError, Location, QueryError
from kg.namespaces import DEFAULT_BASE, PREFIXES
from kg.query import check_query, run

#: Exit code of a remote store that cannot be reached, refuses a request or fails.
EXIT_REMOTE = 3
USER_AGENT = "kg (SPARQL 1.1 client)"
XSD = "http://www.w3.org/2001/XMLSchema#"


class RemoteError(KgError):
    """A remote store cannot be reached, refuses the request or answers with an error (exit 3)."""

    exit_code = EXIT_REMOTE

    def __init__(self, message: str, where: Location | None = None, fix: str | None = None,
                 status: int | None = None):
        super().__init__(message, where, fix)
        self.status = status  # the HTTP status the store answered, if it answered


class RoundTripError(KgError):
    """What came back from a store differs from what was sent (exit 1); ``diff`` lists it."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, diff: RoundTrip):
        super().__init__(f"the graph did not come back as it was sent: {diff.summary()}",
                         fix="see the differences listed above; push with --method gsp where the store rewrote "
                             "values through SPARQL Update")
        self.diff = diff


# --- endpoints ----------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    """Where a store answers queries, updates and Graph Store requests, and how to log in."""

    query: str
    update: str
    gsp: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "digest"
    timeout: float = 60.0


#: Known layouts: the path of a store's query endpoint → its update and Graph Store paths.
LAYOUTS: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"^/sparql/?$"), "/sparql", "/sparql-graph-crud"),                     # Virtuoso
    (re.compile(r"^/sparql-auth/?$"), "/sparql-auth", "/sparql-graph-crud-auth"),      # Virtuoso, login
    (re.compile(r"^/query/?$"), "/update", "/store"),                                  # Oxigraph server
    (re.compile(r"^(/[^/]+)/(?:sparql|query)/?$"), r"\1/update", r"\1/data"),          # Fuseki dataset
)
AUTH_SCHEMES = ("digest", "basic")


def check_url(url: str, option: str = "--endpoint") -> str:
    """``url`` if it is an absolute http(s) URL without credentials, else a clear error."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        raise KgError(f"{option} `{url}` is not a valid URL: {exc}", fix="write e.g. http://127.0.0.1:8890/sparql")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"{option} `{url}` is not an http(s) URL", fix="write e.g. http://127.0.0.1:8890/sparql")
    if parts.username or parts.password:
        raise KgError(f"{option} holds credentials", fix=(
            "remove them from the URL (it is printed in messages); use --user and --password-env VAR"))
    if parts.fragment:
        raise KgError(f"{option} `{url}` has a fragment", fix="remove the `#…` part")
    return url


def endpoint(url: str, *, update: str | None = None, gsp: str | None = None, user: str | None = None,
             password: str | None = None, auth: str = "digest", timeout: float = 60.0) -> Endpoint:
    """An :class:`Endpoint` from a query URL; update and Graph Store URLs follow a known layout if not given."""
    check_url(url)
    if auth not in AUTH_SCHEMES:
        raise KgError(f"unknown authentication scheme `{auth}`", fix=f"use one of: {', '.join(AUTH_SCHEMES)}")
    if timeout <= 0:
        raise KgError("the timeout must be positive", fix="give --timeout SECONDS, e.g. 60")
    parts = urlsplit(url)
    derived_update, derived_gsp = url, None
    for pattern, update_path, gsp_path in LAYOUTS:
        if pattern.match(parts.path):
            derived_update = parts._replace(path=pattern.sub(update_path, parts.path), query="").geturl()
            derived_gsp = parts._replace(path=pattern.sub(gsp_path, parts.path), query="").geturl()
            break
    return Endpoint(url, check_url(update, "--update-endpoint") if update else derived_update,
                    check_url(gsp, "--gsp-endpoint") if gsp else derived_gsp,
                    user, password, auth, timeout)


def graph_iri(value: str) -> str:
    """``value`` if it is an absolute IRI that can name a graph."""
    try:
        return ox.NamedNode(value).value
    except ValueError as exc:
        raise KgError(f"`{value}` is not an absolute IRI: {exc}", fix="give --graph as a full IRI, "
                      "e.g. https://w3id.org/lgdx/id/dataset/kg") from None


# --- HTTP: retries and errors ---------------------------------------------------

@dataclass(frozen=True)
class Retry:
    """How often to try a request that failed for a passing reason, and how long to wait between."""

    attempts: int = 5
    backoff: float = 0.5
    cap: float = 8.0

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.cap)
        return min(self.backoff * 2 ** (attempt - 1), self.cap) * random.uniform(0.8, 1.2)


#: HTTP statuses and exceptions that pass: the request is tried again.
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
TRANSIENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ReadError,
                    httpx.WriteError, httpx.RemoteProtocolError)


def connect(ep: Endpoint, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An HTTP client for ``ep``: its login, timeout and kept-alive connections."""
    auth = None
    if ep.user is not None:
        auth = (httpx.DigestAuth if ep.auth == "digest" else httpx.BasicAuth)(ep.user, ep.password or "")
    timeout = httpx.Timeout(ep.timeout, connect=min(ep.timeout, 10.0))
    return httpx.Client(auth=auth, timeout=timeout, transport=transport, headers={"User-Agent": USER_AGENT})


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def request(client: httpx.Client, method: str, url: str, *, what: str, retry: Retry = Retry(),
            sink: io.IOBase | None = None, **kwargs) -> httpx.Response:
    """Send a request, trying again on passing failures; a response that is not 2xx becomes an error.

    With ``sink``, the body is streamed into it (rewound on each try) instead of being kept.
    """
    for attempt in range(1, retry.attempts + 1):
        try:
            if sink is None:
                response = client.request(method, url, **kwargs)
            else:
                with client.stream(method, url, **kwargs) as response:
                    if response.is_success:
                        sink.seek(0)
                        sink.truncate()
                        for chunk in response.iter_bytes(1 << 20):
                            sink.write(chunk)
                    else:
                        response.read()
        except TRANSIENT_ERRORS as exc:
            if attempt == retry.attempts:
                raise RemoteError(f"{what}: cannot reach {origin(url)}: {_reason(exc)}", fix=(
                    "check that the store is running and the URL is right; "
                    f"tried {retry.attempts} time(s)")) from None
            time.sleep(retry.wait(attempt))
            continue
        except httpx.TimeoutException:
            raise RemoteError(f"{what}: {origin(url)} did not answer within {client.timeout.read} s",
                              fix="raise --timeout, or use smaller batches (--batch-size)") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"{what}: {origin(url)}: {_reason(exc)}") from None
        if response.status_code in TRANSIENT_STATUS and attempt < retry.attempts:
            time.sleep(retry.wait(attempt, response.headers.get("Retry-After")))
            continue
        return check_response(response, what)
    raise AssertionError("unreachable")  # pragma: no cover


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def check_response(response: httpx.Response, what: str) -> httpx.Response:
    """``response`` if it succeeded, else a :class:`RemoteError` with the server's own message."""
    if response.is_success:
        return response
    status, where = response.status_code, origin(str(response.request.url))
    message = server_message(response.content, response.headers.get("Content-Type", ""))
    detail = f": {message}" if message else ""
    if status == 401:
        raise RemoteError(f"{what}: {where} refused the login (HTTP 401)", fix=(
            "check --user and the password in the variable named by --password-env; "
            "Virtuoso's -auth endpoints take HTTP Digest (--auth digest)"), status=status)
    if status == 403:
        raise RemoteError(f"{what}: {where} does not allow this (HTTP 403){detail}", status=status,
                          fix="the account needs the right to update graphs (on Virtuoso: SPARQL_UPDATE)")
    if status == 404:
        raise RemoteError(f"{what}: nothing at {where} (HTTP 404){detail}",
                          fix="check the URL; give --gsp-endpoint / --update-endpoint if the store's layout differs",
                          status=status)
    if status < 500:
        raise RemoteError(f"{what}: {where} rejected the request (HTTP {status}){detail}", status=status)
    raise RemoteError(f"{what}: {where} failed (HTTP {status}){detail}",
                      fix="see the store's log; try again later if it is overloaded", status=status)


def server_message(body: bytes, content_type: str = "", limit: int = 400) -> str:
    """The first lines of an error body, as text, without HTML or the query the store echoes back."""
    text = body[:20000].decode("utf-8", errors="replace")
    if "html" in content_type or text.lstrip().startswith("<"):
        text = re.sub(r"<[^>]+>", " ", text)
    lines = []
    for line in text.splitlines():
        if re.match(r"^\s*SPARQL (query|request):", line):
            break  # Virtuoso repeats the whole request (data included) after this line
        if line.strip():
            lines.append(" ".join(line.split()))
    message = " / ".join(lines[:4])
    return message if len(message) <= limit else message[:limit] + "…"


# --- graphs as N-Triples lines ----------------------------------------------------

@dataclass
class NTriples:
    """A graph as distinct N-Triples lines (bytes, newline-terminated) in the order read.

    Lines rather than a store: a store rewrites lexical forms (``1.50`` → ``1.5``), and what is
    sent or received must stay exactly as it was to be compared.
    """

    lines: list[bytes]

    def __len__(self) -> int:
        return len(self.lines)

    def triples(self) -> Iterator[ox.Triple]:
        return ox.parse(b"".join(self.lines), format=ox.RdfFormat.N_TRIPLES)

    def serialize(self, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes:
        if fmt == ox.RdfFormat.N_TRIPLES:
            return b"".join(self.lines)
        kwargs = {"prefixes": {k: str(v) for k, v in PREFIXES.items()}} if fmt == ox.RdfFormat.TURTLE else {}
        return ox.serialize(self.triples(), format=fmt, **kwargs)

    @classmethod
    def of(cls, triples) -> NTriples:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return cls(list(dict.fromkeys(data.splitlines(keepends=True))))


def parse_graph(source, fmt: ox.RdfFormat, base: str = DEFAULT_BASE, *, skolem: bool) -> NTriples:
    """Triples from a file path or bytes, blank nodes skolemised (``skolem``) or restored from skolem IRIs."""
    prefix = genid(base)
    kwargs = {"path": str(source)} if isinstance(source, Path) else {"input": source}
    parsed = ox.parse(format=fmt, **kwargs)
    return NTriples.of(_skolemized(parsed, prefix) if skolem else _deskolemized(parsed, prefix))


def read_graph(path: Path, base: str = DEFAULT_BASE, *, skolem: bool = False) -> NTriples:
    """The triples of an RDF file (format by extension), duplicates merged."""
    try:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    except ValueError:
        fmt = None
    if fmt is None or fmt.supports_datasets:
        raise KgError(f"cannot read `{path.suffix}` as a graph", Location(str(path)),
                      "give a triples file: .nt, .ttl, .jsonld or .rdf (e.g. dist/kg.nt)")
    try:
        return parse_graph(path, fmt, base, skolem=skolem)
    except SyntaxError as exc:
        raise KgError(f"cannot parse: {exc}", Location(str(path)), "check the file, e.g. with `rapper -c`") from None
    except OSError as exc:
        raise KgError(f"cannot read: {exc}", Location(str(path))) from None


def genid(base: str = DEFAULT_BASE) -> str:
    """The prefix of the skolem IRIs that stand for blank nodes in a store."""
    return f"{base}genid/"


def skolemize(graph: NTriples, base: str = DEFAULT_BASE) -> NTriples:
    """``graph`` with each blank node replaced by a skolem IRI under ``{base}genid/``."""
    return NTriples.of(_skolemized(graph.triples(), genid(base)))


def deskolemize(graph: NTriples, base: str = DEFAULT_BASE) -> NTriples:
    """``graph`` with the skolem IRIs of :func:`skolemize` turned back into blank nodes."""
    return NTriples.of(_deskolemized(graph.triples(), genid(base)))


def _skolemized(triples, prefix: str) -> Iterator[ox.Triple]:
    def sk(term):
        return ox.NamedNode(prefix + term.value) if type(term) is ox.BlankNode else term

    for t in triples:
        if type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode:
            yield ox.Triple(sk(t.subject), t.predicate, sk(t.object))
        else:
            yield t


def _deskolemized(triples, prefix: str) -> Iterator[ox.Triple]:
    labels: dict[str, ox.BlankNode] = {}

    def skolem(term) -> bool:
        return type(term) is ox.NamedNode and term.value.startswith(prefix)

    def bn(term):
        if not skolem(term):
            return term
        label = term.value[len(prefix):]
        if label not in labels:
            ok = re.fullmatch(r"[A-Za-z0-9_](?:[\w.-]*[\w-])?", label)
            labels[label] = ox.BlankNode(label) if ok else ox.BlankNode()
        return labels[label]

    for t in triples:
        if skolem(t.subject) or skolem(t.object):
            yield ox.Triple(bn(t.subject), t.predicate, bn(t.object))
        else:
            yield t


def batches(graph: NTriples, size: int) -> Iterator[tuple[int, bytes]]:
    """``graph`` as N-Triples, ``size`` triples (lines) at a time."""
    for i in range(0, len(graph.lines), size):
        chunk = graph.lines[i:i + size]
        yield len(chunk), b"".join(chunk)


# --- push -------------------------------------------------------------------------

METHODS = ("gsp", "update")
#: Triples per request: on Virtuoso 20,000 is the fastest Graph Store batch, and it refuses updates of
#: more than about 1,000 triples.
BATCH_SIZE = {"gsp": 20_000, "update": 500}


@dataclass(frozen=True)
class PushResult:
    """What a push did."""

    graph: str
    triples: int
    batches: int
    seconds: float
    method: str
    warning: str | None = None
    phases: dict[str, float] = field(default_factory=dict)  # seconds: send, check, swap, clean


def push(ep: Endpoint, graph: str, data: Path | NTriples, *, method: str = "gsp", batch_size: int | None = None,
         base: str = DEFAULT_BASE, progress: Callable[[int], None] | None = None, retry: Retry = Retry(),
         client: httpx.Client | None = None) -> PushResult:
    """Replace the named graph ``graph`` of the store with ``data``, completely or not at all."""
    graph = graph_iri(graph)
    if method not in METHODS:
        raise KgError(f"unknown push method `{method}`", fix=f"use one of: {', '.join(METHODS)}")
    if method == "gsp" and not ep.gsp:
        raise KgError(f"no Graph Store endpoint is known for {ep.query}", fix=(
            "give --gsp-endpoint URL, or push by SPARQL Update with --method update"))
    triples = data if isinstance(data, NTriples) else read_graph(data, base, skolem=True)
    total, size = len(triples), batch_size or BATCH_SIZE[method]
    if size < 1:
        raise KgError("the batch size must be at least 1", fix="give --batch-size N")
    staging = f"{graph}-staging-{secrets.token_hex(6)}"
    own = client is None
    client = client or connect(ep)
    started, sent, server = time.perf_counter(), 0, ""
    try:
        if total == 0:
            update(client, ep, f"DROP SILENT GRAPH <{graph}>", what="emptying the graph", retry=retry)
            return PushResult(graph, 0, 0, time.perf_counter() - started, method)
        try:
            number = 0
            for number, (count_, body) in enumerate(batches(triples, size), 1):
                what = f"sending batch {number} (triples {sent + 1}-{sent + count_})"
                if method == "gsp":
                    response = request(client, "PUT" if number == 1 else "POST", ep.gsp, what=what, retry=retry,
                                       params={"graph": staging}, content=body,
                                       headers={"Content-Type": "application/n-triples; charset=utf-8"})
                else:
                    text = f"INSERT DATA {{ GRAPH <{staging}> {{\n{body.decode('utf-8')}}} }}"
                    response = update(client, ep, text, what=what, retry=retry)
                server = server or response.headers.get("Server", "")
                sent += count_
                if progress:
                    progress(count_)
            phases = {"send": time.perf_counter() - started}
            held = _check_staging(client, ep, staging, triples, retry)
            phases["check"] = time.perf_counter() - started - sum(phases.values())
            _swap(client, ep, staging, graph, held)
            phases["swap"] = time.perf_counter() - started - sum(phases.values())
        except BaseException as exc:
            refused = isinstance(exc, RemoteError) and exc.status in (401, 403)
            note = None if refused and not sent else _drop_staging(client, ep, staging, server)
            if note and isinstance(exc, KgError):
                exc.fix = f"{exc.fix}; {note}" if exc.fix else note
            raise
        note = _drop_staging(client, ep, staging, server)
        phases["clean"] = time.perf_counter() - started - sum(phases.values())
        return PushResult(graph, total, number, time.perf_counter() - started, method, note, phases)
    finally:
        if own:
            client.close()


def update(client: httpx.Client, ep: Endpoint, text: str, *, what: str, retry: Retry = Retry(),
           **kwargs) -> httpx.Response:
    """Run a SPARQL Update request (form-encoded POST: every store takes it)."""
    return request(client, "POST", ep.update, what=what, retry=retry, data={"update": text},
            headers={"Accept": "application/sparql-results+json, */*;q=0.5"}, **kwargs)


def count(client: httpx.Client, ep: Endpoint, graph: str, retry: Retry = Retry()) -> int:
    """The number of triples in the named graph ``graph`` of the store."""
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = request(client, "POST", ep.query, what=f"counting the triples of <{graph}>", retry=retry,
                       data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    try:
        bindings = response.json()["results"]["bindings"]
        return int(next(iter(bindings[0].values()))["value"]) if bindings else 0
    except (ValueError, KeyError, IndexError, StopIteration, TypeError):
        raise RemoteError(f"counting the triples of <{graph}>: the answer is not SPARQL JSON results: "
                          f"{server_message(response.content)}") from None


def _check_staging(client, ep, staging, sent: NTriples, retry) -> int:
    held = count(client, ep, staging, retry)
    if held == len(sent):
        return held
    if held < len(sent) and held == canonical_count(sent):
        return held  # the store merged literals of equal value (1.50 and 1.5): nothing was lost
    raise RemoteError(f"the staging graph holds {held} triples, {len(sent)} were sent", fix=(
        "nothing was replaced; `kg pull --check FILE` on a test graph lists what the store changes"))


#: How long the store may take to turn the target into the staging graph.
SWAP_TIMEOUT = 900.0
#: One operation (so one transaction) that makes TARGET hold what STAGING holds: it deletes what
#: is gone and inserts what is new. Republishing a graph mostly changes little, so this touches
#: far fewer triples than COPY or MOVE (on Virtuoso: 2.4 s instead of 20 s for an unchanged 1M).
SWAP = """DELETE {{ GRAPH <{target}> {{ ?gone_s ?gone_p ?gone_o }} }}
INSERT {{ GRAPH <{target}> {{ ?new_s ?new_p ?new_o }} }}
WHERE {{
  {{ GRAPH <{target}> {{ ?gone_s ?gone_p ?gone_o }}
    FILTER NOT EXISTS {{ GRAPH <{staging}> {{ ?gone_s ?gone_p ?gone_o }} }} }}
  UNION
  {{ GRAPH <{staging}> {{ ?new_s ?new_p ?new_o }}
    FILTER NOT EXISTS {{ GRAPH <{target}> {{ ?new_s ?new_p ?new_o }} }} }}
}}"""


def _swap(client, ep, staging, graph, held) -> None:
    # Into an empty graph COPY is the faster way (on Virtuoso 4.5 s against 34 s for 1M new triples).
    text = f"COPY <{staging}> TO <{graph}>" if count(client, ep, graph) == 0 else \
        SWAP.format(target=graph, staging=staging)
    try:
        update(client, ep, text, what="replacing the graph", retry=Retry(attempts=1),
               timeout=max(ep.timeout, SWAP_TIMEOUT))
    except RemoteError as exc:
        if re.search(r"SR325|after image", exc.message):
            exc.fix = ("the store could not hold the change in one transaction; "
                       "Virtuoso: raise TransactionAfterImageLimit in the [Parameters] section")
        raise
    now = count(client, ep, graph)
    if now != held:
        raise RemoteError(f"after the replacement <{graph}> holds {now} triples, not {held}",
                          fix="someone else may be writing to the graph; push again")


#: What makes a store drop a graph faster where one transaction is not needed (the staging graph),
#: by the product in its Server header: Virtuoso then commits row by row (4-5 times faster).
FAST_DROP = {"Virtuoso": "DEFINE sql:log-enable 3 "}


def _drop_staging(client, ep, staging, server: str = "") -> str | None:
    prefix = FAST_DROP.get(server.split("/")[0].strip(), "")
    try:
        update(client, ep, f"{prefix}DROP SILENT GRAPH <{staging}>", what="dropping the staging graph",
               retry=Retry(attempts=2, backoff=0.2), timeout=max(ep.timeout, SWAP_TIMEOUT))
        return None
    except (RemoteError, httpx.HTTPError):
        return f"the staging graph <{staging}> may remain: drop it with `DROP SILENT GRAPH <{staging}>`"


# --- pull -------------------------------------------------------------------------

PULL_METHODS = ("auto", "gsp", "construct")
RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5, application/rdf+xml;q=0.3"


def pull(ep: Endpoint, graph: str, *, method: str = "auto", base: str = DEFAULT_BASE, retry: Retry = Retry(),
         client: httpx.Client | None = None) -> NTriples:
    """The named graph ``graph`` of the store, read back in full (checked against its count)."""
    graph = graph_iri(graph)
    if method not in PULL_METHODS:
        raise KgError(f"unknown pull method `{method}`", fix=f"use one of: {', '.join(PULL_METHODS)}")
    if method == "auto":
        method = "gsp" if ep.gsp else "construct"
    if method == "gsp" and not ep.gsp:
        raise KgError(f"no Graph Store endpoint is known for {ep.query}",
                      fix="give --gsp-endpoint URL, or read through the query endpoint with --method construct")
    own = client is None
    client = client or connect(ep)
    try:
        with tempfile.TemporaryFile() as body:
            what = f"reading <{graph}>"
            if method == "gsp":
                try:
                    response = request(client, "GET", ep.gsp, what=what, retry=retry, sink=body,
                                       params={"graph": graph}, headers={"Accept": RDF_ACCEPT})
                except RemoteError as exc:
                    if exc.status == 404 and count(client, ep, graph, retry) == 0:  # the Graph Store's "no such graph"
                        raise RemoteError(f"{what}: the store holds no graph <{graph}>",
                                          fix="check --graph; `kg push` writes the graph") from None
                    raise
            else:
                text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
                response = request(client, "POST", ep.query, what=what, retry=retry, sink=body,
                                   data={"query": text}, headers={"Accept": RDF_ACCEPT})
            fmt = _rdf_format(response.headers.get("Content-Type", ""), what)
            body.seek(0)
            try:
                received = parse_graph(body.read(), fmt, base, skolem=False)
            except SyntaxError as exc:
                raise RemoteError(f"{what}: the store sent {fmt.name} that cannot be parsed: {exc}") from None
        expected = count(client, ep, graph, retry)
    finally:
        if own:
            client.close()
    if len(received) < expected:
        raise RemoteError(f"{what}: the store sent {len(received)} of the {expected} triples it holds", fix=(
            "the store cut the answer short (Virtuoso: raise ResultSetMaxRows in the [SPARQL] section)"))
    return received


def _rdf_format(content_type: str, what: str) -> ox.RdfFormat:
    media = content_type.split(";")[0].strip().lower()
    try:
        fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
    except ValueError:
        fmt = None
    if fmt is None or fmt.supports_datasets:
        raise RemoteError(f"{what}: the store answered `{content_type}`, not an RDF graph format")
    return fmt


# --- round trip: what came back against what was sent ------------------------------

INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
    "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def canonical(term) -> str:
    """A term's text with equal values written alike: numbers in canonical form, language tags lower case."""
    if not isinstance(term, ox.Literal):
        return str(term)
    if term.language:
        return str(ox.Literal(term.value, language=term.language.lower()))
    datatype, value = term.datatype.value, term.value.strip()
    try:
        if datatype in INTEGER_TYPES:
            value = str(int(value))
        elif datatype == XSD + "decimal":
            number = Decimal(value)
            value = format(number.normalize(), "f") if number else "0"
        elif datatype == XSD + "double":
            value = repr(float(value))
        elif datatype == XSD + "float":
            value = repr(struct.unpack("f", struct.pack("f", float(value)))[0])
        elif datatype == XSD + "boolean":
            value = {"1": "true", "0": "false"}.get(value, value)
        else:
            return str(term)
    except (ValueError, InvalidOperation, OverflowError):
        return str(term)
    return str(ox.Literal(value, datatype=term.datatype))


def canonical_count(graph: NTriples) -> int:
    """The number of distinct triples of ``graph`` once equal values are written alike."""
    return len({_digest(f"{t.subject} {t.predicate} {canonical(t.object)}") for t in graph.triples()})


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _bnode_labels(graph: NTriples, rounds: int | None = None) -> tuple[dict[str, str], int]:
    """A label for each blank node from its surroundings, and the rounds of refinement that took.

    Colour refinement: each round a node's label is the hash of its label and its triples with
    their neighbours' labels. Two graphs refined for the same number of rounds give the same
    label to nodes whose surroundings within that many steps are alike.
    """
    lines = [line for line in graph.lines if b"_:" in line]
    rows = [(t.subject, t.predicate, t.object) for t in NTriples(lines).triples()
            if type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode]
    colour = {t.value: "" for row in rows for t in (row[0], row[2]) if type(t) is ox.BlankNode}
    classes, done = 1, 0
    while colour and (done < rounds if rounds is not None else done <= len(colour)):
        signature = defaultdict(list)
        for s, p, o in rows:
            key_s = "_:" + colour[s.value] if type(s) is ox.BlankNode else str(s)
            key_o = "_:" + colour[o.value] if type(o) is ox.BlankNode else canonical(o)
            if type(s) is ox.BlankNode:
                signature[s.value].append(f"> {p} {key_o}")
            if type(o) is ox.BlankNode:
                signature[o.value].append(f"< {key_s} {p}")
        colour = {b: _digest(colour[b] + "|" + "\n".join(sorted(signature[b]))).hex() for b in colour}
        done += 1
        now = len(set(colour.values()))
        if rounds is None and now == classes:
            break  # no class split: the partition is stable
        classes = now
    return colour, done


@dataclass
class RoundTrip:
    """The differences between a graph sent and the graph that came back."""

    sent: int
    received: int
    missing: list[str] = field(default_factory=list)      # sent, not back (examples)
    extra: list[str] = field(default_factory=list)        # back, never sent (examples)
    rewritten: list[tuple[str, str]] = field(default_factory=list)  # same value, other form (examples)
    missing_count: int = 0
    extra_count: int = 0
    rewritten_count: int = 0

    @property
    def ok(self) -> bool:
        return self.missing_count == 0 and self.extra_count == 0

    def summary(self) -> str:
        return (f"{self.sent} sent, {self.received} back: {self.missing_count} missing, {self.extra_count} "
                f"unexpected, {self.rewritten_count} in another form of the same value")

    def text(self) -> str:
        """The differences for people, one triple a line."""
        out = [("round trip: same graph" if self.ok else "round trip: DIFFERENT") + f" ({self.summary()})"]
        for title, items, total in (("missing (sent, not back)", self.missing, self.missing_count),
                                    ("unexpected (back, not sent)", self.extra, self.extra_count)):
            if total:
                out.append(f"{title}: {total}")
                out += [f"  {line}" for line in items]
                if total > len(items):
                    out.append(f"  … and {total - len(items)} more")
        if self.rewritten_count:
            out.append(f"rewritten by the store, value kept: {self.rewritten_count}")
            out += [f"  {a}\n    → {b}" for a, b in self.rewritten]
            if self.rewritten_count > len(self.rewritten):
                out.append(f"  … and {self.rewritten_count - len(self.rewritten)} more")
        return "\n".join(out) + "\n"


def _relabelled(graph: NTriples, labels: dict[str, str]) -> list[bytes]:
    """The lines of ``graph`` with each blank node named by ``labels`` (see :func:`_bnode_labels`)."""
    if not labels:
        return graph.lines
    nodes = {label: ox.BlankNode(colour) for label, colour in labels.items()}

    def relabel(term):
        return nodes[term.value] if type(term) is ox.BlankNode else term

    out = []
    for line in graph.lines:
        if b"_:" in line:
            t = next(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
            line = ox.serialize([ox.Triple(relabel(t.subject), t.predicate, relabel(t.object))],
                                format=ox.RdfFormat.N_TRIPLES)
        out.append(line)
    return out


def _canonical_lines(lines: list[bytes]) -> dict[str, str]:
    """Canonical N-Triples (see :func:`canonical`) → the line as it was, for ``lines``."""
    triples = NTriples(lines).triples()
    return {f"{t.subject} {t.predicate} {canonical(t.object)} .": line.decode("utf-8").rstrip("\n")
            for line, t in zip(lines, triples)}


def compare(sent: NTriples, received: NTriples, limit: int = 20) -> RoundTrip:
    """Every difference between two graphs: blank nodes matched by their surroundings, values compared canonically.

    Lines equal as written are matched as sets; only the rest is parsed and compared by value.
    """
    (sent_labels, sent_rounds), (got_labels, got_rounds) = _bnode_labels(sent), _bnode_labels(received)
    if sent_rounds < got_rounds:  # refine both alike, or equal surroundings get different labels
        sent_labels, _ = _bnode_labels(sent, got_rounds)
    elif got_rounds < sent_rounds:
        got_labels, _ = _bnode_labels(received, sent_rounds)
    sent_lines, got_lines = set(_relabelled(sent, sent_labels)), set(_relabelled(received, got_labels))
    sent_only, got_only = sorted(sent_lines - got_lines), sorted(got_lines - sent_lines)
    sent_canon, got_canon = _canonical_lines(sent_only), _canonical_lines(got_only)
    diff = RoundTrip(len(sent), len(received))
    for canon, line in sent_canon.items():
        if canon in got_canon:
            diff.rewritten_count += 1
            if len(diff.rewritten) < limit:
                diff.rewritten.append((line, got_canon[canon]))
        elif (canon + "\n").encode("utf-8") not in got_lines:  # the other form was also sent
            diff.missing_count += 1
            if len(diff.missing) < limit:
                diff.missing.append(line)
    for canon, line in got_canon.items():
        if canon not in sent_canon and (canon + "\n").encode("utf-8") not in sent_lines:
            diff.extra_count += 1
            if len(diff.extra) < limit:
                diff.extra.append(line)
    return diff


# --- SPARQL text: tokens, VALUES blocks, SERVICE calls -------------------------------

class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


_LEX = re.compile(r"""
   (?P<ws>\s+)
  |(?P<comment>\#[^\r\n]*)
  |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  |(?P<var>[?$]\w+)
  |(?P<word>[\w:](?:[\w\-.:%]*[\w\-:%])?)
  |(?P<punct>.)
""", re.X | re.S)
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
VAR_NAME = re.compile(r"^[A-Za-z_]\w*$")


def tokens(text: str) -> list[Token]:
    """The tokens of SPARQL ``text`` that matter (no blanks or comments), with their offsets."""
    return [Token(m.lastgroup, m.group(), m.start(), m.end()) for m in _LEX.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def _is(token: Token, *words: str) -> bool:
    return token.kind == "word" and token.text.upper() in words


def _is_punct(token: Token, char: str) -> bool:
    return token.kind == "punct" and token.text == char


def _matching(code: list[Token], i: int, open_: str = "{", close: str = "}") -> int:
    depth = 0
    for j in range(i, len(code)):
        if _is_punct(code[j], open_):
            depth += 1
        elif _is_punct(code[j], close):
            depth -= 1
            if depth == 0:
                return j
    raise QueryError(f"malformed query: `{open_}` at offset {code[i].start} is never closed",
                     fix="check the SPARQL syntax")


def _form_index(code: list[Token]) -> int:
    for i, token in enumerate(code):
        if _is(token, *FORMS):
            return i
        if _is(token, "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"):
            raise QueryError("this is an update, not a query", fix="kg query runs SELECT, ASK, CONSTRUCT and DESCRIBE")
    raise QueryError("malformed query: no SELECT, ASK, CONSTRUCT or DESCRIBE", fix="check the SPARQL syntax")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    code = tokens(text)
    return code[_form_index(code)].text.upper()


def _where_group(code: list[Token]) -> tuple[int, int] | None:
    """Indexes of the braces of the top-level WHERE group, or None (a DESCRIBE without one)."""
    form = _form_index(code)
    opens = [j for j in range(form, len(code)) if _is_punct(code[j], "{")]
    if not opens:
        return None
    i = opens[0]
    if _is(code[form], "CONSTRUCT") and not _is(code[i - 1], "WHERE"):
        after = _matching(code, i)  # that was the template; the pattern is the next group
        i = next((j for j in range(after + 1, len(code)) if _is_punct(code[j], "{")), None)
        if i is None:
            raise QueryError("malformed query: CONSTRUCT without a WHERE pattern", fix="check the SPARQL syntax")
    return i, _matching(code, i)


def sparql_term(term) -> str:
    """An RDF term as SPARQL text, escaped (IRIs are validated when made, literals escaped as in N-Triples)."""
    if term is None:
        return "UNDEF"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    raise QueryError(f"cannot send {term} in a VALUES block", fix="blank nodes and triple terms cannot be bound")


def values_block(names: list[str], rows: list[Mapping[str, object]]) -> str:
    """``VALUES (?a ?b) { (… …) … }`` from RDF terms, never from text."""
    for name in names:
        if not VAR_NAME.match(name):
            raise QueryError(f"`{name}` cannot be a SPARQL variable name")
    head = " ".join(f"?{n}" for n in names)
    body = " ".join("(" + " ".join(sparql_term(row.get(n)) for n in names) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def bind_values(text: str, bindings: Mapping[str, object]) -> str:
    """``text`` with ``bindings`` (name → RDF term) as a VALUES block opening its WHERE group.

    At the head of the group the values join before any OPTIONAL, FILTER or aggregate of that
    group sees the variables (a VALUES clause after the query would join after GROUP BY).
    """
    if not bindings:
        return text
    names = list(bindings)
    block = values_block(names, [bindings])
    code = tokens(text)
    group = _where_group(code)
    if group is None:
        return f"{text.rstrip()}\n{block}\n"
    open_, close = group
    at = code[open_].end
    if _is(code[open_ - 1], "WHERE") and _is(code[open_ - 2], "CONSTRUCT"):
        # the short form takes triples only: write its template out, then bind in the pattern
        pattern = text[at:code[close].start]
        where = code[open_ - 1].start
        return f"{text[:where]}{{{pattern}}} WHERE {{\n  {block}\n{pattern}}}{text[code[close].end:]}"
    if _is(code[open_ + 1], "SELECT"):  # the group is one sub-select: VALUES goes beside it
        end = code[close].start
        return f"{text[:at]} {block} {{{text[at:end]}}} {text[end:]}"
    return f"{text[:at]}\n  {block}\n{text[at:]}"


def _prologue_prefixes(code: list[Token]) -> dict[str, str]:
    found = {}
    for i, token in enumerate(code[:-2]):
        if _is(token, "PREFIX") and code[i + 1].kind == "word" and code[i + 2].kind == "iri":
            found[code[i + 1].text.rstrip(":")] = code[i + 2].text[1:-1]
    return found


def with_prefixes(text: str) -> str:
    """``text`` with PREFIX lines for the project's prefixes it uses without declaring (a store knows none)."""
    code = tokens(text)
    declared = _prologue_prefixes(code[:_form_index(code)])
    used = {t.text.split(":", 1)[0] for t in code if t.kind == "word" and ":" in t.text}
    lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in sorted(used - set(declared)) if p in PREFIXES]
    return "\n".join(lines + [text]) if lines else text


def variables(text: str) -> list[str]:
    """The variable names of ``text`` in order of first use."""
    return list(dict.fromkeys(t.text[1:] for t in tokens(text) if t.kind == "var"))


@dataclass(frozen=True)
class ServiceCall:
    """One ``SERVICE <iri> { … }`` of a query."""

    iri: str
    silent: bool
    start: int        # offset of the SERVICE keyword
    end: int          # offset after its closing brace
    pattern: str      # the text inside the braces
    left: str | None  # the WHERE group's text before the call (or the OPTIONAL or MINUS holding it)


def service_calls(text: str) -> list[ServiceCall]:
    """The SERVICE calls of ``text``, in order."""
    code = tokens(text)
    if not any(_is(t, "SERVICE") for t in code):
        return []
    form = _form_index(code)
    prefixes = {k: str(v) for k, v in PREFIXES.items()} | _prologue_prefixes(code[:form])
    group = _where_group(code)
    calls = []
    for i, token in enumerate(code):
        if not _is(token, "SERVICE"):
            continue
        j = i + 1
        silent = _is(code[j], "SILENT")
        j += silent
        target = code[j]
        if target.kind == "iri":
            iri = target.text[1:-1]
        elif target.kind == "word" and ":" in target.text and target.text.split(":", 1)[0] in prefixes:
            pfx, local = target.text.split(":", 1)
            iri = prefixes[pfx] + local
        else:
            raise QueryError(f"SERVICE {target.text}: only a fixed endpoint IRI can be called",
                             fix="write SERVICE <http://…> with the endpoint's IRI")
        open_ = j + 1
        if open_ >= len(code) or not _is_punct(code[open_], "{"):
            raise QueryError("malformed query: SERVICE without a { pattern }", fix="check the SPARQL syntax")
        close = _matching(code, open_)
        left = None
        stack = _enclosing(code, i)
        if group and stack == [group[0]]:
            left = text[code[group[0]].end:token.start]
        elif (group and len(stack) == 2 and stack[0] == group[0] and _is(code[stack[1] - 1], "OPTIONAL", "MINUS")
              and not _is(code[stack[1] + 1], "SELECT")):
            left = text[code[group[0]].end:code[stack[1] - 1].start]
        calls.append(ServiceCall(iri, bool(silent), token.start, code[close].end,
                                 text[code[open_].end:code[close].start], left))
    return calls


def _enclosing(code: list[Token], i: int) -> list[int]:
    """The indexes of the open braces around token ``i``, outermost first."""
    stack = []
    for j in range(i):
        if _is_punct(code[j], "{"):
            stack.append(j)
        elif _is_punct(code[j], "}") and stack:
            stack.pop()
    return stack


def _without_filters(text: str) -> str:
    """``text`` (part of a group) without its own FILTERs: they may name variables bound later in the group."""
    code = tokens(text)
    cut, depth, i = [], 0, 0
    while i < len(code):
        token = code[i]
        if _is_punct(token, "{"):
            depth += 1
        elif _is_punct(token, "}"):
            depth -= 1
        elif depth == 0 and _is(token, "FILTER") and i + 1 < len(code):
            j = i + 1
            if _is(code[j], "NOT"):
                j += 1
            if _is(code[j], "EXISTS") and j + 1 < len(code):
                end = _matching(code, j + 1)
            elif _is_punct(code[j], "("):
                end = _matching(code, j, "(", ")")
            else:  # a function call: name (args)
                end = _matching(code, j + 1, "(", ")")
            cut.append((token.start, code[end].end))
            i = end + 1
            continue
        i += 1
    for start, end in reversed(cut):
        text = text[:start] + " " + text[end:]
    return text


# --- queries on a remote store ---------------------------------------------------

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


def sparql_request(ep: Endpoint, text: str, *, graph: str | None = None, retry: Retry = Retry(attempts=3)):
    """Run ``text`` on the query endpoint through SPARQLWrapper: solutions, a boolean or triples (as pyoxigraph)."""
    from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, SPARQLWrapper

    form = query_form(text)
    wrapper = SPARQLWrapper(ep.query, agent=USER_AGENT)
    wrapper.setMethod(POST)
    wrapper.setOnlyConneg(True)  # no format= parameter: some stores prefer it to the Accept header
    wrapper.setTimeout(max(1, math.ceil(ep.timeout)))
    wrapper.setQuery(with_prefixes(text))
    if graph:
        wrapper.addDefaultGraph(graph)
    if ep.user is not None:
        wrapper.setHTTPAuth(DIGEST if ep.auth == "digest" else BASIC)
        wrapper.setCredentials(ep.user, ep.password or "")
    if form in ("SELECT", "ASK"):
        wrapper.setReturnFormat(JSON)
    else:
        wrapper.setReturnFormat(TURTLE)
        wrapper.addCustomHttpHeader("Accept", RDF_ACCEPT)
    body, content_type = _sparqlwrapper_query(wrapper, ep, retry)
    if form in ("SELECT", "ASK"):
        return _solutions(body, content_type, ep)
    store = ox.Store()
    try:
        store.bulk_load(body, format=_rdf_format(content_type, "reading the query result"), to_graph=ox.DefaultGraph())
    except SyntaxError as exc:
        raise RemoteError(f"{origin(ep.query)} sent a graph that cannot be parsed: {exc}") from None
    return store.query("CONSTRUCT WHERE { ?s ?p ?o }")


def _sparqlwrapper_query(wrapper, ep: Endpoint, retry: Retry) -> tuple[bytes, str]:
    import socket
    import urllib.error

    from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                                SPARQLWrapperException, Unauthorized)

    where = origin(ep.query)
    for attempt in range(1, retry.attempts + 1):
        try:
            response = wrapper.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except QueryBadFormed as exc:
            raise QueryError(f"{where} rejected the query (HTTP 400): {_wrapper_message(exc)}",
                             fix="check the SPARQL syntax and what this store supports") from None
        except Unauthorized:
            raise RemoteError(f"{where} refused the login (HTTP 401)", fix=(
                "check --user and the password in the variable named by --password-env")) from None
        except EndPointNotFound as exc:
            raise RemoteError(f"nothing at {where} (HTTP 404): {_wrapper_message(exc)}",
                              fix="check the endpoint URL") from None
        except EndPointInternalError as exc:
            raise RemoteError(f"{where} failed (HTTP 500): {_wrapper_message(exc)}",
                              fix="see the store's log; a query too costly for the store fails this way") from None
        except SPARQLWrapperException as exc:
            raise RemoteError(f"{where}: {_wrapper_message(exc)}") from None
        except urllib.error.HTTPError as exc:
            if exc.code in TRANSIENT_STATUS and attempt < retry.attempts:
                time.sleep(retry.wait(attempt))
                continue
            message = server_message(exc.read() or b"", exc.headers.get("Content-Type", "") if exc.headers else "")
            raise RemoteError(f"{where} answered HTTP {exc.code}" + (f": {message}" if message else "")) from None
        except (socket.timeout, TimeoutError):
            raise RemoteError(f"{where} did not answer within {ep.timeout:g} s", fix="raise --timeout") from None
        except (urllib.error.URLError, OSError) as exc:
            if attempt < retry.attempts:
                time.sleep(retry.wait(attempt))
                continue
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach {where}: {reason}",
                              fix="check that the store is running and the URL is right") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _wrapper_message(exc: Exception) -> str:
    text = str(exc)
    head, sep, rest = text.partition("Response:\n")
    if sep:
        try:
            return server_message(ast.literal_eval(rest.strip()))
        except (ValueError, SyntaxError):
            return server_message(rest.encode("utf-8"))
    return head.strip()


def _solutions(body: bytes, content_type: str, ep: Endpoint):
    if "xml" in content_type:
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
    try:
        data = json.loads(body)
    except ValueError:
        raise RemoteError(f"{origin(ep.query)} did not send SPARQL JSON results (`{content_type}`): "
                          f"{server_message(body)}") from None
    labels: dict[str, str] = {}
    for row in (data.get("results") or {}).get("bindings", []):
        for value in row.values():
            if value.get("type") == "bnode":  # stores write labels a parser refuses (Virtuoso: nodeID://b1)
                value["value"] = labels.setdefault(value["value"], f"b{len(labels)}")
    try:
        return ox.parse_query_results(json.dumps(data).encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise RemoteError(f"{origin(ep.query)} sent results that cannot be read: {exc}") from None


def query_remote(ep: Endpoint, text: str, bindings: Mapping[str, ox.Term] | None = None, *,
                 graph: str | None = None, services: Services = Services()):
    """Run a query on a remote store (``graph`` as its default graph), like :func:`kg.query.run` locally."""
    check_query(text, services.allowed)
    bound = bind_values(text, bindings or {})
    if service_calls(bound):
        bound = resolve_services(bound, lambda t: sparql_request(ep, t, graph=graph), services)
    return sparql_request(ep, bound, graph=graph)


def query_local(store: ox.Store, text: str, bindings: Mapping[str, ox.Term] | None = None, *,
                services: Services = Services()):
    """Run a query on the local store, calling the SERVICE endpoints the operator allows."""
    check_query(text, services.allowed)
    if not service_calls(text):
        return run(store, text, dict(bindings or {}))
    bound = bind_values(text, bindings or {})
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
            raise QueryError(f"SERVICE <{call.iri}> is not allowed", fix=(
                "federated queries may only call endpoints the operator allows (--allow-service URL)"))
        if service_calls(call.pattern):
            raise QueryError("a SERVICE inside a SERVICE is not supported", fix="call each endpoint at the top level")
        url = services.mapping.get(call.iri, call.iri)
        code = tokens(text)
        prologue = text[:code[_form_index(code)].start]
        shared, probe = [], None
        if call.left is not None:
            left = _without_filters(call.left)
            in_left = set(variables(left))
            shared = [v for v in variables(call.pattern) if v in in_left]
            if shared:
                result = execute(f"{prologue}SELECT DISTINCT {' '.join('?' + v for v in shared)} WHERE {{{left}}}")
                probe = [{v: s[v] for v in shared} for s in result
                         if not any(isinstance(s[v], ox.BlankNode) for v in shared)]
        try:
            names, rows = _call_service(url, prologue, call, shared, probe, services)
        except (RemoteError, QueryError):
            if not call.silent:
                raise
            names, rows = [], [{}]  # SILENT: a failed call joins as one empty solution
        text = text[:call.start] + values_block(names, rows) + text[call.end:]
    return text


def _call_service(url: str, prologue: str, call: ServiceCall, shared: list[str], probe: list[dict] | None,
                  services: Services) -> tuple[list[str], list[dict]]:
    if probe is not None and not probe:
        return variables(call.pattern), []  # nothing on the local side to join with
    ep = Endpoint(url, url, timeout=services.timeout)
    chunks = [probe[i:i + services.chunk] for i in range(0, len(probe), services.chunk)] if probe else [None]
    names: list[str] = []
    rows: dict[tuple, dict] = {}
    for chunk in chunks:
        head = f"{values_block(shared, chunk)}\n" if chunk else ""
        text = f"{prologue}SELECT * WHERE {{ {head}{call.pattern} }} LIMIT {services.max_rows + 1}"
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
