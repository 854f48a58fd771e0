"""What the fast validator refuses, so that it never under-reports silently."""

from kg.errors import KgError


class UnsupportedShapeError(KgError):
    """The shapes use a SHACL feature this validator does not implement (use pySHACL)."""


class UnsupportedDataError(KgError):
    """The data holds something the store cannot keep apart (use pySHACL)."""
