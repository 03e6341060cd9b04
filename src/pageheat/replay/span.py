"""When a session's replay starts and ends: what a player needs before its first window.

A player opened at "t ms after the session's start" asks for the events from there on
(``ReplayStore.events``'s ``from_ms``), so it needs the session's first and last event
times first, without reading its chunks. Not (yet) a method of the ``ReplayStore``
protocol in ``base.py``: each store here answers it from the chunk spans it already
keeps (``first_ms``/``last_ms``); a store with a ``span`` method of its own is asked
that instead.
"""

from __future__ import annotations

from typing import Any


def span(store: Any, app: str, session: str) -> tuple[int, int] | None:
    """(first event ms, last event ms) of a session's replay, None when it has none."""
    own = getattr(store, "span", None)
    if own is not None:
        return own(app, session)
    from pageheat.replay.sqlite import SQLiteReplays

    if isinstance(store, SQLiteReplays):
        with store._lock:
            lo, hi = store._con.execute(
                "SELECT min(first_ms), max(last_ms) FROM replay_chunks WHERE app = ?"
                " AND session = ?", (app, session)
            ).fetchone()  # fmt: skip
        return None if lo is None else (int(lo), int(hi))
    raise TypeError(f"{type(store).__name__} cannot tell a replay's span")


__all__ = ["span"]
