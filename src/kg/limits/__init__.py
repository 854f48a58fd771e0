"""What an input file may ask of kg: the limits of the input contract, checked before the work they protect.

Every file a stranger can hand kg (YAML, CSV, Turtle, N-Triples, JSON-LD, RDF/XML) passes
through here before a parser builds anything from it: its size, the nesting depth, the
size of one literal, the entries of a data file, YAML aliases (count and what they expand
to), and no outside reads on the file's behalf (JSON-LD ``@context``/``@import`` by URL or
file, XML DOCTYPEs and entities). Each check is one pass over the text (read at most once
into memory) that keeps only counters, so a hostile file costs time in proportion to its
size. A breach is a ``LoadError`` naming the file, the line and the ``--max-*`` option that
raises the limit.

The limits in force are set per command (``using``); ``current()`` is what the checks read.
``contract`` holds them and the file checks, ``datafiles`` the YAML and table checks,
``values`` IRIs and language tags, ``rdf`` the scans of RDF files.
"""

from kg.limits.contract import InputWarning, Limits, check_file, current, parse_size, size_text, using, walk_files
from kg.limits.datafiles import check_table, check_yaml, check_yaml_text
from kg.limits.rdf import check_graph_iris, check_rdf
from kg.limits.values import check_iri, check_language, valid_iri

__all__ = ["InputWarning", "Limits", "check_file", "check_graph_iris", "check_iri", "check_language", "check_rdf",
           "check_table", "check_yaml", "check_yaml_text", "current", "parse_size", "size_text", "using",
           "valid_iri", "walk_files"]
