"""Metadata: the things people create (apps now; users, saved heatmaps and share links later)."""

from pageheat.meta.store import App, MetaStore, normalise_origin

__all__ = ["App", "MetaStore", "normalise_origin"]
