"""Saved heatmaps and share links: a heatmap page's parameters kept under a name.

Both keep the dashboard's own query parameters (``view``, ``width``, ``kind``,
``range=7d`` or ``from``/``to`` days, filters, …), not resolved times, so a saved
"last 7 days" stays the last 7 days when it is opened next month. ``web/scope.py``
turns them into the query API's parameters at each read.

A share link's token is kept as it is (not hashed, unlike sessions and API tokens): the
dashboard shows a link again when asked, as every sharing product does; a link reads one
heatmap and nothing else, and revoking it is one click.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, Table, select
from sqlalchemy.engine import Engine

from pageheat.filters import tag_key
from pageheat.meta.tables import metadata
from pageheat.store.base import FILTERS

#: The parameters a saved heatmap or share link may hold: the heatmap page's (and every
#: ``tag.KEY`` filter, :func:`pageheat.filters.tag_key`).
PAGE_PARAMS = frozenset({
    "view", "width", "kind", "range", "from", "to", "opacity", "bg", "palette", "scale",
    "peak", "cohort", "goal", "dead", *FILTERS,
})  # fmt: skip

saved_heatmaps = Table(
    "saved_heatmaps",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("app", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

share_links = Table(
    "share_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("app", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=True),
    Column("revoked_ms", BigInteger, nullable=True),
)


@dataclass(frozen=True)
class Saved:
    id: str
    app: str
    name: str
    params: dict[str, str]
    created_by: str
    created_ms: int
    updated_ms: int


@dataclass(frozen=True)
class Share:
    id: str
    token: str
    app: str
    name: str
    params: dict[str, str]
    created_by: str
    created_ms: int
    expires_ms: int | None
    revoked_ms: int | None

    def refusal(self, now_ms: int) -> str | None:
        """Why the link no longer opens, or None while it does."""
        if self.revoked_ms is not None:
            return "this share link was revoked"
        if self.expires_ms is not None and now_ms >= self.expires_ms:
            when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.expires_ms / 1000))
            return f"this share link expired on {when}"
        return None


def clean_name(name: Any) -> str:
    text = " ".join(str(name if name is not None else "").split())
    if not text or len(text) > 200:
        raise ValueError("name must be 1 to 200 characters")
    return text


def clean_params(params: Any) -> dict[str, str]:
    """The heatmap page parameters as kept, or ValueError naming the bad one."""
    if not isinstance(params, dict):
        raise ValueError("params must be an object of heatmap page parameters")
    out: dict[str, str] = {}
    for name, value in params.items():
        if name not in PAGE_PARAMS and tag_key(name) is None:
            raise ValueError(
                f"params.{name} is not a heatmap parameter; expected some of"
                f" {', '.join(sorted(PAGE_PARAMS))}"
            )
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"params.{name} must be a string")
        text = str(value)
        if len(text) > 1000:
            raise ValueError(f"params.{name} must be at most 1000 characters")
        if text:
            out[name] = text
    if not out.get("view"):
        raise ValueError("params.view is required: the view the heatmap is of")
    return out


def _now_ms() -> int:
    return int(time.time() * 1000)


class Library:
    """Saved heatmaps and share links in the metadata database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- saved heatmaps ----------------------------------------------------------------

    def save(self, app: str, name: str, params: Any, user: str) -> Saved:
        now = _now_ms()
        saved = Saved(secrets.token_urlsafe(9), app, clean_name(name), clean_params(params),
                      user, now, now)  # fmt: skip
        with self.engine.begin() as con:
            con.execute(saved_heatmaps.insert().values(
                id=saved.id, app=app, name=saved.name, params=saved.params, created_by=user,
                created_ms=now, updated_ms=now,
            ))  # fmt: skip
        return saved

    def saved(self, apps: frozenset[str] | None = None, app: str | None = None) -> list[Saved]:
        """Saved heatmaps, newest change first: of one ``app``, or of ``apps`` (None: all)."""
        stmt = select(saved_heatmaps).order_by(saved_heatmaps.c.updated_ms.desc())
        if app is not None:
            stmt = stmt.where(saved_heatmaps.c.app == app)
        with self.engine.connect() as con:
            rows = con.execute(stmt).all()
        return [_saved(r) for r in rows if apps is None or r.app in apps]

    def get_saved(self, app: str, saved_id: str) -> Saved | None:
        with self.engine.connect() as con:
            row = con.execute(select(saved_heatmaps).where(
                saved_heatmaps.c.app == app, saved_heatmaps.c.id == saved_id
            )).first()  # fmt: skip
        return None if row is None else _saved(row)

    def update_saved(self, app: str, saved_id: str, name: Any = None, params: Any = None) -> Saved:
        """Rename a saved heatmap and/or replace its parameters; LookupError if absent."""
        values: dict[str, Any] = {"updated_ms": _now_ms()}
        if name is not None:
            values["name"] = clean_name(name)
        if params is not None:
            values["params"] = clean_params(params)
        with self.engine.begin() as con:
            done = con.execute(saved_heatmaps.update().where(
                saved_heatmaps.c.app == app, saved_heatmaps.c.id == saved_id
            ).values(**values)).rowcount  # fmt: skip
        found = self.get_saved(app, saved_id) if done else None
        if found is None:
            raise LookupError(f"no saved heatmap {saved_id!r} in app {app!r}")
        return found

    def delete_saved(self, app: str, saved_id: str) -> bool:
        with self.engine.begin() as con:
            return bool(con.execute(saved_heatmaps.delete().where(
                saved_heatmaps.c.app == app, saved_heatmaps.c.id == saved_id
            )).rowcount)  # fmt: skip

    # -- share links -------------------------------------------------------------------

    def share(
        self, app: str, params: Any, user: str, name: Any = None, expires_days: Any = None
    ) -> Share:
        clean = clean_params(params)
        if expires_days is not None and (
            isinstance(expires_days, bool) or not isinstance(expires_days, int)
            or not 1 <= expires_days <= 3650
        ):  # fmt: skip
            raise ValueError("expires_days must be a whole number of days from 1 to 3650, or null")
        now = _now_ms()
        link = Share(
            secrets.token_urlsafe(9), secrets.token_urlsafe(32), app,
            clean_name(name if name not in (None, "") else clean["view"]), clean, user, now,
            None if expires_days is None else now + expires_days * 86_400_000, None,
        )  # fmt: skip
        with self.engine.begin() as con:
            con.execute(share_links.insert().values(
                id=link.id, token=link.token, app=app, name=link.name, params=clean,
                created_by=user, created_ms=now, expires_ms=link.expires_ms,
            ))  # fmt: skip
        return link

    def shares(self, app: str) -> list[Share]:
        with self.engine.connect() as con:
            rows = con.execute(
                select(share_links).where(share_links.c.app == app)
                .order_by(share_links.c.created_ms.desc())
            ).all()  # fmt: skip
        return [_share(r) for r in rows]

    def shared(self, token: str) -> Share | None:
        """The link of a token (revoked and expired ones too: the caller says why not)."""
        with self.engine.connect() as con:
            row = con.execute(select(share_links).where(share_links.c.token == token)).first()
        return None if row is None else _share(row)

    def revoke(self, app: str, share_id: str) -> bool:
        with self.engine.begin() as con:
            return bool(con.execute(share_links.update().where(
                share_links.c.app == app, share_links.c.id == share_id,
                share_links.c.revoked_ms.is_(None),
            ).values(revoked_ms=_now_ms())).rowcount)  # fmt: skip

    def forget_app(self, app: str) -> None:
        """A deleted app's saved heatmaps and links go with it."""
        with self.engine.begin() as con:
            con.execute(saved_heatmaps.delete().where(saved_heatmaps.c.app == app))
            con.execute(share_links.delete().where(share_links.c.app == app))


def _saved(r) -> Saved:
    return Saved(r.id, r.app, r.name, dict(r.params), r.created_by, r.created_ms, r.updated_ms)


def _share(r) -> Share:
    return Share(r.id, r.token, r.app, r.name, dict(r.params), r.created_by, r.created_ms,
                 r.expires_ms, r.revoked_ms)  # fmt: skip
