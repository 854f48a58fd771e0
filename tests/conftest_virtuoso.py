"""SPARQL stores for the tests: a private Virtuoso on 127.0.0.1 (scripts/virtuoso.sh), and a small
endpoint in this process that stands in for an outside one (e.g. e-Stat) in federated queries.

Outside CI a machine without Virtuoso skips its tests with the reason; in CI (CI=true) they fail,
since a skipped integration test would hide that nothing was checked.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest

from kg import remote

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "virtuoso.sh"


@dataclass
class Virtuoso:
    """A running private instance: its URL, its dba password and the environment that names it."""

    url: str
    password: str
    env: dict[str, str]

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def sparql_auth(self) -> str:
        return f"{self.url}/sparql-auth"

    def endpoint(self, **options) -> remote.Endpoint:
        """The login endpoint, as dba."""
        return remote.endpoint(self.sparql_auth, user="dba", password=self.password, **options)

    def script(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SCRIPT), action], env=self.env, capture_output=True, text=True,
                              timeout=180, check=False)

    def start(self) -> None:
        done = self.script("start")
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        done = self.script("stop")
        assert done.returncode == 0, done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the integration tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Virtuoso:
    """A fresh Virtuoso with a random dba password, for the whole session."""
    missing = [tool for tool in ("virtuoso-t", "isql-vt", "curl") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"Virtuoso is not installed ({', '.join(missing)} missing): run `bash scripts/system-deps.sh`"
                     " as root")
    http_port = _free_port()
    env = dict(os.environ, VIRTUOSO_ROOT=str(tmp_path_factory.mktemp("virtuoso")),
               VIRTUOSO_HTTP_PORT=str(http_port), VIRTUOSO_SQL_PORT=str(_free_port()),
               VIRTUOSO_DBA_PASSWORD=secrets.token_urlsafe(16), VIRTUOSO_BUFFERS="20000",
               VIRTUOSO_DIRTY_BUFFERS="15000")
    instance = Virtuoso(f"http://127.0.0.1:{http_port}", env["VIRTUOSO_DBA_PASSWORD"], env)
    try:
        started = instance.script("start")
    except subprocess.TimeoutExpired:
        instance.script("stop")
        _unavailable("scripts/virtuoso.sh start did not finish within 180 s")
    if started.returncode != 0:
        instance.script("stop")
        _unavailable(f"scripts/virtuoso.sh start failed: {started.stderr.strip()[-1500:]}")
    try:
        yield instance
    finally:
        instance.script("stop")


class StandIn:
    """A SPARQL endpoint in this process (form-encoded POST, JSON results) over a pyoxigraph store."""

    def __init__(self, turtle: str):
        self.store, self.queries = ox.Store(), []
        self.store.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                stand_in.queries.append(form["query"][0])
                body = stand_in.store.query(form["query"][0]).serialize(format=ox.QueryResultsFormat.JSON)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
