"""``/validation``: the build's validation findings by shape, each with the resources it concerns."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from kg.serve.responses import cached, render

#: Resources listed under each shape on the page; the rest are counted.
SHOWN = 50
ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


async def findings(request: Request) -> Response:
    """The findings of the build's report grouped by shape (severity first), as a page."""
    site = request.app.state.site
    return cached(request, "html", lambda headers: render(request, "validation.html", {"groups": groups(site)},
                                                           headers=headers), vary=False)


def groups(site) -> list[dict]:
    """One group per check (severity, shape, constraint, property and message): its count, message,
    fix and the resources it concerns."""
    found: dict[tuple, dict] = {}
    for focus, results in site.findings.items():
        for r in results:
            key = (r["severity"], r.get("shape") or "", r["constraint"], r.get("path") or "",
                   r["message"].get("en") or r["message"].get("ja") or "")
            group = found.get(key)
            if group is None:
                group = found[key] = {"severity": r["severity"], "constraint": r["constraint"], "path": r.get("path"),
                                      "shape": (r.get("shape") or "").rsplit("#", 1)[-1] or None,
                                      "message": r["message"], "fix": r.get("fix") or {}, "count": 0,
                                      "resources": []}
            group["count"] += 1
            if len(group["resources"]) < SHOWN:
                group["resources"].append({"iri": focus, "href": site.urls.href(focus), "label": r.get("focusLabel"),
                                           "compact": site.compact(focus)})
    return sorted(found.values(), key=lambda g: (ORDER.get(g["severity"], 3), -g["count"], g["shape"] or ""))
