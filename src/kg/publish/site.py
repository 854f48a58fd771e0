"""``kg publish``: a build as a static site that any web server can host.

For every resource of the dataset its page and its ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf``;
the home page, class listings (a file per page), the ontology, catalogue, downloads,
comparison and validation pages; a search that runs in the page over a prebuilt index; and
the rules that make an ordinary web server negotiate formats as ``kg serve`` does (nginx,
Apache, and the w3id.org redirects). The site is written beside OUT and then put in its place,
so a failed run leaves OUT as it was.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pyoxigraph as ox
from rdflib import OWL, URIRef

from kg import __version__
from kg.errors import KgError, Location
from kg.export import dataset_iri
from kg.forked import Forked
from kg.namespaces import ONTOLOGY_IRI
from kg.progress import Progress
from kg.publish import rules
from kg.publish.render import Renderer
from kg.publish.search import search_index
from kg.serve import fetch
from kg.serve.app import STATIC
from kg.serve.config import Settings
from kg.serve.negotiation import FORMAT_EXTENSIONS, media_type
from kg.serve.site import load_site
from kg.serve.views.resource import ALTERNATES

#: Pages with one address and no other format.
PAGES = ("/", "/class", "/compare", "/validation", "/download", "/search")
#: The record of a publication, which also marks a folder that ``kg publish`` may replace.
MARKER = f"{rules.PRIVATE}/published.json"
#: Longest file name most file systems take, in bytes.
NAME_MAX = 255


class PublishError(KgError):
    """The site cannot be written (exit 2)."""


@dataclass
class Published:
    """What a publication wrote."""

    out: Path
    resources: int = 0
    pages: int = 0
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (IRI, why) of resources without a page


def publish(settings: Settings, out: Path, site_url: str | None = None, jobs: int | None = None,
            progress: Progress | None = None) -> Published:
    """Write the site of the build in ``settings.dist`` to ``out`` (see the module's description).

    ``site_url`` is where the site will be hosted (the pages link under its path, the w3id redirects
    point there; see :func:`site_path` for the default); ``jobs`` the processes rendering resources
    (default: one per core).
    """
    progress = progress or Progress(False)
    out = Path(out).absolute()  # "." has no name to write beside
    _check_out(out)
    if site_url is not None and urlsplit(site_url).scheme not in ("http", "https"):
        raise PublishError(f"--site-url {site_url} is not an http(s) URL", fix="give the address the site is hosted at")
    site = load_site(settings.dist, settings.queries_dir)
    prefix = site_path(site.urls.root, site_url)
    with progress.stage("load") as stage:
        data = fetch.load(str(site.files["kg.nt"].path), site.base)
        stage.count = len(data.store)
    _remove_stale(out)
    work = out.parent / f".{out.name}.publishing-{os.getpid()}"
    work.mkdir(parents=True)
    try:
        result = Published(out)
        renderer = Renderer(site, data, settings, prefix)
        iris, result.skipped = _resources(data, site)
        with Resources(renderer, iris, work, jobs or os.cpu_count() or 1) as resources:
            with progress.stage("pages") as stage:  # while the other processes start on the resources
                result.pages = stage.count = asyncio.run(_pages(renderer, work))
                stage.unit = "pages"
            with progress.stage("resources") as stage:
                result.resources = stage.count = resources.finish()
                stage.unit = "resources"
        with progress.stage("files") as stage:
            stage.count = _copy_files(site, work)
            stage.unit = "files"
            published = {site.urls.local_path(iri) for iri in iris}
            (work / "search.json").write_bytes(search_index(site, data, published))
            _write_rules(work, site, site_url, prefix, out)
            _write(work / MARKER, json.dumps({
                "kg": __version__, "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "prefix": prefix, "resources": result.resources, "pages": result.pages,
                "skipped": [{"iri": i, "why": why} for i, why in result.skipped]}, ensure_ascii=False, indent=1))
        result.files = sum(len(files) for _, _, files in os.walk(work))
        _replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def site_path(root: str, site_url: str | None) -> str:
    """The path the site is hosted under (``/lgdx``, or ``""`` at the root of its host): that of
    ``site_url``, else that of the IRIs' own site root, unless they are redirected (w3id.org)."""
    url = site_url or (None if urlsplit(root).hostname == "w3id.org" else root)
    path = urlsplit(url).path.rstrip("/") if url else ""
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)*", path):
        raise PublishError(f"the site's path {path} has characters the web servers' rules cannot take",
                           fix="host the site under a path of letters, digits and - . _ ~ (--site-url)")
    return path


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that ``kg publish`` did not write (it would be deleted)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise PublishError("the output folder exists and was not written by kg publish", Location(str(out)),
                           "give --out a new or empty folder (a published site is replaced as a whole)")


