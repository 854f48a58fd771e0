"""``kg publish``: a build as a static site, with the rules that make web servers negotiate formats."""

from kg.publish.site import PublishError, Published, publish

__all__ = ["PublishError", "Published", "publish"]
