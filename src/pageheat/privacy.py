"""Visitors' data rights, across the metadata and every store of an app's data (events,
pictures, session replays: ``Pageheat.app_data``): forget a visitor, delete an app, keep what is tied to
visitors only as long as the app's retention says.

The CLI (``pageheat forget``, ``pageheat app delete``, ``pageheat expire``) and the
retention job that ``pageheat serve`` runs are thin callers of these functions, so the
rules live in one place.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pageheat.app import Pageheat

log = logging.getLogger(__name__)

DAY_MS = 86_400_000


def forget_visitor(ph: Pageheat, visitor: str, app: str | None = None) -> dict[str, int]:
    """Delete one visitor id's data in one app, or in every app (a visitor id is random
    per site, but a person asking to be forgotten should not have to know the app)."""
    keys = [app] if app else [a.key for a in ph.meta.list_apps()]
    total: dict[str, int] = {}
    for key in keys:
        for store in (ph.store, ph.replays):
            for table, n in store.forget_visitor(key, visitor).items():
                total[table] = total.get(table, 0) + n
    return total


def forget_user(
    ph: Pageheat, user: str, app: str | None = None
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Delete the data of every visitor id the site identified as ``user``
    (``pageheat.identify``), in one app or in every app: app → the visitor ids found,
    and the rows deleted per table. Each visitor id is forgotten whole, as
    :func:`forget_visitor` does (its events, page views and replays, its anonymous
    sessions before or after the identify included: they are the same browser)."""
    keys = [app] if app else [a.key for a in ph.meta.list_apps()]
    found: dict[str, list[str]] = {}
    total: dict[str, int] = {}
    for key in keys:
        visitors = ph.store.user_visitors(key, user)
        if visitors:
            found[key] = visitors
        for visitor in visitors:
            for table, n in forget_visitor(ph, visitor, key).items():
                total[table] = total.get(table, 0) + n
    return found, total


def delete_app(ph: Pageheat, key: str) -> dict[str, int]:
    """Delete an app's events, pictures and settings. The events go first: if that
    fails, the app is still listed and the deletion can be run again."""
    if ph.meta.app(key) is None:
        raise LookupError(f"no app with key {key!r}")
    counts: dict[str, int] = {}
    for store in ph.app_data:  # events, pictures, replays
        counts.update(store.delete_app(key))
    ph.meta.delete_app(key)
    return counts


def retention_days(ph: Pageheat, key: str) -> int:
    """Days an app's events are kept: its own setting, else the instance's (0: forever)."""
    app = ph.meta.app(key)
    own = app.retention_days if app is not None else None
    return own if own is not None else ph.settings.retention_days


def expire(ph: Pageheat, now_ms: int | None = None) -> dict[str, dict[str, int]]:
    """Apply every app's retention once: app key → rows deleted per table (apps that
    keep everything are left out). Replays have their own, shorter retention
    (``replay_retention_days``); an app's event retention, when shorter, reaches them too."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    done: dict[str, dict[str, int]] = {}
    for app in ph.meta.list_apps():
        days = retention_days(ph, app.key)
        if days > 0:
            before = now_ms - days * DAY_MS
            done[app.key] = {}
            for store in ph.app_data:
                done[app.key].update(store.expire(app.key, before))
        replay_days = ph.settings.replay_retention_days
        if replay_days > 0 and (days <= 0 or replay_days < days):
            counts = done.setdefault(app.key, {})
            for table, n in ph.replays.expire(app.key, now_ms - replay_days * DAY_MS).items():
                counts[table] = counts.get(table, 0) + n
    return done


class RetentionJob:
    """Runs :func:`expire` every ``every_s`` seconds on a daemon thread (first run at
    start), so that retention holds without a cron entry. A failed run is logged and
    tried again next time."""

    def __init__(self, ph: Pageheat, every_s: float):
        self.ph = ph
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pageheat-retention", daemon=True)
        #: What the latest run deleted (app → table → rows), for logs and tests.
        self.last: dict[str, dict[str, int]] | None = None

    def start(self) -> RetentionJob:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = expire(self.ph)
                for key, counts in self.last.items():
                    if any(counts.values()):
                        log.info("retention: deleted %s from app %s", counts, key)
            except Exception:
                log.exception("retention run failed")
            self._stop.wait(self.every_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
