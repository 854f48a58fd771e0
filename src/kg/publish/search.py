"""The search index of a published site (``/search.json``), read by ``/static/search.js``.

The server's search runs over the same labels (:func:`kg.serve.fetch.searched_labels`): here they are
written once, with what a hit shows (its page, labels and classes), so the page can search them.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.serve import fetch
from kg.serve.site import Site


def search_index(site: Site, data: fetch.Data, pages: set[str]) -> bytes:
    """``{"classes": [[name, label]…], "items": [[href, ja, en, [class…]]…], "labels": [[item, text, lang]…]}``
    for the resources with a page among ``pages`` (their local paths)."""
    classes: dict[str, int] = {}
    class_rows: list[list[str]] = []
    items: dict[str, int] = {}
    item_rows: list[list] = []
    labels = []
    for _, iri, text, lang in fetch.searched_labels(data):
        href = site.urls.local_path(iri)
        if href not in pages:
            continue
        item = items.get(iri)
        if item is None:
            item = items[iri] = len(item_rows)
            own = fetch.labels_of(data, iri)
            types = []
            for quad in data.store.quads_for_pattern(ox.NamedNode(iri), fetch.RDF_TYPE, None):
                name = site.class_name(quad.object.value)
                if site.class_href(quad.object.value):
                    if name not in classes:
                        classes[name] = len(class_rows)
                        label = site.term_label(quad.object.value)
                        class_rows.append([name, label.get("ja") or label.get("en") or name])
                    types.append(classes[name])
            item_rows.append([href, own.get("ja") or own.get("", ""), own.get("en", ""), types])
        labels.append([item, text, lang])
    index = {"classes": class_rows, "items": item_rows, "labels": labels}
    return json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode()
