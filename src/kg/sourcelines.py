"""Where a resource is written in an RDF file: the line of the first statement about it.

Found by the written form of the subject (``<IRI>`` or a prefixed name declared in the file)
at the start of a line, as Turtle and N-Triples writers put it; used for ``file:line`` in
reports of RDF files, whichever engine checked them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kg.errors import Location

#: The Turtle/N-Triples syntaxes whose statements start with their subject on a line.
LINE_FORMATS = (".ttl", ".nt", ".n3", ".trig", ".nq")
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)


def subject_lines(path: Path, nodes: Iterable) -> dict:
    """The ``Location`` of each of ``nodes`` (IRIs, blank nodes) in ``path``; the file alone if
    its syntax does not tell lines or a node is not found at the start of one."""
    nodes = list(nodes)
    if path.suffix not in LINE_FORMATS:
        return {node: Location(str(path)) for node in nodes}
    first: dict[str, int] = {}
    prefixes: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            declared = _PREFIX.match(line)
            if declared:
                prefixes[declared[2]] = declared[1]
                continue
            token = line.split(None, 1)[0] if line.strip() else ""
            if token and token not in first:
                first[token] = number
    found = {}
    for node in nodes:
        text = str(node)
        forms = [f"<{text}>", f"_:{text}"]
        forms += [f"{prefix}:{text[len(ns):]}" for ns, prefix in prefixes.items() if text.startswith(ns)]
        found[node] = Location(str(path), next((first[f] for f in forms if f in first), None))
    return found
