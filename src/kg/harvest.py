"""``kg harvest``: gather the datasets that cities publish, each checked, each in its own named graph.

For every catalogue given (a URL, or a ``catalog.ttl`` on disk such as ``kg build`` writes), the
datasets with an N-Triples or Turtle dump are found through DCAT; each dump is downloaded within
size and time limits, its declared size and SHA-256 checked, parsed, and validated with the
project's shapes. A dataset that passes becomes one named graph (named by its download URL) of
the combined N-Quads dump; one that fails is reported and left out, or kept at its last good
version with ``keep_last``: never half-merged. The harvest's own catalogue records what was
gathered, when, from where and with what result.

Files from other cities are untrusted: only ``http(s)`` is fetched, a dump must be on the host of
its catalogue (or one the operator allows), redirects are followed only under the same rule, and
nothing in a harvested file makes the tool fetch anything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import KgError, Location
from kg.namespaces import PREFIXES, SPDX as SPDX_NS

#: Dump media types that can be harvested, best first, with their parser format and file extension.
DUMP_TYPES = {
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, ".nt"),
    "text/turtle": (ox.RdfFormat.TURTLE, ".ttl"),
}
CATALOG_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}
USER_AGENT = "kg harvest"
ACCEPTED, REJECTED, KEPT = "accepted", "rejected", "kept"

DCAT, DCT, PROV, XSD, RDF, VOID = (str(PREFIXES[p]) for p in ("dcat", "dcterms", "prov", "xsd", "rdf", "void"))
SPDX = str(SPDX_NS)


class HarvestError(KgError):
    """One city's catalogue or dump cannot be used; the harvest goes on without it."""


@dataclass(frozen=True)
class Limits:
    """What one download may take."""

    max_bytes: int = 512 * 2**20
    timeout: float = 120.0  # seconds for a whole download
    connect_timeout: float = 10.0
    max_redirects: int = 5
    allowed_hosts: frozenset[str] = frozenset()  # hosts a dump may be on besides its catalogue's


@dataclass(frozen=True)
class Dump:
    """A dataset's downloadable dump as its catalogue describes it."""

    dataset: str
    url: str
    media_type: str
    byte_size: int | None
    sha256: str | None


@dataclass
class Outcome:
    """What became of one catalogue's dataset."""

    source: str
    status: str
    reason: str = ""
    dataset: str | None = None
    graph: str | None = None
    triples: int = 0
    bytes: int = 0
    sha256: str | None = None
    violations: int = 0
    warnings: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    harvested: str | None = None  # when a kept version was harvested
    file: str | None = None  # the dump in the harvest folder


@dataclass
class HarvestResult:
    """A harvest: what became of each source, and the files written."""

    out: Path
    outcomes: list[Outcome]
    triples: int
    started: datetime
    ended: datetime

    @property
    def complete(self) -> bool:
        return all(o.status == ACCEPTED for o in self.outcomes)


# --- fetching -----------------------------------------------------------------------------


