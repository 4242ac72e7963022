"""The chapter's printed results as a catalogue: data (``results.toml``), not code paths."""

from app.book.catalogue import BookResult, Catalogue, catalogue

__all__ = ["BookResult", "Catalogue", "catalogue"]
