"""YAML data files and plan tables: entries, values, nesting, aliases and text sizes, before anything is built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from kg.errors import LoadError, Location
from kg.limits.contract import breach, current, size_text

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Bytes that can end or open a YAML node: a file with fewer of them holds fewer nodes.
_YAML_MARKS = (b",", b"[", b"{", b":", b"-", b"\n", b"?", b"*")


def check_yaml_text(text: str, path: Path) -> None:
    """The number of nodes of a YAML text, before the composer builds one object for each.

    Counting the bytes that can mark a node bounds the count; only a text over the limit by
    that count has its nodes counted exactly, from the parser's events (none kept).
    """
    limit = current().yaml_nodes
    data = text.encode("utf-8")
    if sum(data.count(mark) for mark in _YAML_MARKS) < limit:
        return
    nodes = 0
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent, yaml.AliasEvent)):
                nodes += 1
                if nodes > limit:
                    raise _nodes_breach(Location(str(path), event.start_mark.line + 1))
    except yaml.YAMLError:
        return  # malformed: the composer reports it, with its line


def _nodes_breach(where: Location) -> LoadError:
    limits = current()
    return breach(f"YAML file of more than {limits.yaml_nodes:,} values (aliases expanded; "
                  f"{limits.yaml_nodes // limits.entries} for each of {limits.entries:,} resources)",
                  where, "--max-entries, or split the file")


def check_yaml(root: yaml.Node, path: Path) -> None:
    """Entries, nesting, aliases, alias expansion and scalar sizes of a composed YAML document.

    The composer makes one node of an anchor however often it is aliased, so the tree it
    returns is small; turning the nodes into values copies a node at every alias, which is
    what an alias bomb relies on. This walk counts what that copying would make, without
    copying, and finds an alias inside its own anchor (a cycle) before anything recurses.
    """
    limits = current()
    if isinstance(root, yaml.SequenceNode) and len(root.value) > limits.entries:
        raise breach(f"more than {limits.entries:,} resources in one file",
                      Location(str(path), root.value[limits.entries].start_mark.line + 1),
                      "--max-entries, or split the file")
    sizes: dict[int, int] = {}     # node → nodes it stands for once expanded
    expanded, aliases = 1, 0
    path_ids: set[int] = {id(root)}  # the nodes on the way down to the current one
    stack = [(root, _children(root))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            path_ids.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        alias = id(child) in sizes or id(child) in path_ids
        # an alias is the anchored node itself, marked where the anchor is: name the collection holding it
        where = Location(str(path), (node if alias else child).start_mark.line + 1)
        if id(child) in path_ids:
            raise LoadError("an alias lies inside its own anchor", where,
                            "an alias cannot contain itself: write the value out")
        expanded += sizes.get(id(child), 1)
        if alias:
            aliases += 1
            if aliases > limits.aliases or expanded > limits.yaml_nodes:
                raise LoadError(f"YAML aliases past the limit ({limits.aliases:,} aliases, the file "
                                f"{limits.yaml_nodes:,} values once they are expanded)", where,
                                "write the values out instead of repeating anchors (`&name`/`*name`)")
            continue
        if expanded > limits.yaml_nodes:
            raise _nodes_breach(where)
        if isinstance(child, yaml.ScalarNode):
            if len(child.value) * 4 > limits.literal and len(child.value.encode("utf-8")) > limits.literal:
                raise breach(f"text longer than the limit of {size_text(limits.literal)}", where,
                              "--max-literal")
            sizes[id(child)] = 1
            continue
        if len(stack) >= limits.depth:
            raise breach(f"YAML nested deeper than {limits.depth} levels", where, "--max-depth")
        path_ids.add(id(child))
        stack.append((child, _children(child)))


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return iter(node.value)
    if isinstance(node, yaml.MappingNode):
        return (n for pair in node.value for n in pair)
    return iter(())


def check_table(lines: list[str], path: Path) -> None:
    """A plan table has at most ``entries`` rows (counted as lines, before any row is read)."""
    limit = current().entries
    if len(lines) > limit + 1:
        raise breach(f"more than {limit:,} rows in one table", Location(str(path), limit + 2),
                      "--max-entries, or split the plan's table")
