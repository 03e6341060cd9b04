"""People and their keys: users with argon2 password hashes, login sessions, API tokens.

Only hashes of secrets are kept: a session cookie and an API token are random strings
handed out once, stored as their SHA-256 (they are long and random, so a fast hash is
enough; passwords are short and chosen by people, so they get argon2id). A leaked
database therefore opens no session and no token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, BigInteger, Boolean, Column, String, Table, select
from sqlalchemy.engine import Engine

from pageheat.meta.tables import metadata
from pageheat.settings import default

#: How user names may look: they appear in URLs, logs and "saved by" lines.
USER_NAME = re.compile(r"^[\w.@+-]{1,64}$")
#: Shortest password accepted (NIST SP 800-63B's floor for chosen passwords).
MIN_PASSWORD = 8
#: Prefix of API tokens, so a leaked one is recognisable (and greppable) as pageheat's.
TOKEN_PREFIX = "phk_"

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("admin", Boolean, nullable=False, default=False),
    Column("created_ms", BigInteger, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    #: The user's name, or "admin" for a session opened with the admin token.
    Column("user", String(64), nullable=False),
    Column("admin", Boolean, nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    #: App keys it may read; NULL: every app.
    Column("apps", JSON, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("last_used_ms", BigInteger, nullable=True),
)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Principal:
    """Who a request is: its name, whether it may do everything, which apps it may read
    (None: all), how it signed in, and (for a session) its CSRF token."""

    name: str
    admin: bool
    via: str  # "admin-token" | "session" | "api-token"
    apps: frozenset[str] | None = None
    csrf: str | None = None
    session: str | None = None  # the session's id hash, for logout

    def may_read(self, app: str) -> bool:
        return self.apps is None or app in self.apps


@dataclass(frozen=True)
class User:
    name: str
    admin: bool
    created_ms: int


@dataclass(frozen=True)
class ApiToken:
    id: str
    user: str
    name: str
    apps: tuple[str, ...] | None
    created_ms: int
    last_used_ms: int | None


class Accounts:
    """Users, sessions and API tokens in the metadata database."""

    def __init__(
        self,
        engine: Engine,
        session_days: int = default("login_session_days"),
        cache_s: float = default("meta_cache_s"),
    ):
        self.engine = engine
        self.session_ms = session_days * 86_400_000
        #: Seconds a session read from the database is trusted before it is read again.
        #: A logout in this process applies at once; one in another process within this.
        self.cache_s = cache_s
        self._hasher = PasswordHasher()
        self._sessions: dict[str, tuple[Principal | None, float]] = {}

    @cached_property
    def _decoy(self) -> str:
        """Verifying against this when the user does not exist costs what a real check
        costs, so the answer's timing does not tell which user names exist. Made at the
        first sign-in, whoever it names, not at start: a hash costs 0.2 s of CPU, which
        every CLI command and every start would otherwise pay."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    # -- users -------------------------------------------------------------------------

    def create_user(self, name: str, password: str, admin: bool = True) -> User:
        name = name.strip()
        if not USER_NAME.match(name):
            raise ValueError("user name must be 1 to 64 letters, digits or . @ + - _")
        if name == "admin":
            raise ValueError("'admin' is the admin token's name; choose another user name")
        check_password(password)
        user = User(name, admin, _now_ms())
        with self.engine.begin() as con:
            if con.execute(select(users.c.name).where(users.c.name == name)).first():
                raise ValueError(f"user {name!r} already exists")
            con.execute(users.insert().values(
                name=name, password_hash=self._hasher.hash(password), admin=admin,
                created_ms=user.created_ms,
            ))  # fmt: skip
        return user

    def users(self) -> list[User]:
        with self.engine.connect() as con:
            rows = con.execute(select(users).order_by(users.c.name)).all()
        return [User(r.name, r.admin, r.created_ms) for r in rows]

    def set_password(self, name: str, password: str) -> None:
        """Change a password; every session of the user ends (a reset is for a reason)."""
        check_password(password)
        with self.engine.begin() as con:
            done = con.execute(
                users.update().where(users.c.name == name)
                .values(password_hash=self._hasher.hash(password))
            ).rowcount  # fmt: skip
            if not done:
                raise LookupError(f"no user {name!r}")
            con.execute(sessions.delete().where(sessions.c.user == name))
        self._sessions.clear()

    def delete_user(self, name: str) -> bool:
        """Remove a user with their sessions and API tokens."""
        with self.engine.begin() as con:
            gone = con.execute(users.delete().where(users.c.name == name)).rowcount
            con.execute(sessions.delete().where(sessions.c.user == name))
            con.execute(api_tokens.delete().where(api_tokens.c.user == name))
        self._sessions.clear()
        return bool(gone)

    def authenticate(self, name: str, password: str) -> User | None:
        decoy = self._decoy  # made before the lookup: the first check costs the same either way
        with self.engine.connect() as con:
            row = con.execute(select(users).where(users.c.name == name.strip())).first()
        try:
            self._hasher.verify(row.password_hash if row else decoy, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self._hasher.check_needs_rehash(row.password_hash):
            with self.engine.begin() as con:
                con.execute(users.update().where(users.c.name == row.name)
                            .values(password_hash=self._hasher.hash(password)))  # fmt: skip
        return User(row.name, row.admin, row.created_ms)

    # -- sessions ----------------------------------------------------------------------

    def open_session(self, user: str, admin: bool) -> tuple[str, str]:
        """A new session: (the cookie's secret, its CSRF token)."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = _now_ms()
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.expires_ms < now))
            con.execute(sessions.insert().values(
                id_hash=_hash(secret), user=user, admin=admin, csrf=csrf, created_ms=now,
                expires_ms=now + self.session_ms,
            ))  # fmt: skip
        return secret, csrf

    def session(self, secret: str) -> Principal | None:
        key = _hash(secret)
        cached = self._sessions.get(key)
        if cached is not None and time.monotonic() - cached[1] < self.cache_s:
            return cached[0]
        with self.engine.connect() as con:
            row = con.execute(select(sessions).where(sessions.c.id_hash == key)).first()
        found = None
        if row is not None and row.expires_ms > _now_ms():
            found = Principal(row.user, row.admin, "session", None, row.csrf, key)
        if len(self._sessions) > 10_000:
            self._sessions.clear()
        self._sessions[key] = (found, time.monotonic())
        return found

    def close_session(self, id_hash: str) -> None:
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.id_hash == id_hash))
        self._sessions.pop(id_hash, None)

    # -- API tokens --------------------------------------------------------------------

    def create_token(
        self, user: str, name: str, apps: list[str] | None = None
    ) -> tuple[ApiToken, str]:
        """A new API token of ``user``: (its record, the token itself, shown only now)."""
        name = " ".join(str(name).split())
        if not name or len(name) > 200:
            raise ValueError("name must be 1 to 200 characters")
        kept = None if apps is None else tuple(dict.fromkeys(str(a) for a in apps))
        if kept is not None and not kept:
            raise ValueError("apps must name at least one app, or be null for every app")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(secrets.token_urlsafe(9), user, name, kept, _now_ms(), None)
        with self.engine.begin() as con:
            con.execute(api_tokens.insert().values(
                id=token.id, user=user, name=name, token_hash=_hash(secret),
                apps=None if kept is None else list(kept), created_ms=token.created_ms,
            ))  # fmt: skip
        return token, secret

    def tokens(self, user: str) -> list[ApiToken]:
        with self.engine.connect() as con:
            rows = con.execute(
                select(api_tokens).where(api_tokens.c.user == user)
                .order_by(api_tokens.c.created_ms)
            ).all()  # fmt: skip
        return [_token(r) for r in rows]

    def revoke_token(self, user: str, token_id: str) -> bool:
        with self.engine.begin() as con:
            gone = con.execute(
                api_tokens.delete()
                .where(api_tokens.c.user == user, api_tokens.c.id == token_id)
            ).rowcount  # fmt: skip
        return bool(gone)

    def token_principal(self, secret: str) -> Principal | None:
        """Who an API token is; its last use is noted at most once a minute."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        with self.engine.connect() as con:
            row = con.execute(
                select(api_tokens, users.c.admin)
                .join(users, users.c.name == api_tokens.c.user, isouter=True)
                .where(api_tokens.c.token_hash == _hash(secret))
            ).first()  # fmt: skip
        if row is None or (row.admin is None and row.user != "admin"):
            return None  # its user is gone
        now = _now_ms()
        if row.last_used_ms is None or now - row.last_used_ms > 60_000:
            with self.engine.begin() as con:
                con.execute(api_tokens.update().where(api_tokens.c.id == row.id)
                            .values(last_used_ms=now))  # fmt: skip
        apps = None if row.apps is None else frozenset(row.apps)
        admin = bool(row.admin) or row.user == "admin"
        return Principal(row.user, admin, "api-token", apps)

    def forget_app(self, key: str) -> None:
        """Take a deleted app out of every token scoped to it (a token scoped to nothing
        else is revoked: it must not widen to every app)."""
        with self.engine.begin() as con:
            for row in con.execute(select(api_tokens).where(api_tokens.c.apps.is_not(None))):
                if key in row.apps:
                    left = [a for a in row.apps if a != key]
                    stmt = api_tokens.update().where(api_tokens.c.id == row.id)
                    if left:
                        con.execute(stmt.values(apps=left))
                    else:
                        con.execute(api_tokens.delete().where(api_tokens.c.id == row.id))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise ValueError("password must be at most 1024 characters")


def _token(r) -> ApiToken:
    apps = None if r.apps is None else tuple(r.apps)
    return ApiToken(r.id, r.user, r.name, apps, r.created_ms, r.last_used_ms)
