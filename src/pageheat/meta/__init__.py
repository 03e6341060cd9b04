"""Metadata: the things people create: apps, users and their keys, saved heatmaps and
share links, in one SQL database."""

from pageheat.meta.accounts import Principal
from pageheat.meta.store import App, MetaStore, normalise_origin

__all__ = ["App", "MetaStore", "Principal", "normalise_origin"]
