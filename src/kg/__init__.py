"""kg: Japanese local-government digital policy as a validated, linked knowledge graph."""

__version__ = "0.1.0"