def host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def fetch(client: httpx.Client, url: str, limits: Limits, allowed: Iterable[str], *,
          max_bytes: int | None = None, declared: int | None = None) -> tuple[bytes, str, str]:
    """``url``'s body, the URL it came from after redirects, and its media type.

    Redirects are followed only to ``allowed`` hosts; the body may not pass ``max_bytes`` (nor the
    size its catalogue ``declared``) and the whole download may not take longer than the time limit.
    """
    allowed = set(allowed)
    limit = limits.max_bytes if max_bytes is None else max_bytes
    if declared is not None and declared < limit:
        limit, too_big = declared, _more_than_declared
    else:
        too_big = _over_limit
    deadline = time.monotonic() + limits.timeout
    for _ in range(limits.max_redirects + 1):
        _check_scheme(url)
        if host(url) not in allowed:
            raise HarvestError(f"{url} is not on an allowed host ({', '.join(sorted(allowed))})",
                               fix=f"allow it with --allow-host {host(url)} if it is the city's own")
        try:
            with client.stream("GET", url, timeout=_timeout(limits, deadline)) as response:
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise HarvestError(f"{url} answered HTTP {response.status_code}",
                                       fix="check the URL, or try again when the city's server is back")
                length = response.headers.get("Content-Length", "")
                if length.isdigit() and int(length) > limit:
                    raise too_big(url, int(length), limit)
                body = bytearray()
                for chunk in response.iter_bytes(1 << 16):
                    body += chunk
                    if len(body) > limit:
                        raise too_big(url, len(body), limit)
                    if time.monotonic() > deadline:
                        raise _too_slow(url, limits)
                media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return bytes(body), url, media
        except httpx.TimeoutException:
            raise _too_slow(url, limits) from None
        except httpx.HTTPError as exc:
            raise HarvestError(f"cannot download {url}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                               fix="check the URL, or try again when the city's server is back") from None
    raise HarvestError(f"{url}: more than {limits.max_redirects} redirects", fix="give the final URL")


def _timeout(limits: Limits, deadline: float) -> httpx.Timeout:
    left = max(deadline - time.monotonic(), 0.001)
    return httpx.Timeout(left, connect=min(limits.connect_timeout, left))


def _check_scheme(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise HarvestError(f"{url}: only http and https URLs are harvested",
                           fix="publish the dump at an http(s) URL")


def _over_limit(url: str, size: int, limit: int) -> HarvestError:
    return HarvestError(f"{url} is larger than the limit ({size:,} > {limit:,} bytes)",
                        fix="raise --max-size if the dump is expected to be this large")


def _more_than_declared(url: str, size: int, declared: int) -> HarvestError:
    return HarvestError(f"{url} has more bytes than its catalogue declares ({size:,} > {declared:,})",
                        fix="the city must publish its catalogue and dump together (kg build writes both)")


def _too_slow(url: str, limits: Limits) -> HarvestError:
    return HarvestError(f"{url} did not arrive within {limits.timeout:g} s",
                        fix="raise --timeout, or try again later")


# --- catalogues ---------------------------------------------------------------------------

_DUMPS_QUERY = f"""
PREFIX dcat: <{DCAT}> PREFIX dct: <{DCT}> PREFIX spdx: <{SPDX}> PREFIX void: <{VOID}>
SELECT ?dataset ?url ?media ?format ?size ?sum WHERE {{
  ?dataset dcat:distribution ?dist .
  ?dist dcat:downloadURL ?url .
  OPTIONAL {{ ?dist dcat:mediaType ?media }}
  OPTIONAL {{ ?dist dct:format ?format }}
  OPTIONAL {{ ?dist dcat:byteSize ?size }}
  OPTIONAL {{ ?dist spdx:checksum ?c . ?c spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sum }}
  FILTER NOT EXISTS {{ {{ ?whole void:subset ?dataset }} UNION {{ ?whole dct:hasPart ?dataset }}
                      UNION {{ ?dataset dct:isPartOf ?whole }} ?whole dcat:distribution ?any }}
}} ORDER BY ?dataset ?url"""


def catalog_dumps(data: bytes, fmt: ox.RdfFormat, base: str) -> list[Dump]:
    """The best harvestable dump of each dataset in a catalogue (whole datasets, not their parts)."""
    store = ox.Store()
    try:
        store.load(data, format=fmt, base_iri=base)
    except (SyntaxError, ValueError) as exc:
        raise HarvestError(f"the catalogue cannot be parsed as {fmt.name}: {exc}",
                           fix="publish the catalogue as Turtle (kg build writes catalog.ttl)") from None
    best: dict[str, tuple[int, Dump]] = {}
    for row in store.query(_DUMPS_QUERY):
        media = _media_type(row["media"]) or _media_type(row["format"])
        if media not in DUMP_TYPES:
            continue
        size = row["size"]
        dump = Dump(row["dataset"].value, row["url"].value, media,
                    int(size.value) if isinstance(size, ox.Literal) and size.value.isdigit() else None,
                    row["sum"].value.lower() if row["sum"] is not None else None)
        rank = list(DUMP_TYPES).index(media)
        if dump.dataset not in best or rank < best[dump.dataset][0]:
            best[dump.dataset] = (rank, dump)
    if not best:
        raise HarvestError("the catalogue lists no dataset with an N-Triples or Turtle dump",
                           fix="add a dcat:Distribution with dcat:downloadURL and dcat:mediaType "
                               "application/n-triples (kg build writes one)")
    return [dump for _, dump in best.values()]


def _media_type(term) -> str | None:
    """``application/n-triples`` from an IANA media-type IRI or a plain literal."""
    if term is None:
        return None
    text = term.value.strip().lower()
    match = re.search(r"([a-z]+/[a-z0-9.+-]+)$", text)
    return match.group(1) if match else None


# --- one city -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A catalogue as given on the command line: a URL, or a file whose dumps lie beside it."""

    text: str

    @property
    def is_url(self) -> bool:
        return urlsplit(self.text).scheme in ("http", "https")

    @property
    def key(self) -> str:
        """A file-name-safe name for this source, stable across harvests."""
        readable = re.sub(r"[^A-Za-z0-9]+", "-", self.text).strip("-")[-48:]
        return f"{readable}-{hashlib.sha256(self.text.encode()).hexdigest()[:10]}"


def harvest_source(source: Source, client: httpx.Client, limits: Limits) -> list[tuple[Dump, bytes, str]]:
    """Each dataset of ``source``'s catalogue with its downloaded dump and the dump's URL."""
    if source.is_url:
        data, url, media = fetch(client, source.text, limits, {host(source.text)}, max_bytes=16 * 2**20)
        fmt = CATALOG_TYPES.get(media, ox.RdfFormat.TURTLE)
        allowed = {host(source.text), host(url), *limits.allowed_hosts}
        out = []
        for dump in catalog_dumps(data, fmt, url):
            if dump.byte_size is not None and dump.byte_size > limits.max_bytes:
                raise _over_limit(dump.url, dump.byte_size, limits.max_bytes)
            body, final, _ = fetch(client, dump.url, limits, allowed, declared=dump.byte_size)
            out.append((dump, body, final))
        return out
    path = Path(source.text)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HarvestError(f"cannot read the catalogue: {exc.strerror}", Location(str(path)),
                           "give the path of a catalog.ttl, or its URL") from None
    out = []
    for dump in catalog_dumps(data, ox.RdfFormat.TURTLE, path.resolve().as_uri()):
        # A built dist/ names its dumps by their published URL; on disk they lie beside the catalogue.
        local = path.parent / Path(urlsplit(dump.url).path).name
        try:
            if local.stat().st_size > limits.max_bytes:
                raise _over_limit(str(local), local.stat().st_size, limits.max_bytes)
            out.append((dump, local.read_bytes(), dump.url))
        except OSError as exc:
            raise HarvestError(f"cannot read the dump {local.name} beside the catalogue: {exc.strerror}",
                               Location(str(path)), "harvest a whole dist/ folder as kg build writes it") from None
    return out


def check_download(dump: Dump, body: bytes) -> str:
    """The SHA-256 of ``body`` once its size and checksum agree with the catalogue."""
    if dump.byte_size is not None and len(body) != dump.byte_size:
        raise HarvestError(f"{dump.url} has {len(body):,} bytes, the catalogue says {dump.byte_size:,}",
                           fix="the city must publish its catalogue and dump together (kg build writes both)")
    digest = hashlib.sha256(body).hexdigest()
    if dump.sha256 is not None and digest != dump.sha256:
        raise HarvestError(f"{dump.url}: SHA-256 {digest[:16]}… differs from the catalogue's {dump.sha256[:16]}…",
                           fix="the dump was changed or damaged after its catalogue was written: "
                               "the city must rebuild or republish both")
    return digest


# --- the harvest --------------------------------------------------------------------------


def harvest(sources: list[str], out: Path, validate: Callable[[Path], object], *, limits: Limits = Limits(),
            keep_last: bool = False, workers: int = 8,
            progress: Callable[[Outcome], None] = lambda _: None) -> HarvestResult:
    """Harvest ``sources`` into the folder ``out`` (replaced as a whole when done).

    ``validate(path)`` returns a report (with ``violations`` and ``warnings``) of one dump file.
    """
    started = datetime.now(timezone.utc).replace(microsecond=0)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    previous = _previous(out) if keep_last else {}
    outcomes: list[Outcome] = []
    triples = 0
    try:
        (staging / "graphs").mkdir()
        with httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=False) as client, \
                ThreadPoolExecutor(max(1, workers)) as pool, \
                open(staging / "harvest.nq", "wb") as combined:
            unique = list(dict.fromkeys(sources))
            downloads = _ahead(pool, lambda s: _download(Source(s), client, limits), unique, 2 * max(1, workers))
            for text, (downloaded, error) in zip(unique, downloads):
                source = Source(text)
                for outcome, path in _check(source, downloaded, error, staging, validate):
                    if outcome.status != ACCEPTED and source.text in previous:
                        outcome, path = _keep(outcome, previous[source.text], out, staging)
                    if path is not None:
                        outcome.file = path.relative_to(staging).as_posix()
                        outcome.triples = _append(combined, path, outcome.graph)
                        triples += outcome.triples
                    outcomes.append(outcome)
                    progress(outcome)
        ended = datetime.now(timezone.utc).replace(microsecond=0)
        result = HarvestResult(out, outcomes, triples, started, ended)
        _write_records(staging, result)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _ahead(pool: ThreadPoolExecutor, function, items: list, window: int):
    """``function`` of each item, in order, with at most ``window`` running or waiting to be read:
    downloads stay a little ahead of the checks, and memory holds a few cities, not all."""
    pending = deque()
    for item in items:
        pending.append(pool.submit(function, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _download(source: Source, client: httpx.Client, limits: Limits):
    """Run in a worker thread: the downloads, or the error that stopped them."""
    started = time.monotonic()
    try:
        return (harvest_source(source, client, limits), time.monotonic() - started), None
    except HarvestError as exc:
        return None, exc


def _check(source: Source, downloaded, error: HarvestError | None, staging: Path, validate):
    """Each dataset's outcome and, when accepted, the checked dump file in ``staging``."""
    if error is not None:
        yield Outcome(source.text, REJECTED, reason=_reason(error)), None
        return
    dumps, seconds = downloaded
    for n, (dump, body, url) in enumerate(dumps):
        started = time.monotonic()
        outcome = Outcome(source.text, REJECTED, dataset=dump.dataset, graph=url, bytes=len(body))
        try:
            outcome.sha256 = check_download(dump, body)
            if dump.sha256 is None:
                outcome.notes.append("the catalogue declares no SHA-256: the download could not be verified")
            fmt, suffix = DUMP_TYPES[dump.media_type]
            path = staging / "graphs" / f"{source.key}{'-' + str(n) if n else ''}{suffix}"
            path.write_bytes(body)
            report = validate(path)
        except HarvestError as exc:
            outcome.reason = _reason(exc)
            yield _timed(outcome, seconds, started), None
            continue
        except KgError as exc:  # the dump cannot be parsed
            outcome.reason = _reason(exc)
            path.unlink(missing_ok=True)
            yield _timed(outcome, seconds, started), None
            continue
        outcome.violations, outcome.warnings = len(report.violations), len(report.warnings)
        if outcome.violations:
            first = report.violations[0]
            outcome.reason = (f"{outcome.violations} violation(s) of the shapes, e.g. <{first.focus}>: "
                              f"{first.message.get('en') or next(iter(first.message.values()), '')} "
                              f"(fix: the city corrects its data and publishes again; `kg validate` on the "
                              f"dump lists every problem)")
            path.unlink()
            yield _timed(outcome, seconds, started), None
            continue
        outcome.status = ACCEPTED
        yield _timed(outcome, seconds, started), path


def _timed(outcome: Outcome, download: float, started: float) -> Outcome:
    outcome.seconds = round(download + time.monotonic() - started, 3)
    return outcome


def _reason(exc: KgError) -> str:
    text = f"{exc.where}: {exc.message}" if exc.where else exc.message
    return f"{text} (fix: {exc.fix})" if exc.fix else text


def _append(combined, path: Path, graph: str) -> int:
    """``path``'s triples written to ``combined`` as N-Quads in the named graph ``graph``."""
    fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
    name = ox.NamedNode(graph)
    count = 0

    def quads():
        nonlocal count
        for t in ox.parse(path=str(path), format=fmt, rename_blank_nodes=True, without_named_graphs=True):
            count += 1
            yield ox.Quad(t.subject, t.predicate, t.object, name)

    ox.serialize(quads(), combined, format=ox.RdfFormat.N_QUADS)
    return count


def _previous(out: Path) -> dict[str, dict]:
    """The last harvest's accepted (or kept) datasets by source, from its JSON record."""
    record = out / "harvest.json"
    if not record.is_file():
        return {}
    try:
        entries = json.loads(record.read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {e["source"]: e for e in entries if e.get("status") in (ACCEPTED, KEPT) and e.get("file")}


def _keep(outcome: Outcome, last: dict, out: Path, staging: Path) -> tuple[Outcome, Path | None]:
    """The last good version of a source that failed now, copied into the new harvest."""
    old = out / last["file"]
    if not old.is_file():
        return outcome, None
    new = staging / last["file"]
    shutil.copyfile(old, new)
    kept = Outcome(outcome.source, KEPT, reason=f"kept the version of {last.get('harvested', 'the last harvest')}: "
                   f"{outcome.reason}", dataset=last.get("dataset"), graph=last.get("graph"),
                   bytes=new.stat().st_size, sha256=last.get("sha256"), seconds=outcome.seconds,
                   notes=outcome.notes, harvested=last.get("harvested"))
    return kept, new


def _swap(staging: Path, out: Path) -> None:
    """Put the finished ``staging`` folder in the place of ``out`` in one step."""
    os.chmod(staging, 0o777 & ~_umask())
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- the harvest's own records ------------------------------------------------------------


def _write_records(staging: Path, result: HarvestResult) -> None:
    """``harvest.json`` (for scripts and the next ``--keep-last``) and ``catalog.ttl`` (DCAT, PROV)."""
    combined = staging / "harvest.nq"
    digest = hashlib.sha256()
    with open(combined, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    stamp = result.ended.isoformat()
    sources = []
    for o in result.outcomes:
        entry = {k: v for k, v in asdict(o).items() if v not in (None, [], "")}
        entry["harvested"] = o.harvested or stamp
        sources.append(entry)
    record = {"started": result.started.isoformat(), "ended": stamp, "triples": result.triples,
              "file": "harvest.nq", "sha256": digest.hexdigest(), "bytes": combined.stat().st_size,
              "sources": sources}
    (staging / "harvest.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (staging / "catalog.ttl").write_bytes(catalog_turtle(record))


def catalog_turtle(record: dict) -> bytes:
    """The harvest described in DCAT and PROV: one dataset per accepted graph, one activity per source."""
    nn, lit = ox.NamedNode, ox.Literal
    triples: list[ox.Triple] = []

    def add(s, p, o):
        triples.append(ox.Triple(s, nn(p), o))

    catalog, run = ox.BlankNode("catalog"), ox.BlankNode("run")
    add(catalog, RDF + "type", nn(DCAT + "Catalog"))
    add(catalog, DCT + "title", lit("ハーベストしたデータセット", language="ja"))
    add(catalog, DCT + "title", lit("Harvested datasets", language="en"))
    add(catalog, DCT + "modified", lit(record["ended"], datatype=nn(XSD + "dateTime")))
    add(run, RDF + "type", nn(PROV + "Activity"))
    add(run, PROV + "startedAtTime", lit(record["started"], datatype=nn(XSD + "dateTime")))
    add(run, PROV + "endedAtTime", lit(record["ended"], datatype=nn(XSD + "dateTime")))
    whole = ox.BlankNode("combined")
    add(whole, RDF + "type", nn(DCAT + "Distribution"))
    add(whole, DCT + "title", lit(record["file"]))
    add(whole, DCAT + "mediaType", nn("https://www.iana.org/assignments/media-types/application/n-quads"))
    add(whole, DCAT + "byteSize", lit(str(record["bytes"]), datatype=nn(XSD + "nonNegativeInteger")))
    checksum = ox.BlankNode("combined-sha256")
    add(whole, SPDX + "checksum", checksum)
    add(checksum, SPDX + "algorithm", nn(SPDX + "checksumAlgorithm_sha256"))
    add(checksum, SPDX + "checksumValue", lit(record["sha256"], datatype=nn(XSD + "hexBinary")))
    add(whole, PROV + "wasGeneratedBy", run)
    for n, entry in enumerate(record["sources"]):
        step = ox.BlankNode(f"source-{n}")
        add(run, DCT + "hasPart", step)
        add(step, RDF + "type", nn(PROV + "Activity"))
        source = entry["source"]
        add(step, PROV + "used", nn(source) if urlsplit(source).scheme in ("http", "https")
            else lit(source))
        add(step, DCT + "description", lit(_status_text(entry), language="en"))
        add(step, PROV + "endedAtTime", lit(entry["harvested"], datatype=nn(XSD + "dateTime")))
        if entry["status"] == REJECTED or not entry.get("graph"):
            continue
        dataset = nn(entry["dataset"]) if entry.get("dataset") else step
        graph = nn(entry["graph"])
        add(catalog, DCAT + "dataset", graph)
        add(graph, RDF + "type", nn(DCAT + "Dataset"))
        add(graph, PROV + "wasDerivedFrom", dataset)
        add(graph, PROV + "wasGeneratedBy", step)
        add(graph, DCT + "issued", lit(entry["harvested"], datatype=nn(XSD + "dateTime")))
        if entry.get("sha256"):
            add(graph, SPDX + "checksum", lit(entry["sha256"], datatype=nn(XSD + "hexBinary")))
        add(graph, DCAT + "distribution", whole)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"dcat": DCAT, "dct": DCT, "prov": PROV, "spdx": SPDX, "xsd": XSD})


def outcome_line(o: Outcome) -> str:
    """One line for people: what became of a source."""
    if o.status == ACCEPTED:
        return f"accepted  {o.source}: {o.triples} triples, {o.warnings} warning(s), {o.seconds:.1f} s"
    return f"{o.status:<9} {o.source}: {o.reason}"


def _status_text(entry: dict) -> str:
    if entry["status"] == ACCEPTED:
        return f"accepted: {entry.get('triples', 0)} triples from {entry.get('graph')}"
    return f"{entry['status']}: {entry.get('reason', '')}"
