"""The pictures heatmaps are drawn on, kept apart from the events.

``base`` is the :class:`PictureStore` protocol and the types that cross it, ``sql`` its
one implementation (SQLAlchemy: SQLite by default, PostgreSQL in scale-out), ``legacy``
moves the pictures a previous version kept inside the event store. Session replay's
store is meant to sit beside this package with the same shape.
"""

from pageheat.pictures.base import (
    Background,
    PictureStore,
    Rect,
    Snapshot,
    states_without_snapshot,
)
from pageheat.pictures.sql import SQLPictures, open_pictures

__all__ = [
    "Background",
    "PictureStore",
    "Rect",
    "SQLPictures",
    "Snapshot",
    "open_pictures",
    "states_without_snapshot",
]
