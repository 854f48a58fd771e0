"""Page and endpoint handlers, one module per kind of URL."""
