"""What the component families share."""

from __future__ import annotations

from kg.fastvalidate.errors import UnsupportedShapeError
from kg.namespaces import SH

#: Where a check's query takes the focus-node pattern (one query per target).
TARGETS = "%%TARGETS%%"


def needs_path(g, shape, names, path) -> None:
    """Refuse constraints that SHACL defines for property shapes only, on a node shape."""
    if path is None:
        for name in names:
            if g.value(shape, SH[name]) is not None:
                raise UnsupportedShapeError(f"sh:{name} on node shape {shape} needs a sh:path",
                                            fix="move it into a property shape")
