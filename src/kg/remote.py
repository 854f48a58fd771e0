"""Remote SPARQL 1.1 stores: endpoints, HTTP with retries and clear errors, and the protocol's requests.

Every request that fails for a passing reason (a refused connection, HTTP 502, 503, 504 or 429)
is tried again after a growing pause; any other failure becomes a :class:`RemoteError` (exit 3)
with the store's own message, without the data or query it echoes back. Queries go through
SPARQLWrapper; updates, counts and Graph Store requests through httpx.
"""

from __future__ import annotations

import ast
import io
import json
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import KgError, Location, QueryError
from kg.sparql import query_form, with_prefixes

#: Exit code of a remote store that cannot be reached, refuses a request or fails.
EXIT_REMOTE = 3
USER_AGENT = "kg (SPARQL 1.1 client)"


class RemoteError(KgError):
    """A remote store cannot be reached, refuses the request or answers with an error (exit 3)."""

    exit_code = EXIT_REMOTE

    def __init__(self, message: str, where: Location | None = None, fix: str | None = None,
                 status: int | None = None, reached: bool = True):
        super().__init__(message, where, fix)
        self.status = status  # the HTTP status the store answered, if it answered
        self.reached = reached  # whether the request may have reached the store at all


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
    #: Where to say that a request is tried again (e.g. the command's progress messages).
    log: Callable[[str], None] | None = None

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.cap)
        return min(self.backoff * 2 ** (attempt - 1), self.cap) * random.uniform(0.8, 1.2)

    def pause(self, what: str, reason: str, attempt: int, retry_after: str | None = None) -> None:
        """Wait before the next try of ``what``, saying so."""
        seconds = self.wait(attempt, retry_after)
        if self.log:
            self.log(f"{what}: {reason}; trying again in {seconds:.1f} s "
                     f"(try {attempt + 1} of {self.attempts})")
        time.sleep(seconds)


#: HTTP statuses and exceptions that pass: the request is tried again.
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
#: Failures before the request left: the store cannot have seen it.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
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
                    f"tried {retry.attempts} time(s)"), reached=not isinstance(exc, NOT_SENT)) from None
            retry.pause(what, f"cannot reach {origin(url)}: {_reason(exc)}", attempt)
            continue
        except httpx.TimeoutException:
            raise RemoteError(f"{what}: {origin(url)} did not answer within {client.timeout.read} s",
                              fix="raise --timeout, or use smaller batches (--batch-size)") from None
        except httpx.HTTPError as exc:
            raise RemoteError(f"{what}: {origin(url)}: {_reason(exc)}") from None
        if response.status_code in TRANSIENT_STATUS and attempt < retry.attempts:
            retry.pause(what, f"{origin(url)} answered HTTP {response.status_code}", attempt,
                        response.headers.get("Retry-After"))
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


# --- updates and counts ------------------------------------------------------------

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


# --- queries -----------------------------------------------------------------------

#: What a store is asked for when it answers with a graph: N-Triples first, it keeps literals as written.
RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5, application/rdf+xml;q=0.3"


def rdf_format(content_type: str, what: str) -> ox.RdfFormat:
    """The graph format of a response's Content-Type (none given: N-Triples), or a clear error."""
    media = content_type.split(";")[0].strip().lower()
    try:
        fmt = ox.RdfFormat.from_media_type(media) if media else ox.RdfFormat.N_TRIPLES
    except ValueError:
        fmt = None
    if fmt is None or fmt.supports_datasets:
        raise RemoteError(f"{what}: the store answered `{content_type}`, not an RDF graph format")
    return fmt


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
        store.bulk_load(body, format=rdf_format(content_type, "reading the query result"), to_graph=ox.DefaultGraph())
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


