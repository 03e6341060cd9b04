"""The answers of the session routes (``web/sessions.py``) as types, like ``web/models.py``:
``/openapi.json`` describes them, ``make types`` makes the dashboard's types of them, and
an answer with a key its model lacks fails at once (``extra="forbid"``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pageheat.web.models import Answer


class SessionUser(Answer):
    """Who the site said a session's visitor is (``pageheat.identify(id, {name})``)."""

    id: str
    name: str | None


class ForgottenUser(Answer):
    """What forgetting a user deleted: the visitor ids the site identified as the user,
    per app, and the rows deleted per table."""

    visitors: dict[str, list[str]]
    deleted: dict[str, int] = Field(description="Rows deleted, per table")


class Session(Answer):
    """A session as a list shows it; times in ms (``start`` since the epoch)."""

    id: str
    visitor: str
    #: Who the site said the visitor is (``pageheat.identify``) in this session; null
    #: unless it said so.
    user: SessionUser | None
    start: int
    duration_ms: int
    pages: int
    clicks: int
    #: Rage bursts, dead clicks and error clicks among the clicks; page errors.
    rage: int
    dead: int
    error_clicks: int
    errors: int
    device: str | None
    browser: str | None
    os: str | None
    country: str | None
    #: The views it began and ended on.
    entry: str | None
    exit: str | None
    has_replay: bool
    #: ms from ``start`` of each click that matched the list's selector, area or kind.
    moments: list[int] = Field(default_factory=list)


class SessionList(Answer):
    sessions: list[Session]
    #: The cursor of the next page (pass it as ``cursor``), null on the last page.
    next: str | None
    #: Sessions matching in all pages.
    total: int


class TimelineItem(Answer):
    """One thing that happened, ``t`` ms after the session's start: a page view
    (``view``, ``url``, ``title``), a click (``selector``, ``tag``, ``text``, ``x``,
    ``y``, ``rage``: the burst's clicks, 0 for none, ``dead``, ``error``) or a page
    error (``message``, ``count``); each names its page view and view."""

    type: Literal["view", "click", "error"]
    t: int
    view_id: str
    view: str | None
    url: str | None = Field(None)
    title: str | None = Field(None)
    selector: str | None = Field(None)
    tag: str | None = Field(None)
    text: str | None = Field(None)
    x: float | None = Field(None)
    y: float | None = Field(None)
    rage: int = Field(None)
    dead: bool = Field(None)
    error: bool = Field(None)
    message: str | None = Field(None)
    count: int = Field(None)


class SessionDetail(Session):
    timeline: list[TimelineItem]
