"""The answers of the session replay routes (web/replay.py), as pydantic models for
``/openapi.json``; beside web/models.py, which is near its size limit."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pageheat.web.models import Answer, Error


class ReplayTaken(Answer):
    """A replay chunk taken (202), or turned away as a success so it is not resent."""

    stored: bool
    duplicate: bool = Field(None, description="A retried chunk, already stored")
    dropped: Literal["bot", "dnt", "sampled_out"] = Field(None, description="Why nothing was kept")


class ReplayEvents(Answer):
    """A session's recording: rrweb events in time order, as rrweb's Replayer takes them."""

    events: list[dict[str, Any]] = Field(
        description="rrweb events ({type, timestamp, data}); with `from`, starting at the"
        " full snapshot (and its meta event) the player needs to build the page at `from`"
    )
    start: int = Field(description="The replay's first event time, ms since the epoch")
    end: int = Field(description="The replay's last event time, ms since the epoch")


class NoReplay(Error):
    """Why a session has no replay to play (404); without ``reason`` when the app itself
    is unknown."""

    reason: Literal["replay_off", "not_sampled", "missing"] = Field(
        None,
        description="replay_off: the app records no sessions; not_sampled: the session is"
        " outside the app's replay sample; missing: expired (see retention_days), deleted,"
        " or the visitor left before a first chunk was sent",
    )
    retention_days: int = Field(
        None, description="Days replays are kept (0: as long as the events)"
    )