def _remove_stale(out: Path) -> None:
    """The half-written copies of runs that were killed (their process is gone)."""
    for stale in [*out.parent.glob(f".{out.name}.publishing-*"), *out.parent.glob(f".{out.name}.old-*")]:
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def _replace(work: Path, out: Path) -> None:
    """``work`` in the place of ``out``, the old site removed once the new one is there (put back
    if the new one cannot be)."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
    try:
        work.rename(out)
    except OSError:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old)


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)


def file_of(work: Path, path: str) -> Path:
    """The file answering the local ``path`` (percent-encoded) in the site's folder ``work``."""
    return work / unquote(path).lstrip("/")


# --- resources ------------------------------------------------------------------------

def _resources(data: fetch.Data, site) -> tuple[list[str], list[tuple[str, str]]]:
    """The IRIs of the dataset's resources that can have a page (sorted), and those that cannot, with why."""
    iris: set[str] = set()
    for quad in data.store.quads_for_pattern(None, None, None):
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(site.base):
                iris.add(term.value)
    iris.discard(str(dataset_iri(site.base)))  # redirected to the catalogue
    reserved = _reserved(site)
    paths = {iri: site.urls.local_path(iri) for iri in iris}
    kept, skipped, files = [], [], {}
    # the IRI a path's page shows first, where two name one file (café and caf%C3%A9): its RDF goes there too
    for iri in sorted(iris, key=lambda i: (site.urls.iri_of_path(paths[i] or "") != i, i)):
        path = paths[iri]
        why = _unpublishable(path, reserved)
        if why is None and unquote(path) in files:
            why = f"its file would be that of <{files[unquote(path)]}>"
        if why:
            skipped.append((iri, why))
        else:
            kept.append(iri)
            files[unquote(path)] = iri
    return sorted(kept), sorted(skipped)


def _reserved(site) -> set[str]:
    """First path segments of the site's own pages and files, where the resources are not under a
    folder of their own (a base that does not end in ``id/``)."""
    if site.urls.id_prefix != "/":
        return set()
    return {"index", "404", "class", "search", "compare", "validation", "download", "catalog", "ontology",
            "static", rules.PRIVATE, ".well-known", ".htaccess"}


def _unpublishable(path: str | None, reserved: set[str] = frozenset()) -> str | None:
    """Why the resource at ``path`` cannot be a file of the site, or ``None``."""
    if path is None:
        return "its IRI has a fragment"
    if "?" in path:
        return "its IRI has a query (a static host answers the path without it)"
    try:
        name = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return "its path escapes bytes that are not UTF-8 (no web server would find the file)"
    parts = name.split("/")[1:]
    if any(p in ("", ".", "..") for p in parts) or any(c < " " or c in "\\\x7f" for c in name):
        return "its path has an empty, '.' or '..' segment or a character no file name takes"
    if any(len((p + ".jsonld").encode()) > NAME_MAX for p in parts):
        return f"a segment of its path is longer than a file name may be ({NAME_MAX} bytes)"
    if any(p.endswith(tuple(FORMAT_EXTENSIONS.values())) for p in parts):
        return "a segment of its path ends in a format's extension"
    if parts[0].split(".")[0] in reserved or parts[0] in reserved:
        return "its path is that of one of the site's own pages or folders"
    return None


