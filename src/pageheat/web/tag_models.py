"""Answer models of tags, clicks on what is not clickable and the significance of a
comparison's changes, kept apart from ``web/models.py`` (near its
600-line limit) and written like it: ``extra="forbid"``, keys public once released."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """As ``web/models.Answer`` (which imports :class:`Significance` from here)."""

    model_config = ConfigDict(extra="forbid")


#: A query's filters as it applied them (name → comma-separated values).
Filters = dict[str, str]


class TagKey(Answer):
    key: str = Field(description="A `pageheat.tag` key; filter by it as `tag.KEY=VALUE`")
    page_views: int


class TagKeys(Answer):
    """The tag keys the query's page views carry, most page views first."""

    tags: list[TagKey]
    filters: Filters


class Significance(Answer):
    """A two-proportion test of a change between side a and side b: is it more than
    noise? ``diff`` is b's share less a's, with its 95 % interval (Newcomb's hybrid score
    interval); ``z`` and ``p`` (two-sided) test that the shares are equal."""

    diff: float
    ci: list[float] = Field(description="95 % interval of `diff`: [low, high]")
    z: float
    p: float
    significant: bool = Field(description="p < 0.05: a change, not noise")


class InertAction(Answer):
    """An element that is not interactive, and how often it was clicked anyway."""

    selector: str
    name: str
    count: int
    share: float = Field(description="Of all the clicks of the query")
    visitors: int


class InertClicks(Answer):
    """Clicks on elements that are not links, buttons or controls: what visitors
    expected to respond and did not (``interactive=false`` narrows a map to them)."""

    clicks: int
    share: float = Field(description="Of all the clicks of the query")
    top: list[InertAction]
