"""A JSON Schema for each framed dump, from its frame and the published context."""

from __future__ import annotations

from kg.catalog import site_root
from kg.errors import KgError
from kg.framing import Compactor, Frame, Key
from kg.terms import TERMS

LANGUAGE_TAG = "^[a-z]{2,3}(-[A-Za-z0-9]+)*$"
STRING = {"type": "string"}
#: A literal with its datatype, for terms the context gives no datatype (dates of any precision).
TYPED_VALUE = {"type": "object", "required": ["@value", "@type"], "additionalProperties": False,
               "properties": {"@value": STRING, "@type": STRING}}


def frame_schema(frame: Frame, context: dict, base: str) -> dict:
    """The JSON Schema of ``kg-NAME.framed.jsonld``: every record, key and value shape."""
    keys = {key.name: key for key in Compactor(context, base).keys.values()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{site_root(base)}download/kg-{frame.name}.framed.schema.json",
        "title": f"kg-{frame.name}.framed.jsonld",
        "description": f"One record per {' or '.join(frame.types)}, framed by frames/{frame.name}.frame.jsonld: "
                       "each key always has the shape given here.",
        "type": "object",
        "required": ["@context", "@graph"],
        "additionalProperties": False,
        "properties": {
            "@context": {"type": "object"},
            "@graph": {"type": "array", "items": _record(frame, keys, ["id", "type"])},
        },
    }


def _record(frame: Frame, keys: dict[str, Key], required: list[str]) -> dict:
    properties = {"id": STRING, "type": {"type": "array", "items": STRING, "minItems": 1}}
    for name, sub in frame.keys.items():
        key = keys.get(name)
        if key is None:
            raise KgError(f"frames/{frame.name}: `{name}` is not a term of the context",
                          fix="use the terms of context.jsonld (data/README.md lists them)")
        properties[name] = _value(key, sub, keys)
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


def _value(key: Key, sub: Frame | None, keys: dict[str, Key]) -> dict:
    if key.kind == "lang":
        text = {"type": "array", "items": STRING} if key.many else STRING
        return {"type": "object", "propertyNames": {"pattern": LANGUAGE_TAG}, "additionalProperties": text}
    if key.kind == "id":
        one = _record(sub, keys, ["id"]) if sub is not None else STRING
    elif key.kind == "plain" and key.name in TERMS and TERMS[key.name].kind == "date":
        one = TYPED_VALUE
    else:
        one = STRING
    return {"type": "array", "items": one} if key.many else one