class Resources:
    """Each resource's page and RDF, written by ``jobs`` processes taking chunks of ``iris`` in
    turn (resources differ in cost: a city's page draws charts), the forked ones from the start
    and this one once :meth:`finish` is called."""

    CHUNK = 200

    def __init__(self, renderer: Renderer, iris: list[str], work: Path, jobs: int):
        self.renderer, self.iris, self.work = renderer, iris, work
        self.next = multiprocessing.Value("q", 0)  # the next chunk to take, shared with the forked
        self.failed = multiprocessing.Value("b", 0)  # set by the first to fail: the others stop
        jobs = max(1, min(jobs, -(-len(iris) // self.CHUNK)))  # no more processes than chunks
        self.children = []
        try:
            for _ in range(1, jobs):
                self.children.append(Forked(self._run))
        except BaseException:
            self.__exit__(Exception)
            raise

    def __enter__(self) -> "Resources":
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is not None:
            for child in self.children:
                child.cancel()

    def _chunks(self):
        while not self.failed.value:
            with self.next.get_lock():
                k = self.next.value
                self.next.value += 1
            chunk = self.iris[k * self.CHUNK:(k + 1) * self.CHUNK]
            if not chunk:
                return
            yield from chunk

    def _run(self) -> int:
        try:
            return asyncio.run(_write_resources(self.renderer, self._chunks(), self.work))
        except BaseException:
            self.failed.value = 1
            raise

    def finish(self) -> int:
        """Take chunks here too until none is left; the number of resources written."""
        return self._run() + sum(child.result() for child in self.children)


async def _write_resources(renderer: Renderer, iris, work: Path) -> int:
    folders: set[Path] = set()
    done = 0
    for iri in iris:
        path = renderer.site.urls.local_path(iri)
        status, page = await renderer.get(path)
        if status != 200:
            raise PublishError(f"the page of <{iri}> answered {status}", fix="run `kg serve` and open it to see why")
        target = file_of(work, path)
        try:
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            _write_new(f"{target}.html", page)
            for fmt, content in renderer.describe(iri, ALTERNATES).items():
                _write_new(f"{target}{FORMAT_EXTENSIONS[fmt]}", content)
        except OSError as exc:  # a full disk, or a name the file system refuses
            raise PublishError(f"cannot write the files of <{iri}>: {exc.strerror or exc}",
                               Location(str(target.relative_to(work))),
                               "free space on the disk, or report the IRI if its name is the cause") from None
        done += 1
    return done


def _write_new(path: str, content: bytes) -> None:
    """``content`` as the new file ``path``, in the fewest system calls (hundreds of thousands are written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


# --- pages ----------------------------------------------------------------------------

async def _pages(renderer: Renderer, work: Path) -> int:
    """Every page besides the resources'; their number."""
    site = renderer.site
    written = 0

    async def save(path: str, file: Path, accept: str = "text/html", expect: int = 200) -> None:
        nonlocal written
        status, body = await renderer.get(path, accept)
        if status != expect:
            raise PublishError(f"{path} answered {status}", fix="run `kg serve` and open it to see why")
        _write(file, body)
        written += 1

    for path in PAGES:
        await save(path, work / ("index.html" if path == "/" else path.lstrip("/") + ".html"))
    version = site.ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    with_formats = ["/catalog", "/.well-known/void", "/ontology"]
    if version is not None and site.urls.local_path(str(version)):
        with_formats.append(site.urls.local_path(str(version)))
    for path in with_formats:
        await save(path, file_of(work, path + ".html"))
        for fmt in ALTERNATES:  # asked by Accept: a version's address takes no extension
            await save(path, file_of(work, path + FORMAT_EXTENSIONS[fmt]), media_type(fmt).split(";")[0])
    for info in site.classes.values():
        path = site.class_href(info["iri"])
        if path is None:
            continue
        path = quote(path, safe="/:")
        page = 1
        while True:  # until the page past the last
            status, body = await renderer.get(path + (f"?page={page}" if page > 1 else ""))
            if status == 404 and page > 1:
                break
            if status != 200:
                raise PublishError(f"{path} answered {status}", fix="run `kg serve` and open it to see why")
            _write(file_of(work, path + (f"/{page}" if page > 1 else "") + ".html"), body)
            written += 1
            page += 1
    await save("/.kg-publish/missing", work / "404.html", expect=404)
    return written


# --- files ----------------------------------------------------------------------------

def _copy_files(site, work: Path) -> int:
    """The build's files under ``download/`` (linked where the file system allows) and the pages'
    own files under ``static/``; their number."""
    count = 0
    for name, file in site.files.items():
        target = work / "download" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(file.path, target)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(file.path, target)
        count += 1
    shutil.copytree(STATIC, work / "static")
    return count + sum(1 for p in STATIC.iterdir() if p.is_file())


def _write_rules(work: Path, site, site_url: str | None, prefix: str, out: Path) -> None:
    """The web servers' rules: ``.htaccess`` (Apache) at the top, nginx's and w3id's in ``.server/``."""
    root = site.urls.root
    _write(work / ".htaccess", rules.apache(site.base, root, prefix))
    _write(work / rules.PRIVATE / "nginx.conf", rules.nginx(str(out.resolve()), site.base, root, prefix,
                                                           urlsplit(site_url).hostname if site_url else "_"))
    if site_url and urlsplit(root).hostname == "w3id.org":
        _write(work / rules.PRIVATE / "w3id.htaccess", rules.w3id(root, site_url))
