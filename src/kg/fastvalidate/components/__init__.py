"""The SHACL Core constraint components, one module per family (as the SHACL specification
groups them in its section 4).

Each family module gives:

- ``VALUES``: for the constraints decided on each value node alone, a function
  ``(compiler, parameter, shape, v, stack) -> str``, a SPARQL expression of whether the
  node in variable ``v`` meets the constraint;
- ``check(site)``: the checks of the family's constraints on a shape at the top level
  (``kg.fastvalidate.compiler.Site``), whose rows become results;
- ``expressions(compiler, shape, f, path, stack)``: SPARQL expressions of whether the node
  in ``f`` meets the family's constraints of ``shape`` (``path`` is the shape's SPARQL path,
  or None for a node shape), for a shape nested in another.
"""

from __future__ import annotations

from kg.fastvalidate.components import (cardinality, logical, other, property_pair, shape_based, string_based,
                                        value_range, value_type)

FAMILIES = (value_type, cardinality, value_range, string_based, property_pair, logical, shape_based, other)
VALUE_EXPRESSIONS = {name: fn for family in FAMILIES for name, fn in family.VALUES.items()}
