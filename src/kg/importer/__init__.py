"""``kg import``: a measure table as a city published it → the plan's files in the project's format.

Read (``read``) → find the heading rows and map the columns (``headers``) → check and convert each
row (``rows``) → write ``PLAN.measures.csv`` and ``PLAN.sources.yaml`` beside the plan (``write``).
Nothing is written unless every row could be used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import RDFS, SKOS

from kg.build import write_file_atomically
from kg.errors import LoadError, Location
from kg.importer.headers import find_layout
from kg.importer.read import column_letter, read_grid
from kg.importer.rows import SCHEME_COLUMNS, convert, read_mapping
from kg.importer.write import SOURCES_SUFFIX, sources_yaml, table_csv
from kg.load import DATA_SUFFIXES, IMPORT_MAPPING_SUFFIX, data_files, load_paths
from kg.namespaces import iri, valid_slug


@dataclass
class ImportResult:
    """What an import wrote and what it kept as notes."""

    measures: int
    files: list[Path]
    kept: dict[str, int]
    encoding: str | None


def import_table(data_dir: Path, table: Path, plan: str, sheet: str | None = None, encoding: str | None = None,
                 columns: list[str] = (), log: Callable[[str], None] = lambda _: None) -> ImportResult:
    """Import ``table`` as the measures of ``plan`` (``plan/SLUG`` or ``SLUG``) defined in ``data_dir``."""
    slug = plan.removeprefix("plan/")
    if not valid_slug("plan", slug):
        raise LoadError(f"`{plan}` is not a plan id", Location("--plan"), "write plan/SLUG, e.g. plan/kawasaki-it-plan-1")
    own_sources = f"{slug}{SOURCES_SUFFIX}"  # the last import's provenance: replaced, not needed to find the plan
    loaded = load_paths([p for p in data_files(data_dir) if p.name.endswith(DATA_SUFFIXES) and p.name != own_sources])
    where = loaded.index.nodes.get(iri("plan", slug))
    if where is None:
        raise LoadError(f"plan/{slug} is not defined in {data_dir}", Location("--plan"),
                        "define the plan first (id, type: Plan, label …) in the city's plans.yaml")
    folder = Path(where.file).parent
    mapping = read_mapping(folder / f"{slug}{IMPORT_MAPPING_SUFFIX}", list(columns))
    grid = read_grid(table, sheet, encoding)
    log(f"read {len(grid.rows)} rows from {grid.name}" + (f" (sheet {grid.sheet})" if grid.sheet else "")
        + (f" as {grid.encoding}" if grid.encoding else ""))
    layout = find_layout(grid, mapping.columns)
    log("columns: " + ", ".join(f"{column_letter(c)} {k}" for c, k in sorted(layout.columns.items())))
    for column in sorted(set(mapping.values) - set(layout.columns.values())):
        log(f"note: {mapping.hint_path} has words for {column}, but no column of the table is mapped to it "
            f"(name it with `columns: {{HEADING: {column}}}` or --columns \"HEADING={column}\")")
    converted = convert(grid, layout, mapping, _concept_names(loaded.graph))
    for heading, count in converted.kept.items():
        log(f"kept as notes (注記): {heading}, {count} cell(s)")
    table_path = folder / f"{slug}.measures.csv"
    sources_path = folder / own_sources
    headings = {column_letter(c): h.replace("\n", " ") for c, h in sorted(layout.headings.items())}
    outputs = {table_path: table_csv(slug, converted.rows, table_path),
               sources_path: sources_yaml(slug, grid, headings, converted.rows)}
    for path, content in outputs.items():
        write_file_atomically(path, content)
    log(f"wrote {len(converted.rows)} measures to {table_path} and their provenance to {sources_path}")
    return ImportResult(len(converted.rows), list(outputs), converted.kept, grid.encoding)


def _concept_names(graph) -> dict[str, dict[str, str]]:
    """Per scheme column: each concept's labels and notation → its Japanese label."""
    names: dict[str, dict[str, str]] = {}
    for column, scheme in SCHEME_COLUMNS.items():
        found = names.setdefault(column, {})
        for concept in graph.subjects(SKOS.inScheme, iri("scheme", scheme)):
            ja = next((str(x) for x in graph.objects(concept, RDFS.label) if getattr(x, "language", None) == "ja"), None)
            if ja is None:
                continue
            for name in [*graph.objects(concept, RDFS.label), *graph.objects(concept, SKOS.notation)]:
                found[str(name)] = ja
    return names

