"""Apps and their settings in a SQL database through SQLAlchemy.

SQLite in the data directory is the default; any SQLAlchemy URL (PostgreSQL for
scale-out) works, because nothing here is dialect-specific. Reads are cached per process
for the collector's hot path (one lookup per batch), invalidated on write and kept at most
``cache_s`` seconds (setting ``meta_cache_s``), so a change made by another process (the
CLI, another collector) applies within that time. Opening a database migrates it to the
newest schema (meta/migrations).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import (
    create_engine,
    select,
)

from pageheat.meta import migrations
from pageheat.meta.accounts import Accounts
from pageheat.meta.library import Library, clean_name
from pageheat.meta.outcomes import Outcomes
from pageheat.meta.tables import apps, view_rules
from pageheat.settings import default

#: Most view-name rules an app may have.
MAX_RULES = 200


@dataclass(frozen=True)
class App:
    key: str
    name: str
    origins: tuple[str, ...]
    created_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    #: (pattern, name) pairs naming views at ingest; see ``collect.enrich.glob_regex``.
    view_rules: tuple[tuple[str, str], ...] = ()
    #: Days its events are kept; None: the instance's ``retention_days``.
    retention_days: int | None = None
    #: Whether bots' batches are stored; None: the instance's ``keep_bots``.
    keep_bots: bool | None = None
    #: Share of visitors tracked (0..1), by a hash of their visitor id.
    sample_rate: float = 1.0
    #: Refuse batches from browsers that send Do-Not-Track or Global Privacy Control.
    respect_dnt: bool = False
    #: Record sessions (session replay), and the share of sessions recorded (0..1, by a
    #: hash of the session id: ``replay.protocol.in_replay_sample``).
    replay: bool = True
    replay_sample: float = 1.0

    def allows(self, origin: str | None) -> bool:
        """Whether a browser origin may send events (``*`` in the list allows any)."""
        if "*" in self.origins:
            return True
        try:
            return origin is not None and normalise_origin(origin) in self.origins
        except ValueError:  # "null" (sandboxed frames, file://) and other non-origins
            return False


def new_key() -> str:
    """A random app key: 16 URL-safe characters, never starting with ``-``, which a
    command line (``pageheat app policy KEY``) would take for an option."""
    while (key := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return key


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]``, lower case, default ports dropped; ``*`` stays ``*``."""
    origin = origin.strip()
    if origin == "*":
        return origin
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"origin {origin!r} must look like https://example.com")
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def check_rule(pattern: str, name: str) -> tuple[str, str]:
    """A view-name rule as kept, or ValueError saying what is wrong with it."""
    pattern, name = str(pattern).strip(), " ".join(str(name).split())
    if not pattern.startswith("/") or len(pattern) > 1024 or any(c.isspace() for c in pattern):
        raise ValueError(
            f"rule pattern {pattern!r} must be a URL path glob starting with / (at most 1024"
            " characters, no spaces), e.g. /product/*"
        )
    if not name or len(name) > 256:
        raise ValueError(f"rule name for {pattern!r} must be 1 to 256 characters")
    return pattern, name


