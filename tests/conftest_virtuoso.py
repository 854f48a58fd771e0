"""A private Virtuoso on 127.0.0.1 for the integration tests, started and stopped by scripts/virtuoso.sh.

Outside CI a machine without Virtuoso skips these tests with the reason; in CI (CI=true) they fail,
since a skipped integration test would hide that nothing was checked.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

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
