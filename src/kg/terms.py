"""The terms of the data files: one table that is both the YAML schema and the JSON-LD context.

A data file's keys are these terms. ``kind`` says how a value is read:

- ``id``: a reference: ``kind/slug`` under the instance base, a prefixed name
  (``wd:Q1490``) or an absolute ``http(s)`` IRI;
- ``lang``: a language map ``{ja: …, en: …}`` (a value may be a list);
- ``string``, ``integer``, ``positiveInteger``, ``decimal``: typed literals;
- ``date``: a Japanese or ISO date of any precision (``平成29年5月``, ``令和2年12月28日``,
  ``令和4年度末``, ``2017-05``); ``date-start`` / ``date-end``: the first / last day of
  a period written as a date, month, year or fiscal year (``平成31年度`` → 2019-04-01);
- ``concept:SCHEME``: a concept of ``scheme/SCHEME``, by slug or by its Japanese label.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDFS, SKOS, XSD

from kg.namespaces import DEFAULT_BASE, ELI, LGDX, PREFIXES


@dataclass(frozen=True)
class Term:
    name: str
    iri: URIRef
    kind: str
    many: bool = False

    @property
    def scheme(self) -> str | None:
        return self.kind.split(":", 1)[1] if self.kind.startswith("concept:") else None


def _t(name: str, iri: URIRef, kind: str, many: bool = False) -> Term:
    return Term(name, URIRef(iri), kind, many)


TERMS: dict[str, Term] = {t.name: t for t in (
    # labels and text
    _t("label", RDFS.label, "lang"),
    _t("altLabel", SKOS.altLabel, "lang", True),
    _t("hiddenLabel", SKOS.hiddenLabel, "lang", True),
    _t("description", DCTERMS.description, "lang"),
    _t("definition", SKOS.definition, "lang"),
    _t("note", SKOS.note, "lang", True),
    _t("editorialNote", SKOS.editorialNote, "lang", True),
    _t("notation", SKOS.notation, "string"),
    # provenance and links
    _t("derivedFrom", PROV.wasDerivedFrom, "id", True),
    _t("seeAlso", RDFS.seeAlso, "id", True),
    _t("exactMatch", SKOS.exactMatch, "id", True),
    _t("closeMatch", SKOS.closeMatch, "id", True),
    _t("sameAs", OWL.sameAs, "id", True),
    _t("isPartOf", DCTERMS.isPartOf, "id"),
    _t("section", LGDX.section, "string"),
    # concept schemes
    _t("inScheme", SKOS.inScheme, "id"),
    _t("topConceptOf", SKOS.topConceptOf, "id"),
    _t("broader", SKOS.broader, "id", True),
    # organisations and places
    _t("localGovernmentCode", LGDX.localGovernmentCode, "string"),
    _t("corporateNumber", LGDX.corporateNumber, "string"),
    _t("spatial", DCTERMS.spatial, "id"),
    _t("subOrganizationOf", ORG.subOrganizationOf, "id"),
    # policies and plans
    _t("publisher", DCTERMS.publisher, "id", True),
    _t("issued", DCTERMS.issued, "date"),
    _t("modified", DCTERMS.modified, "date", True),
    _t("basedOn", LGDX.basedOn, "id", True),
    _t("periodStart", LGDX.periodStart, "date-start"),
    _t("periodEnd", LGDX.periodEnd, "date-end"),
    _t("ordinal", LGDX.ordinal, "positiveInteger"),
    _t("succeeds", LGDX.succeeds, "id"),
    _t("achievementRate", LGDX.achievementRate, "decimal"),
    _t("goal", LGDX.goal, "lang", True),
    _t("pillar", LGDX.pillar, "lang", True),
    _t("aim", LGDX.aim, "lang", True),
    _t("aimsAt", LGDX.aimsAt, "id", True),
    _t("targetDate", LGDX.targetDate, "date"),
    # laws
    _t("lawNumber", LGDX.lawNumber, "string"),
    _t("eGovLawId", LGDX.eGovLawId, "string"),
    _t("dateDocument", ELI.date_document, "date"),
    _t("datePublication", ELI.date_publication, "date"),
    _t("firstDateEntryInForce", ELI.first_date_entry_in_force, "date"),
    _t("dateFullyInForce", LGDX.dateFullyInForce, "date"),
    _t("dateNoLongerInForce", ELI.date_no_longer_in_force, "date"),
    _t("amends", ELI.amends, "id", True),
    _t("repeals", ELI.repeals, "id", True),
    _t("consolidates", LGDX.consolidates, "id", True),
    # measures
    _t("partOf", LGDX.partOf, "id"),
    _t("itemNumber", LGDX.itemNumber, "positiveInteger"),
    _t("goalType", LGDX.goalType, "concept:goal-type"),
    _t("achievementStatus", LGDX.achievementStatus, "concept:achievement-status"),
    _t("direction", LGDX.direction, "concept:direction"),
    _t("progressNote", LGDX.progressNote, "lang", True),
    _t("concernsSystem", LGDX.concernsSystem, "id", True),
    _t("concernsTechnology", LGDX.concernsTechnology, "id", True),
    # systems, technologies, events, figures
    _t("operatedBy", LGDX.operatedBy, "id", True),
    _t("coversBusinessArea", LGDX.coversBusinessArea, "id", True),
    _t("hasUseCase", LGDX.hasUseCase, "id", True),
    _t("occurredOn", LGDX.occurredOn, "date"),
    _t("involves", LGDX.involves, "id", True),
    _t("ledTo", LGDX.ledTo, "id", True),
    _t("indicator", LGDX.indicator, "id"),
    _t("value", LGDX.value, "decimal"),
    _t("unit", LGDX.unit, "id"),
    _t("observedOn", LGDX.observedOn, "date"),
    _t("subject", LGDX.subject, "id"),
)}

#: Keys that are not properties: the node's own IRI and its classes.
ID_KEY, TYPE_KEY = "id", "type"

#: Kinds whose value is an RDF literal of a fixed datatype.
DATATYPES = {
    "string": XSD.string,
    "integer": XSD.integer,
    "positiveInteger": XSD.positiveInteger,
    "decimal": XSD.decimal,
}


def context() -> dict:
    """The JSON-LD context of the data files and the compacted dumps."""
    ctx: dict = {
        "@version": 1.1,
        "@base": DEFAULT_BASE,
        "@vocab": str(LGDX),
        ID_KEY: "@id",
        TYPE_KEY: "@type",
    }
    # a prefix that is also a term (``unit``) would not expand in values: write full IRIs there
    ctx.update({prefix: str(ns) for prefix, ns in PREFIXES.items() if prefix != "id" and prefix not in TERMS})
    for term in TERMS.values():
        entry: dict = {"@id": _compact(term.iri)}
        if term.kind == "id" or term.scheme:
            entry["@type"] = "@id"
        elif term.kind == "lang":
            entry["@container"] = "@language"
        elif term.kind in DATATYPES and term.kind != "string":
            entry["@type"] = _compact(DATATYPES[term.kind])
        elif term.kind in ("date-start", "date-end"):
            entry["@type"] = "xsd:date"
        if term.many and term.kind == "id":
            entry["@container"] = "@set"
        ctx[term.name] = entry
    return {"@context": ctx}


def _compact(value: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if value.startswith(str(ns)) and prefix != "id":
            return f"{prefix}:{value[len(str(ns)):]}"
    return str(value)