def engine_url(url: str) -> str:
    """A metadata URL as SQLAlchemy opens it: ``postgresql://`` (and ``postgres://``, as
    hosting services write it) through psycopg 3, the driver pageheat ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class MetaStore:
    def __init__(
        self,
        url: str,
        cache_s: float = default("meta_cache_s"),
        session_days: int = default("login_session_days"),
    ):
        self.engine = create_engine(engine_url(url))
        #: What opening found: ``new``, ``legacy`` (made before migrations) or a revision.
        self.migrated_from = migrations.upgrade(self.engine)
        #: Seconds an app read from the database is used before it is read again.
        self.cache_s = cache_s
        #: Users, sessions and API tokens.
        self.accounts = Accounts(self.engine, session_days, cache_s)
        #: Saved heatmaps and share links.
        self.library = Library(self.engine)
        #: Goals and funnels.
        self.outcomes = Outcomes(self.engine)
        self._apps: dict[str, tuple[App, float]] = {}

    def create_app(self, name: str, origins: list[str], key: str | None = None) -> App:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValueError("name must be 1 to 200 characters")
        clean = tuple(dict.fromkeys(normalise_origin(o) for o in origins))
        app = App(key=key or new_key(), name=name, origins=clean)
        with self.engine.begin() as con:
            con.execute(apps.insert().values(
                key=app.key, name=app.name, origins=list(app.origins), created_ms=app.created_ms,
                replay=app.replay, replay_sample=app.replay_sample,
            ))  # fmt: skip
        self._apps.pop(app.key, None)
        return app

    def app(self, key: str) -> App | None:
        """The app of a key; unknown keys are not cached, so apps made elsewhere appear."""
        cached = self._apps.get(key)
        if cached is None or time.monotonic() - cached[1] > self.cache_s:
            with self.engine.connect() as con:
                row = con.execute(select(apps).where(apps.c.key == key)).first()
                if row is None:
                    return None
                rules = con.execute(
                    select(view_rules.c.pattern, view_rules.c.name)
                    .where(view_rules.c.app == key)
                    .order_by(view_rules.c.position)
                ).all()
            cached = (
                _app(row, tuple((p, n) for p, n in rules)),
                time.monotonic(),
            )
            self._apps[key] = cached
        return cached[0]

    def list_apps(self) -> list[App]:
        with self.engine.connect() as con:
            rows = con.execute(select(apps).order_by(apps.c.created_ms)).all()
            rules: dict[str, list[tuple[str, str]]] = {}
            for app_key, pattern, name in con.execute(
                select(view_rules.c.app, view_rules.c.pattern, view_rules.c.name).order_by(
                    view_rules.c.app, view_rules.c.position
                )
            ):
                rules.setdefault(app_key, []).append((pattern, name))
        return [_app(r, tuple(rules.get(r.key, ()))) for r in rows]

    def set_view_rules(self, key: str, rules: list[tuple[str, str]]) -> App:
        """Replace an app's view-name rules (in the order given; the first match names a
        view). Raises LookupError for an unknown app, ValueError for a bad rule."""
        clean = [check_rule(p, n) for p, n in rules]
        patterns = [p for p, _ in clean]
        dup = next((p for p in patterns if patterns.count(p) > 1), None)
        if dup is not None:
            raise ValueError(f"rule pattern {dup!r} is given twice")
        if len(clean) > MAX_RULES:
            raise ValueError(f"an app has at most {MAX_RULES} view-name rules")
        if self.app(key) is None:
            raise LookupError(f"no app with key {key!r}")
        with self.engine.begin() as con:
            con.execute(view_rules.delete().where(view_rules.c.app == key))
            if clean:
                con.execute(view_rules.insert(), [
                    {"app": key, "position": i, "pattern": p, "name": n}
                    for i, (p, n) in enumerate(clean)
                ])  # fmt: skip
        self._apps.pop(key, None)
        app = self.app(key)
        assert app is not None
        return app

    def add_view_rule(self, key: str, pattern: str, name: str) -> App:
        """Add a rule after the others (or rename the view of an existing pattern)."""
        app = self.app(key)
        if app is None:
            raise LookupError(f"no app with key {key!r}")
        pattern, name = check_rule(pattern, name)
        rules = dict(app.view_rules)
        rules[pattern] = name
        return self.set_view_rules(key, list(rules.items()))

    def remove_view_rule(self, key: str, pattern: str) -> App:
        app = self.app(key)
        if app is None:
            raise LookupError(f"no app with key {key!r}")
        if pattern not in dict(app.view_rules):
            raise ValueError(f"app {key!r} has no rule {pattern!r}")
        return self.set_view_rules(key, [r for r in app.view_rules if r[0] != pattern])

    # -- privacy and filtering ---------------------------------------------------------

    def set_policy(
        self,
        key: str,
        *,
        retention_days: int | object | None = ...,
        keep_bots: bool | object | None = ...,
        sample_rate: float | object = ...,
        respect_dnt: bool | object = ...,
    ) -> App:
        """Change an app's retention (days, 0 forever, None the instance's), bot switch
        (None the instance's), sampling (0..1) or Do-Not-Track switch; an argument left
        out is left as it is."""
        return self.change_app(key, retention_days=retention_days, keep_bots=keep_bots,
                               sample_rate=sample_rate, respect_dnt=respect_dnt)  # fmt: skip

    def change_app(
        self,
        key: str,
        *,
        name: str | object = ...,
        origins: list[str] | object = ...,
        retention_days: int | object | None = ...,
        keep_bots: bool | object | None = ...,
        sample_rate: float | object = ...,
        respect_dnt: bool | object = ...,
        replay: bool | object = ...,
        replay_sample: float | object = ...,
    ) -> App:
        """Change any of an app's settings in one transaction; an argument left out is
        left as it is. Every value is checked first, so a ValueError (naming the field)
        changes nothing; LookupError for an unknown app."""
        app = self.app(key)
        if app is None:
            raise LookupError(f"no app with key {key!r}")
        row: dict[str, object] = {}
        if name is not ...:
            row["name"] = clean_name(name)
        if origins is not ...:
            if not isinstance(origins, list) or len(origins) > 100:
                raise ValueError("origins must be a list of at most 100 origins")
            row["origins"] = list(dict.fromkeys(normalise_origin(str(o)) for o in origins))
        kept = {
            "retention_days": app.retention_days if retention_days is ... else retention_days,
            "keep_bots": app.keep_bots if keep_bots is ... else keep_bots,
        }
        days = kept["retention_days"]
        if days is not None and (
            isinstance(days, bool) or not isinstance(days, int) or days < 0 or days > 36_500
        ):
            raise ValueError("retention_days must be a whole number of days from 0 (forever)"
                             " to 36500, or null for the instance's")  # fmt: skip
        if kept["keep_bots"] is not None and not isinstance(kept["keep_bots"], bool):
            raise ValueError("keep_bots must be true, false or null")
        rate = app.sample_rate if sample_rate is ... else sample_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError("sample_rate must be a number from 0 to 1 (the share of visitors)")
        dnt = app.respect_dnt if respect_dnt is ... else respect_dnt
        if not isinstance(dnt, bool):
            raise ValueError("respect_dnt must be true or false")
        on = app.replay if replay is ... else replay
        if not isinstance(on, bool):
            raise ValueError("replay must be true or false")
        share = app.replay_sample if replay_sample is ... else replay_sample
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError("replay_sample must be a number from 0 to 1 (the share of sessions)")
        row.update(kept, sample_rate=float(rate), respect_dnt=dnt, replay=on,
                   replay_sample=float(share))  # fmt: skip
        with self.engine.begin() as con:
            con.execute(apps.update().where(apps.c.key == key).values(**row))
        self._apps.pop(key, None)
        changed = self.app(key)
        assert changed is not None
        return changed

    def delete_app(self, key: str) -> bool:
        """Forget an app: its key, origins, rules and policy. False if there was none.

        Its events are the event store's to delete (``EventStore.delete_app``); delete
        those first, so that a failure leaves the app listed and the deletion retryable.
        """
        with self.engine.begin() as con:
            gone = con.execute(apps.delete().where(apps.c.key == key)).rowcount
            con.execute(view_rules.delete().where(view_rules.c.app == key))
        self.library.forget_app(key)
        self.outcomes.forget_app(key)
        self.accounts.forget_app(key)
        self._apps.pop(key, None)
        return bool(gone)

    def close(self) -> None:
        self.engine.dispose()


def _app(row, rules: tuple[tuple[str, str], ...] = ()) -> App:
    origins = row.origins if isinstance(row.origins, list) else json.loads(row.origins)
    return App(key=row.key, name=row.name, origins=tuple(origins), created_ms=row.created_ms,
               view_rules=rules, retention_days=row.retention_days, keep_bots=row.keep_bots,
               sample_rate=row.sample_rate, respect_dnt=bool(row.respect_dnt),
               replay=bool(row.replay), replay_sample=row.replay_sample)  # fmt: skip
