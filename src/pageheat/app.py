"""The one object that holds pageheat together, as Datasette's ``Datasette`` does.

A :class:`Pageheat` is built from :class:`~pageheat.settings.Settings`; it owns the event
store, the picture store, the metadata store, the single writer, the backgrounds service,
and the state that lives as long as the process: rate limits, metrics and the snapshot
asks. The web app (``web/server.py`` builds it from one), the CLI and the tests each make
one and use it; this module knows nothing of HTTP.
"""

from __future__ import annotations

import contextlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path

from pageheat.appdata import AppData
from pageheat.collect.asks import SnapshotAsks
from pageheat.collect.enrich import Geo
from pageheat.collect.guard import TokenBuckets
from pageheat.collect.protocol import Limits, build_protocol
from pageheat.collect.writer import Writer
from pageheat.meta import MetaStore, normalise_origin
from pageheat.metrics import Metrics
from pageheat.pictures import PictureStore, open_pictures
from pageheat.pictures.legacy import move_from_duckdb
from pageheat.replay import ReplayStore, open_replays
from pageheat.replay.writer import ReplayWriter
from pageheat.settings import Settings
from pageheat.snapshots.backgrounds import Backgrounds, Timing
from pageheat.snapshots.screenshot import FetchRule, Screenshotter
from pageheat.store.base import EventStore, WidthClasses, WidthRange


def open_store(settings: Settings) -> EventStore:
    """The event store the settings name: the DuckDB file unless ``events_url`` says else
    (``clickhouse://host:9000/db``, with ``?cluster=NAME`` for a sharded cluster)."""
    url = settings.events_url
    widths = WidthClasses.from_settings(settings)
    if not url or url.startswith("duckdb:"):
        from pageheat.store.duckdb import DuckDBStore

        return DuckDBStore(duckdb_path(settings), widths)
    if url.startswith("clickhouse:"):
        from pageheat.store.clickhouse import ClickHouseStore

        return ClickHouseStore.open(url, widths=widths)
    raise ValueError(f"unsupported events URL {url!r} (duckdb:PATH or clickhouse://HOST:PORT/DB)")


def open_replay_store(settings: Settings) -> ReplayStore:
    """The replay store beside the event store: ClickHouse when the events are there (so
    every server of a scaled-out install reads the same replays), else the data
    directory's ``replays.sqlite``."""
    if settings.events_url.startswith("clickhouse:"):
        from pageheat.replay.clickhouse import ClickHouseReplays

        return ClickHouseReplays.open(settings.events_url)
    return open_replays(settings)


def duckdb_path(settings: Settings) -> Path | str:
    """The DuckDB events file of the settings (``events_url`` ``duckdb:PATH``, else the
    data directory's ``events.duckdb``)."""
    url = settings.events_url
    path = url.removeprefix("duckdb://").removeprefix("duckdb:") if url else ""
    return path or settings.data_dir / "events.duckdb"


