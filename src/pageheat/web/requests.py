"""The JSON bodies the API takes, as pydantic models, so ``/openapi.json`` describes what
each route accepts and the dashboard's TypeScript types come from the same place as the
answers' (``make types``).

Every model forbids keys it does not know and is strict (``"yes"`` is not ``true``,
``"2"`` is not ``2``), as the hand-written checks were. A body that does not fit is a
400 in the one error shape, naming the field by its JSON path (``$.sample_rate``,
``$[3].pattern``): ``web/server.py``'s ``bad_request``. The constraints here are the
ones the stores check too (``meta/store.py``, ``meta/library.py``,
``meta/accounts.py``): the stores keep theirs, since the CLI calls them without HTTP,
and they still say what is wrong with what only they can judge (an origin's scheme, a
duplicate rule, an unknown app key).

The tracker's bodies (``/api/v1/collect``, ``/api/v1/snapshot``) are not here: they are
msgspec types decoded straight from bytes (``collect/protocol.py``), for speed.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from pageheat.meta.outcomes import MAX_EVENT, MAX_SELECTOR, MAX_STEPS, MAX_VIEW, MIN_STEPS
from pageheat.meta.store import MAX_RULES


class RequestBody(BaseModel):
    """A request body: unknown keys refused, no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)

    def given(self) -> dict[str, Any]:
        """The fields the sender wrote (a PATCH changes those and leaves the others)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


#: A display name: the stores fold its white space and refuse it empty.
Name = Annotated[str, Field(min_length=1, max_length=200)]
#: The heatmap page's parameters (``view``, ``width``, ``range``, filters…), as the page's
#: query string has them; ``meta/library.py`` says which names it keeps.
PageParams = Annotated[
    dict[str, Annotated[str, Field(max_length=1000)]],
    Field(description="The heatmap page's parameters: `view` (required), `width`, `kind`,"
                      " `range`, `from`, `to`, the filters…, each a string"),
]  # fmt: skip
Origins = Annotated[
    list[str],
    Field(max_length=100, description="Origins the tracker may post from, as"
                                      " `https://shop.example`, or `*` for any"),
]  # fmt: skip


class NewApp(RequestBody):
    """``POST /api/v1/apps``."""

    name: Name
    origins: Origins = []


class AppChange(RequestBody):
    """``PATCH /api/v1/apps/{key}``: any of these; a field left out stays as it is."""

    name: Name = Field(default=None)
    origins: Origins = Field(default=None)
    sample_rate: float = Field(
        default=None, ge=0, le=1, description="The share of visitors measured, 0 to 1"
    )
    respect_dnt: bool = Field(default=None, description="Honour Do Not Track and GPC")
    retention_days: int | None = Field(
        default=None, ge=0, le=36_500,
        description="Days events are kept: 0 forever, null the instance's setting",
    )  # fmt: skip
    keep_bots: bool | None = Field(
        default=None, description="Keep events of bots: null the instance's setting"
    )
    replay: bool = Field(default=None, description="Record sessions for replay")
    replay_sample: float = Field(
        default=None, ge=0, le=1, description="The share of sessions recorded, 0 to 1"
    )


class ViewRule(RequestBody):
    """One view-name rule: a page whose URL path matches ``pattern`` is the view ``name``."""

    pattern: str = Field(
        min_length=1, max_length=1024,
        description="A URL path glob starting with / (no spaces), e.g. /product/*",
    )  # fmt: skip
    name: str = Field(min_length=1, max_length=256)


#: ``PUT /api/v1/apps/{key}/rules``: the whole list, in the order they are tried.
ViewRules = Annotated[list[ViewRule], Field(max_length=MAX_RULES)]


class NewToken(RequestBody):
    """``POST /api/v1/tokens``."""

    name: Name
    apps: list[str] | None = Field(
        default=None, min_length=1,
        description="Keys of the apps the token may read; null for every app the caller may",
    )  # fmt: skip


class NewSaved(RequestBody):
    """``POST /api/v1/apps/{key}/saved``."""

    name: Name
    params: PageParams


class SavedChange(RequestBody):
    """``PATCH /api/v1/apps/{key}/saved/{id}``: a new name, new parameters, or both."""

    name: Name = Field(default=None)
    params: PageParams = Field(default=None)


class NewShare(RequestBody):
    """``POST /api/v1/apps/{key}/shares``."""

    params: PageParams
    name: Name | None = None
    expires_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days the link opens; null for ever"
    )


class Login(RequestBody):
    """``POST /login``: a user's name and password, or the admin token."""

    user: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=1000)
    token: str | None = Field(default=None, max_length=1000)


class NewGoal(RequestBody):
    """``POST /api/v1/apps/{key}/goals``: a view reached (``name``, ``view``), an element
    clicked on a view (and ``selector``), or a custom event sent with ``pageheat.goal``
    (``name``, ``event``). Which combinations make a goal is the store's rule
    (``meta/outcomes.clean_goal``), said in its 400."""

    name: Name
    view: str = Field(default=None, min_length=1, max_length=MAX_VIEW)
    selector: str = Field(default=None, min_length=1, max_length=MAX_SELECTOR)
    event: str = Field(default=None, min_length=1, max_length=MAX_EVENT)


class FunnelStepBody(RequestBody):
    """One step of a funnel, in order: a view (``view``), an action on a view (and
    ``selector``) or a goal (``goal``, its id); ``name`` labels it in the report."""

    name: Name = Field(default=None)
    view: str = Field(default=None, min_length=1, max_length=MAX_VIEW)
    selector: str = Field(default=None, min_length=1, max_length=MAX_SELECTOR)
    goal: str = Field(default=None, min_length=1, max_length=64)


class NewFunnel(RequestBody):
    """``POST /api/v1/apps/{key}/funnels``: a name and 2 to 10 steps within a session."""

    name: Name
    steps: list[FunnelStepBody] = Field(min_length=MIN_STEPS, max_length=MAX_STEPS)

    def given(self) -> dict[str, Any]:
        return {"name": self.name, "steps": [s.given() for s in self.steps]}
