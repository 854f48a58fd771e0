"""The ``kg`` command: thin click commands over the plain functions of the package.

The group and what its commands share live in ``app``; the commands in one module per family:
``data`` (build, validate, queries, query, export), ``stores`` (push, pull, harvest),
``cities`` (init, import), ``versions`` (release, diff) and ``serving`` (serve, mcp).
"""

from kg.cli import cities, data, serving, stores, versions  # noqa: F401  (each registers its commands)
from kg.cli.app import add_global_options, main

for _command in main.commands.values():
    add_global_options(_command)

__all__ = ["main"]
