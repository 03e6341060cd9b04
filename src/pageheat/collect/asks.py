"""Which page states a visitor is asked to snapshot.

A batch's 202 answer lists the page views whose page state (view, width class, layout
hash) pageheat has no picture of; their tracker then posts a snapshot. Asking every
visitor would make a thousand visitors arriving together upload a thousand snapshots of
one state, so each state is asked at most once every ``every_s`` seconds, and never once
a view and width class have ``max_states`` states pictured.
"""

from __future__ import annotations

import threading
import time

from pageheat.store.base import PageState


class SnapshotAsks:
    """The states asked lately, in memory: with several collector processes a state may be
    asked once per process, and the store keeps the first snapshot that arrives."""

    def __init__(self, every_s: float, max_states: int):
        self.every_s = every_s
        self.max_states = max_states
        self._asked: dict[tuple[str, str, str, str], float] = {}
        self._lock = threading.Lock()

    def pick(self, app: str, states: list[PageState]) -> list[str]:
        """The page view ids among ``states`` to ask for a snapshot now (and remember)."""
        now = time.monotonic()
        out = []
        with self._lock:
            if len(self._asked) > 10_000:  # forget the old asks rather than grow
                self._asked = {k: t for k, t in self._asked.items() if now - t < self.every_s}
            for st in states:
                key = (app, st.view, st.width_class, st.layout_hash)
                if st.known >= self.max_states or now - self._asked.get(key, -1e9) < self.every_s:
                    continue
                self._asked[key] = now
                out.append(st.view_id)
        return out
