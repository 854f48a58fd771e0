"""The limits in force, and the checks every input file passes first: readable, regular, not too large."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from kg.errors import LoadError, Location


@dataclass(frozen=True)
class Limits:
    """The most one input file may hold; the README's table lists them."""

    file_size: int = 1 << 30       #: bytes of one file (a 3M-triple N-Triples dump is ~510 MB)
    literal: int = 1 << 20         #: bytes of one literal, string or line of N-Triples
    depth: int = 64                #: nesting of YAML, JSON, XML elements and Turtle brackets
    entries: int = 5_000           #: resources of one YAML file, rows of one table
    aliases: int = 1_000           #: YAML aliases (`*name`) in one file

    @property
    def yaml_nodes(self) -> int:
        """Values (keys, texts, items) of one YAML file, aliases expanded: 50 for each entry allowed
        (the project's own files hold 28 a resource on average, 70 at most)."""
        return 50 * self.entries


_current: ContextVar[Limits] = ContextVar("limits", default=Limits())


def current() -> Limits:
    """The limits in force."""
    return _current.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Run the block with ``limits`` in force."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


class InputWarning(UserWarning):
    """Something in an input file that works but is likely a mistake (shown as ``warning:``)."""


def size_text(n: int) -> str:
    """``n`` bytes for people: 1 GiB, 512 KiB, 300 B."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << (shift - 4)) == 0:
            return f"{n / (1 << shift):g} {unit}"
    return f"{n} B"


def parse_size(text: str) -> int:
    """``"64M"``, ``"1G"``, ``"512k"`` or plain bytes → bytes."""
    m = re.fullmatch(r"\s*([0-9]+)\s*([kKmMgG]?)i?[bB]?\s*", text)
    if not m:
        raise ValueError(f"`{text}` is not a size: write bytes or e.g. 64M, 1G")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def breach(what: str, where: Location, option: str) -> LoadError:
    """The error of a file past a limit, with the option that raises it."""
    return LoadError(what, where, f"if the file is meant to be this way, raise the limit with {option}")


# --- files ---------------------------------------------------------------------

def check_file(path: Path) -> None:
    """``path`` is a readable regular file within the size limit (checked before reading it)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
            raise LoadError("cannot read: not a regular file", Location(str(path)), "give a file")
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", Location(str(path)),
                        "check the path and that the file can be read") from None
    size, limit = info.st_size, current().file_size
    if size > limit:
        raise breach(f"file of {size_text(size)} is larger than the limit of {size_text(limit)}",
                      Location(str(path)), "--max-file-size")


def walk_files(folder: Path) -> Iterator[Path]:
    """Every file below ``folder`` (each folder's in name order); a folder that cannot be read
    is an error naming it, where ``Path.rglob`` would pass over it without a word."""
    def refuse(exc: OSError):
        raise LoadError(f"cannot read folder: {exc.strerror}", Location(exc.filename or str(folder)),
                        "make the folder readable, or move it out of data/") from None

    for root, dirs, files in os.walk(folder, onerror=refuse):
        dirs.sort()
        for name in files:
            yield Path(root) / name