def open_meta(settings: Settings) -> MetaStore:
    """The metadata database of the settings: ``meta_url``, else SQLite in the data
    directory. The CLI's account commands open only this, so they work while a server
    holds the event store."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return MetaStore(
        settings.meta_url or f"sqlite:///{settings.data_dir / 'meta.sqlite'}",
        cache_s=settings.meta_cache_s,
        session_days=settings.login_session_days,
    )


class Pageheat:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.load()
        self.data_dir: Path = self.settings.data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.protocol = build_protocol(Limits.from_settings(self.settings))
        #: Snapshots, backgrounds and element boxes (``pictures/``), beside the metadata.
        self.pictures: PictureStore = open_pictures(self.settings)
        self.store: EventStore = open_store(self.settings)
        if not self.settings.events_url.startswith("clickhouse:"):
            # a file written by a version that kept pictures in it: move them out, as
            # the embedded store does its other upgrades, on opening. After the store
            # opened the file, so the move's connection shares its database instead of
            # opening the file a second time (DuckDB keeps one instance per file).
            move_from_duckdb(duckdb_path(self.settings), self.pictures)
        #: Session replays (``replay/``): rrweb chunks, ``replays.sqlite`` by default,
        #: in ClickHouse beside the events when they are there.
        self.replays: ReplayStore = open_replay_store(self.settings)
        #: Every store of an app's data: what deleting an app and retention reach.
        self.app_data: list[AppData] = [self.store, self.pictures, self.replays]
        self.meta = open_meta(self.settings)
        self.writer = Writer(
            self.store,
            self.settings.commit_interval_ms,
            self.settings.commit_rows,
            max_pending=self.settings.max_queue_events,
        )
        #: Replay chunks' own queue and thread, so recording never slows event ingest.
        self.replay_writer = ReplayWriter(self.replays, self.settings.replay_queue_bytes)
        #: Threads that run a heatmap's store reads beside its drawing (reports.render);
        #: they start on first use, so the CLI that draws nothing starts none.
        self.render_pool = ThreadPoolExecutor(
            self.settings.render_threads, thread_name_prefix="pageheat-render"
        )
        #: Country and city of visitors' addresses (empty without ``geoip_db``).
        self.geo = Geo(self.settings.geoip_db)
        self.backgrounds = Backgrounds(
            self.store,
            self.pictures,
            Screenshotter(
                self.settings.chromium,
                self.settings.screenshot_timeout_s,
                self.settings.screenshot_max_height,
                fetch_allowed=FetchRule(self._trusted_origins),
            ),
            url_allowed=self._page_of_app,
            timing=Timing.from_settings(self.settings),
        )
        s = self.settings
        #: Prometheus counters of this process (its own registry: tests make many).
        self.metrics = Metrics(self.writer)
        #: Which page states visitors were asked to snapshot lately.
        self.snapshot_asks = SnapshotAsks(s.snapshot_ask_s, s.snapshot_states_max)
        #: The collector's rate limits: requests per client address, events per app.
        self.rate_per_ip = TokenBuckets(s.rate_ip_per_s, s.rate_ip_burst)
        self.rate_per_app = TokenBuckets(s.rate_app_per_s, s.rate_app_burst)
        #: Wrong sign-in attempts per address: login_burst at once, then
        #: login_retries_per_min a minute.
        self.wrong_logins = TokenBuckets(rate=s.login_retries_per_min / 60, burst=s.login_burst)

    def _trusted_origins(self) -> set[str]:
        """Origins a live capture may fetch wherever they point (snapshots/screenshot.py,
        FetchRule): every app's allowed origins and pageheat's own URL."""
        origins = {o for app in self.meta.list_apps() for o in app.origins if o != "*"}
        with contextlib.suppress(ValueError):
            origins.add(normalise_origin(self.public_url))
        return origins

    def _page_of_app(self, key: str, url: str) -> bool:
        """Whether ``url`` is an http(s) page on one of the app's allowed origins."""
        app = self.meta.app(key)
        if app is None or not url.startswith(("http://", "https://")):
            return False
        try:
            return app.allows(normalise_origin(url))
        except ValueError:
            return False

    @cached_property
    def admin_token(self) -> str:
        """The admin token: the setting, else one kept in the data directory."""
        if self.settings.admin_token:
            return self.settings.admin_token
        path = self.data_dir / "admin_token"
        if path.exists():
            return path.read_text().strip()
        token = secrets.token_urlsafe(24)
        path.write_text(token + "\n")
        path.chmod(0o600)
        return token

    def width_range(self, text: str) -> WidthRange:
        """A width class or ``MIN-MAX`` under the bounds the store classes rows by."""
        return WidthRange.parse(text, self.store.widths)

    @property
    def public_url(self) -> str:
        s = self.settings
        return (s.public_url or f"http://{s.host}:{s.port}").rstrip("/")

    def script_tag(self, key: str, sample_rate: float = 1.0, respect_dnt: bool = False) -> str:
        """The tag a site pastes. Sampling and Do-Not-Track are written on it, so the
        tracker stays silent in browsers it would not be allowed to measure; the collector
        checks both again (collect/guard.py), so an old tag cannot override them."""
        extra = f' data-sample="{sample_rate:g}"' if sample_rate < 1 else ""
        extra += " data-respect-dnt" if respect_dnt else ""
        return (f'<script src="{self.public_url}/pageheat.js" data-app="{key}"{extra}'
                " defer></script>")  # fmt: skip

    def close(self) -> None:
        """Commit what the writer holds, then close everything (in that order)."""
        self.writer.close()
        self.replay_writer.close()
        self.render_pool.shutdown(wait=True)
        self.backgrounds.close()
        self.store.close()
        self.pictures.close()
        self.replays.close()
        self.meta.close()
        self.geo.close()
