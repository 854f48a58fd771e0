"""The one helper that turns IRIs into this server's URLs and back."""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.catalog import site_root
from kg.namespaces import LGDX, ONTOLOGY_IRI

# Characters an IRI path keeps as they are in a URI (RFC 3986 pchar, "/" and existing escapes).
_SAFE = "/-._~!$&'()*+,;=:@%"
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def iri_to_uri(text: str) -> str:
    """RFC 3987 §3.1: percent-encode the UTF-8 bytes of non-ASCII characters, keep the rest."""
    return quote(text, safe=_SAFE + "?#[]")


def uri_to_iri(text: str) -> str:
    """RFC 3987 §3.2: decode escapes that spell non-ASCII UTF-8; ASCII escapes stay escaped."""

    def decode(match: re.Match) -> str:
        raw = bytes.fromhex(match.group(0).replace("%", ""))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group(0)

    return _NON_ASCII_ESCAPES.sub(decode, text)


class Urls:
    """Maps the dataset's IRIs (under the site root of the instance base) to local paths.

    The site root is the base without its ``id/`` segment (``https://w3id.org/lgdx/``), so
    ``{base}measure/x`` is served at ``/id/measure/x`` and ``{root}sparql`` at ``/sparql``.
    """

    def __init__(self, base: str):
        self.base = base
        self.root = site_root(base)
        self.id_prefix = "/" + base[len(self.root):]

    def local_path(self, iri: str) -> str | None:
        """The path this server answers ``iri`` at (percent-encoded), or ``None`` if it is elsewhere."""
        if iri.startswith(self.root) and "#" not in iri:
            return "/" + iri_to_uri(iri[len(self.root):])
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "/"):  # the ontology and its versions
            return "/ontology" + iri_to_uri(iri[len(ONTOLOGY_IRI):])
        if iri.startswith(str(LGDX)):
            return "/ontology#" + quote(iri[len(str(LGDX)):], safe="")
        return None

    def href(self, iri: str) -> str:
        """A link to ``iri``: the local page when this server has one, else the IRI itself."""
        return self.local_path(iri) or iri_to_uri(iri)

    def iri_of_path(self, raw_path: str) -> str:
        """The IRI a request path names: the site root plus the path, non-ASCII decoded."""
        return self.root + uri_to_iri(raw_path.lstrip("/"))

    def iris_of_path(self, raw_path: str) -> list[str]:
        """The IRIs a request path may name: :meth:`iri_of_path`, then the path as it is written
        (an IRI may keep ``%C3%A9`` escaped, and :meth:`local_path` links to it so)."""
        return list(dict.fromkeys((self.iri_of_path(raw_path), self.root + raw_path.lstrip("/"))))
