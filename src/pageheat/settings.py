"""Every threshold and limit of pageheat, declared once as data.

The declaration is the single source for three things: the defaults the code uses, the
environment variables (``PAGEHEAT_<NAME>``) that override them, and the settings table in
``docs/settings.md`` (a test keeps that page equal to this list, as Datasette does for its
``settings.json``). Per-app settings (origins, sampling, privacy switches) live in the
metadata store instead, because they change at run time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def type(self) -> type:
        return type(self.default)

    @property
    def env(self) -> str:
        return "PAGEHEAT_" + self.name.upper()

    def parse(self, raw: str) -> Any:
        """Turn an environment string into the setting's type, or say which setting is bad."""
        try:
            if self.type is bool:
                low = raw.strip().lower()
                if low in {"1", "true", "yes", "on"}:
                    return True
                if low in {"0", "false", "no", "off", ""}:
                    return False
                raise ValueError(raw)
            return self.type(raw)
        except ValueError:
            raise SettingsError(f"{self.env}={raw!r} is not a valid {self.type.__name__}") from None


class SettingsError(ValueError):
    pass


SETTINGS: tuple[Setting, ...] = (
    # Where things live.
    Setting(
        "data", "data", "Data directory of the embedded default: events.duckdb and meta.sqlite."
    ),
    Setting(
        "events_url", "", "Event store URL; empty means the DuckDB file in the data directory."
    ),
    Setting(
        "meta_url",
        "",
        "Metadata and picture database URL (SQLAlchemy); empty means meta.sqlite and"
        " pictures.sqlite in the data directory.",
    ),
    Setting(
        "admin_token",
        "",
        "Bearer token with every right; generated and kept in the data directory when empty.",
    ),
    Setting("host", "127.0.0.1", "Interface `pageheat serve` listens on."),
    Setting("port", 8000, "Port `pageheat serve` listens on."),
    Setting(
        "public_url",
        "",
        "URL visitors' browsers reach pageheat at (used in script tags); defaults to http://HOST:PORT.",
    ),
    # What the collector learns from a request (the IP address itself is never kept).
    Setting(
        "geoip_db",
        "",
        "MaxMind GeoLite2/GeoIP2 City (or Country) .mmdb file for the country and city filters; empty means off.",
    ),
    Setting(
        "trusted_proxies",
        "",
        "Comma-separated addresses or networks (`127.0.0.1,10.0.0.0/8`) of the reverse proxies"
        " whose `X-Forwarded-For` and `X-Forwarded-Proto` pageheat believes, for the client's"
        " address (rate limits, GeoIP) and the scheme (the session cookie's `Secure` flag,"
        " redirects); empty means none: those headers are ignored.",
    ),
    # Wire protocol limits (docs/protocol.md).
    Setting("max_batch_bytes", 262_144, "Largest collect body in bytes; larger bodies get 413."),
    Setting("max_batch_events", 500, "Most events in one collect batch."),
    Setting("max_coordinate", 1_000_000.0, "Largest coordinate or size in CSS px."),
    Setting("max_id_length", 64, "Longest visitor, session, view or batch id."),
    Setting("max_selector_length", 1024, "Longest element selector."),
    Setting("max_text_length", 256, "Longest element text."),
    Setting("max_url_length", 2048, "Longest URL, referrer or href."),
    Setting("max_tags", 20, "Most `pageheat.tag` keys on one page view (each one a filter)."),
    Setting(
        "max_tag_key_length", 32, "Longest tag key (a letter, then letters, digits, `_`, `.`, `-`)."
    ),
    Setting("max_tag_value_length", 128, "Longest tag value."),
    Setting(
        "max_future_s",
        86_400,
        "How far ahead of the server clock an event time may be, in seconds.",
    ),
    # Group commit.
    Setting("commit_interval_ms", 50, "Longest wait before the writer commits waiting batches."),
    Setting("commit_rows", 20000, "Rows that make the writer commit at once."),
    # Overload: refuse early and say when to come back, rather than grow.
    Setting(
        "max_queue_events",
        50_000,
        "Events waiting for the writer above which collect answers 503 with Retry-After (backpressure).",
    ),
    Setting(
        "rate_ip_per_s",
        50.0,
        "Collect requests a second one client address may send (token bucket); 0 means no limit.",
    ),
    Setting("rate_ip_burst", 500, "Collect requests one client address may send at once."),
    Setting(
        "rate_app_per_s",
        5000.0,
        "Events a second one app may send (token bucket); 0 means no limit.",
    ),
    Setting("rate_app_burst", 50_000, "Events one app may send at once."),
    Setting(
        "keep_bots",
        False,
        "Store events from bots, crawlers, headless browsers and HTTP libraries (apps can also opt in one by one).",
    ),
    # Privacy and operations.
    Setting(
        "retention_days",
        0,
        "Days events are kept for apps without their own retention; 0 means forever.",
    ),
    Setting("retention_every_s", 3600, "Seconds between two runs of the retention job in `serve`."),
    Setting("log_json", False, "Write logs as JSON lines (one object a line) instead of text."),
    Setting(
        "metrics_public",
        False,
        "Serve /metrics without the admin token (for a scraper on a private network).",
    ),
    # Heat engine.
    Setting("cell_px", 10, "Heatmap grid cell in CSS px."),
    Setting("radius_mouse_px", 10, "Kernel radius for mouse clicks (sigma is half of it)."),
    Setting("radius_touch_px", 20, "Kernel radius for taps."),
    Setting("clip_percentile", 99.5, "Percentile of non-zero cells that maps to full heat."),
    Setting("hotspots", 20, "Hotspots listed in heatmap JSON."),
    # Width classes (desktop from the first, mobile up to the second, tablet between). A
    # page view is classed when it arrives (store/base.py, WidthClasses): a change applies
    # to page views from then on.
    Setting(
        "desktop_min_px",
        1281,
        "Narrowest viewport counted as desktop (page views are classed as they arrive).",
    ),
    Setting(
        "mobile_max_px",
        767,
        "Widest viewport counted as mobile (page views are classed as they arrive).",
    ),
    # Minimum data before a heatmap is called reliable.
    Setting("min_sessions_click", 300, "Sessions under which click heatmaps carry a warning."),
    Setting(
        "min_sessions_scroll",
        1000,
        "Sessions under which scroll and attention maps carry a warning.",
    ),
    Setting("min_sessions_move", 2000, "Sessions under which move maps carry a warning."),
    Setting(
        "min_sessions_conversion",
        100,
        "Sessions on either side (clicked, did not) under which an action's conversion"
        " rate carries a warning.",
    ),
    # Definitions. The browser-side ones reach the tracker through the script pageheat serves.
    Setting(
        "session_idle_min",
        30,
        "Idle minutes after which the tracker starts a new session for the visitor.",
    ),
    Setting(
        "frustration_window_ms",
        1000,
        "Rage chain gap, and how long after a click activity (dead) or an error (error click) counts.",
    ),
    Setting(
        "rage_radius_px",
        30,
        "How close a click must be to the one before to continue a rage chain.",
    ),
    Setting("rage_min_clicks", 3, "Clicks in a chain that make a rage click."),
    Setting(
        "move_interval_ms",
        100,
        "Shortest time between two cursor positions the tracker keeps (10 Hz).",
    ),
    Setting("move_min_px", 20, "Shortest distance between two cursor positions the tracker keeps."),
    # Caches, throttles and threads.
    Setting(
        "meta_cache_s",
        10.0,
        "Seconds an app or a sign-in session read from the metadata database is used before it is read again: how soon a change made by another process (the CLI, another server) applies here.",
    ),
    Setting("login_session_days", 30, "Days a dashboard sign-in lasts."),
    Setting("login_burst", 10, "Wrong sign-in attempts one client address may make in a row."),
    Setting(
        "login_retries_per_min",
        10.0,
        "Wrong sign-in attempts a minute one client address gets back once its burst is spent (token bucket); 0 means no limit.",
    ),
    Setting(
        "render_threads",
        4,
        "Threads that run a heatmap's store reads beside its drawing; more heatmaps at once wait their turn.",
    ),
    # Backgrounds.
    Setting("chromium", "/usr/bin/chromium", "Chromium binary used for page screenshots."),
    Setting("screenshot_max_height", 12_000, "Tallest full-page screenshot in CSS px."),
    Setting("screenshot_timeout_s", 20.0, "Longest a page may take to load for its screenshot."),
    Setting(
        "max_snapshot_bytes", 5_242_880, "Largest DOM snapshot upload in bytes; larger get 413."
    ),
    Setting(
        "snapshot_states_max",
        20,
        "Page states (layout hashes) kept per view and width class; visitors are not asked for more.",
    ),
    Setting(
        "background_stale_s",
        600,
        "Age in seconds after which a live-page screenshot that lacks clicked elements is taken again.",
    ),
    Setting(
        "background_retry_s",
        300,
        "Seconds before viewing a heatmap starts again a live-page capture that failed.",
    ),
    Setting(
        "measure_every_s",
        30.0,
        "Shortest time in seconds between two measurements of a snapshot background's newly clicked elements.",
    ),
    Setting(
        "measure_wait_s",
        15.0,
        "Longest a heatmap request waits for that measurement, in seconds.",
    ),
    # Session replay (rrweb chunks beside the events; replay/).
    Setting(
        "replay_chunk_s",
        10,
        "Seconds between two replay chunks a recording browser sends (and at pagehide).",
    ),
    Setting(
        "replay_session_max_bytes",
        10_000_000,
        "Stored (compressed) bytes of one session's replay; later chunks are refused and the recorder stops. About 100 minutes at the 100 KB a minute a docs-like page costs, and a bound on a page that changes its DOM without end.",
    ),
    Setting(
        "replay_retention_days",
        30,
        "Days session replays are kept (an app's shorter event retention wins); 0 means as long as the events.",
    ),
    Setting(
        "max_replay_chunk_bytes",
        2_097_152,
        "Largest replay chunk as sent (gzip or JSON) in bytes; larger get 413.",
    ),
    Setting(
        "max_replay_chunk_inflated",
        16_777_216,
        "Largest replay chunk once decompressed, in bytes: a zip bomb stops there with 413.",
    ),
    Setting(
        "replay_queue_bytes",
        33_554_432,
        "Bytes of replay chunks that may wait for the replay writer; past it chunks get 503 (event ingest has its own queue).",
    ),
    Setting(
        "snapshot_ask_s",
        60,
        "Seconds a page state asked of one visitor is not asked of another (one upload each).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def default(name: str) -> Any:
    """The declared default of a setting: for code that runs without a :class:`Settings`
    (a store opened by a test or a script), so that no default is written twice."""
    return _BY_NAME[name].default


class Settings:
    """Resolved settings: defaults, then environment, then explicit overrides.

    Attribute access (``settings.cell_px``) keeps call sites short; unknown names fail
    loudly so a typo is never a silent default.
    """

    def __init__(self, values: Mapping[str, Any]):
        self._values = dict(values)

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in SETTINGS:
            values[s.name] = s.parse(environ[s.env]) if s.env in environ else s.default
        for name, value in (overrides or {}).items():
            if name not in _BY_NAME:
                raise SettingsError(f"unknown setting {name!r}")
            if value is None:
                continue
            setting = _BY_NAME[name]
            values[name] = setting.parse(value) if isinstance(value, str) else setting.type(value)
        return cls(values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - set(_BY_NAME)
        if unknown:
            raise SettingsError(f"unknown setting(s) {sorted(unknown)}")
        return Settings({**self._values, **changes})

    def items(self) -> Iterable[tuple[Setting, Any]]:
        return ((s, self._values[s.name]) for s in SETTINGS)

    @property
    def data_dir(self) -> Path:
        return Path(self.data).expanduser().resolve()


def as_markdown() -> str:
    """The settings table for docs/settings.md, generated from the declaration."""
    lines = [
        "# Settings",
        "",
        "Every setting is read from the environment variable shown, or from the command line",
        "where `pageheat serve` has an option for it. `pageheat settings` prints the values in force.",
        "This page is generated from `src/pageheat/settings.py` (`pageheat settings --markdown`).",
        "",
        "| setting | environment | default | what it is for |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default != "" else "(empty)"
        lines.append(f"| `{s.name}` | `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines) + "\n"


__all__ = ["SETTINGS", "Setting", "Settings", "SettingsError", "as_markdown", "default"]
