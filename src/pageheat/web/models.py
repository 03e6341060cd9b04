"""The answers of the HTTP API as types: what ``/openapi.json`` says each route answers.

FastAPI checks every JSON answer against its model before sending it, and the dashboard's
TypeScript types are generated from the schema these make (``make types`` writes
``dashboard/src/openapi.ts``; a test keeps it equal to what the generator makes of the
current schema). So a key added to an answer without its model fails the tests at once
(``extra="forbid"``), and the dashboard sees every change to an answer as a type.

The keys are public (docs/architecture.md, "Interfaces"): rename or drop none. A key that
only some answers carry has the default None and is left out when the answer has none
(every route answers with ``response_model_exclude_unset``, web/deps.py ``AnswerRoute``),
so the keys on the wire are the ones the reports make; its type says what it is when it
is there (``Field(None)`` on a type without None: optional, never null). Open mappings (filters, a saved
heatmap's parameters, deleted rows per table) are ``dict[str, …]``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pageheat.web.outcome_models import Conversion, GoalSummary
from pageheat.web.tag_models import InertClicks, Significance


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: A query's filters as it applied them (name → comma-separated values).
Filters = dict[str, str]
#: A heatmap page's query parameters, as saved heatmaps and share links keep them.
PageParams = dict[str, str]


class Error(Answer):
    """Every refusal: the message, and the JSON path of the bad field when there is one."""

    error: str
    field: str | None


class App(Answer):
    key: str
    name: str
    origins: list[str]
    created: str
    last_event: str | None
    script_tag: str
    sample_rate: float = Field(description="0..1: the share of visitors the tracker records")
    respect_dnt: bool = Field(description="Honour Do-Not-Track and Global Privacy Control")
    retention_days: int | None = Field(
        description="Days events are kept; null = the instance default, 0 = forever"
    )
    default_retention_days: int
    keep_bots: bool | None = Field(
        description="Keep events of browsers that look like bots; null = the instance default"
    )
    default_keep_bots: bool
    replay: bool = Field(description="Record sessions (session replay)")
    replay_sample: float = Field(
        description="0..1: the share of sessions recorded, by a hash of the session id"
    )


class AppList(Answer):
    apps: list[App]


class Forgotten(Answer):
    deleted: dict[str, int] = Field(description="Rows deleted, per table")


class Rule(Answer):
    pattern: str
    name: str


class Rules(Answer):
    rules: list[Rule]


class View(Answer):
    name: str
    page_views: int
    visitors: int
    clicks: int
    url: str | None = None


class Views(Answer):
    views: list[View]
    filters: Filters


BackgroundStatus = Literal["ready", "capturing", "rendering", "none", "failed"]


class Background(Answer):
    """One picture a heatmap can be drawn over: a page state rendered from a visitor's DOM
    snapshot (``snapshot``, named by its ``layout_hash``) or a screenshot of the live page
    (``page``)."""

    id: str
    width: int
    height: int
    width_class: str
    source: Literal["page", "snapshot"]
    layout_hash: str | None
    captured: int = Field(description="ms since the epoch")
    url: str
    thumbnail: str
    page_views: int = Field(
        None, description="Page views that settled in this page state (the background list only)"
    )


class Backgrounds(Answer):
    """The page states captured for a view and width, and the one used when none is chosen."""

    backgrounds: list[Background]
    default: str | None
    status: BackgroundStatus
    error: str | None


class Recapture(Answer):
    background_status: BackgroundStatus


class Hotspot(Answer):
    x: float
    y: float
    count: int
    share: float
    selector: str | None


class Placed(Answer):
    anchored: int
    positional: int


class NotVisible(Answer):
    selector: str
    count: int


class ScrollReach(Answer):
    """``reach[p]``: the share of page views whose deepest point reached p % of the
    document."""

    reach: list[float]
    depth_75: float | None
    depth_50: float | None
    depth_25: float | None
    avg_fold: float | None
    page_views: int


class Scroll(ScrollReach):
    filters: Filters


class Attention(Answer):
    """Mean seconds each 5 % band of the document was in view, per page view."""

    seconds: list[float]
    bands: int


class Grid(Answer):
    """A map's grid: ``rows * cols`` numbers, row-major (index ``row * cols + col``)."""

    cell: int
    width: int
    height: int
    cols: int
    rows: int
    grid: list[float]
    max: float


class Heatmap(Grid):
    kind: str
    scale: str = Field(None, description="Point maps: relative or absolute")
    peak: float = Field(None, description="scale=absolute: points per 1 000 page views")
    page_views: int = Field(None, description="scale=absolute: page views counted")
    unit: str = Field(None, description="scale=absolute: the unit of max and peak")
    total: int
    hotspots: list[Hotspot]
    placed: Placed
    not_visible: list[NotVisible]
    scroll: ScrollReach = Field(None, description="kind=scroll only")
    attention: Attention = Field(None, description="kind=attention only")
    background: Background | None
    background_status: BackgroundStatus
    background_error: str | None
    warning: str | None
    sessions: int
    filters: Filters = Field(None, description="The filters applied (every API answer)")


class Stats(Answer):
    page_views: int
    visitors: int
    sessions: int
    total_clicks: int
    rage_clicks: int
    dead_clicks: int
    error_clicks: int
    inert_clicks: int = Field(description="Clicks on elements that are not interactive")
    page_errors: int
    avg_visible_s: float | None
    session_end_ratio: float | None
    popularity: float | None


class Action(Answer):
    selector: str
    name: str
    count: int
    share: float
    visitors: int
    rage: int
    dead: int
    error: int
    x: float | None
    y: float | None
    visible: bool | None
    conversion: Conversion = Field(None, description="With goal=ID: towards that goal")


class Element(Action):
    """A top action whose element has a box in the background: ``rect`` is x, y, w, h."""

    rect: list[float]


class Insights(Answer):
    stats: Stats
    top_actions: list[Action]
    top_elements: list[Element]
    inert: InertClicks = Field(None, description="Clicks on what is not clickable")
    filters: Filters
    goal: GoalSummary = Field(None, description="With goal=ID: the goal and the view's rate")


class FilterValue(Answer):
    value: str
    page_views: int


class FilterValues(Answer):
    name: str
    values: list[FilterValue]
    selected: list[str]
    fixed: list[str] = Field(
        description="The only values the filter can take, when it has a fixed set"
    )


class SideQuery(Answer):
    from_: str | None = Field(alias="from")
    to: str | None
    width: str | None
    filters: Filters

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Side(Answer):
    """One side of a comparison."""

    total: int
    page_views: int
    per_1000: float
    peak: float
    placed: Placed
    not_visible: list[NotVisible]
    clicks: int
    sessions: int
    visitors: int
    query: SideQuery = Field(None, description="What this side counted: range, width, filters")


class Area(Answer):
    """An area that warmed or cooled: ``change`` in points per 1 000 page views."""

    x: float
    y: float
    a: int
    b: int
    change: float
    selector: str | None
    significance: Significance = Field(
        None, description="Points per page view here, b against a: more than noise?"
    )


class Areas(Answer):
    warming: list[Area]
    cooling: list[Area]


class ActionChange(Answer):
    """One top action on both sides: shares are fractions of that side's clicks."""

    selector: str
    name: str
    count_a: int
    count_b: int
    share_a: float
    share_b: float
    change: float
    significance: Significance = Field(
        None, description="The share of each side's clicks, b against a: more than noise?"
    )


class Comparison(Grid):
    """``grid`` is b - a on -1..1 (±1 = ``max`` points per 1 000 page views)."""

    scale: str
    unit: str
    peak: float
    a: Side
    b: Side
    hotspots: Areas
    kind: str
    actions: list[ActionChange]
    background: Background | None
    background_status: BackgroundStatus
    background_error: str | None
    warning: str | None


class AreaCount(Answer):
    count: int
    share: float
    total: int
    x: float
    y: float
    w: float
    h: float
    kind: str
    background: str | None


class SeriesPoint(Answer):
    t: int
    clicks: int


class ActionSession(Answer):
    t: int
    duration_s: float
    visitor: str
    browser: str | None
    device: str | None
    session: str
    clicks: int
    last_click: int


class ActionDetail(Answer):
    selector: str
    name: str | None
    count: int
    visitors: int
    rage: int
    dead: int
    error: int
    bucket: Literal["hour", "day", "week"]
    series: list[SeriesPoint]
    sessions: list[ActionSession]


class User(Answer):
    name: str
    admin: bool


class Me(Answer):
    user: User
    via: str
    apps: list[str] | None
    csrf: str | None


class ApiToken(Answer):
    """A personal API token; ``apps`` null = every app the user may read."""

    id: str
    name: str
    apps: list[str] | None
    created: str
    last_used: str | None
    token: str = Field(None, description="Only in the answer that created it")


class ApiTokens(Answer):
    tokens: list[ApiToken]


class Saved(Answer):
    """A heatmap saved under a name: the heatmap page's query parameters."""

    id: str
    app: str
    app_name: str
    name: str
    params: PageParams
    created: str
    updated: str
    created_by: str
    url: str


class SavedList(Answer):
    saved: list[Saved]


class Share(Answer):
    """A read-only link to one heatmap."""

    id: str
    name: str | None
    params: PageParams
    url: str
    created: str
    created_by: str
    expires: str | None
    revoked: bool
    revoked_at: str | None


class Shares(Answer):
    shares: list[Share]


class SharedApp(Answer):
    name: str


class ShareInfo(Answer):
    """What a share link shows, as the public share API says it."""

    name: str | None
    app: SharedApp
    params: PageParams
    range: str
    created: str
    expires: str | None


class Collected(Answer):
    """A batch taken (202): its events, and the page views to send a snapshot of."""

    accepted: int
    need_snapshot: list[str]
    duplicate: bool = Field(None, description="A retried batch, already stored")
    dropped: Literal["bot", "dnt", "sampled_out"] = Field(None, description="Why nothing was kept")
    replay: bool = Field(
        None,
        description="This session is recorded: the tracker loads pageheat-replay.js (sent"
        " only when the app has replay on and the session is in its replay sample)",
    )


class SnapshotTaken(Answer):
    stored: bool
    id: str = Field(None, description="The snapshot kept (201)")
    duplicate: bool = Field(None, description="This page state had one already (200)")


class KindModel(Answer):
    """A heatmap kind, as `pageheat.kinds.Kind` declares it (its SQL stays home)."""

    name: str = Field(description="The `kind` parameter's value.")
    label: str
    title: str = Field(description="The map as a sentence names it, e.g. `rage-click map`.")
    mode: Literal["points", "bands"] = Field(
        description="points: positions drawn as blobs; bands: depth bands across the page."
    )
    band: Literal["scroll", "attention"] | None = Field(
        description="Band kinds: scroll (share of page views reaching each depth) or"
        " attention (mean seconds in view per 5 % band)."
    )
    one: str
    many: str
    counted: str = Field(description="What the legend says is counted.")
    unit: str = Field(description="The colour scale's unit.")
    empty: str = Field(description="The empty state: why there is nothing to draw.")
    help: str
    palette: Literal["points", "bands"] = Field(
        description="The palette family (`/api/v1/palettes` `families`) it is drawn with."
    )
    goal: bool = Field(description="Drawn towards a goal: the map needs `goal=ID` (a goal's id).")
    min_sessions_setting: str | None = Field(
        description="The setting holding the sessions under which its map carries a"
        " warning; null: never."
    )
    frustration: bool = Field(
        description="A frustration signal (rage, dead, error clicks): none at all, over"
        " page views, is good news."
    )


class FilterModel(Answer):
    """A filter, as `pageheat.filters.Filter` declares it."""

    name: str = Field(description="The query parameter.")
    label: str
    help: str
    values: list[str] = Field(description="Its fixed set of values; empty: free values.")
    case: Literal["exact", "lower", "upper"] = Field(
        description="How a value is written before it is compared."
    )


class KindsAnswer(Answer):
    """Every heatmap kind and filter the server knows (web/registry.py)."""

    kinds: list[KindModel]
    filters: list[FilterModel]


class PalettesAnswer(Answer):
    """Every colour table the server draws with, and how an intensity picks an entry."""

    palettes: dict[str, list[str]] = Field(
        description="Palette name → 256 colours `#rrggbbaa`, index 0..255."
    )
    families: dict[str, list[str]] = Field(
        description="points (the palettes a point map may be drawn in, the first the"
        " default), bands (scroll and attention), diverging (comparisons)."
    )
    labels: dict[str, str] = Field(description="Palette name → what a picker calls it.")
    ignored_below: float = Field(
        description="Intensities (or |change|) under this share are drawn with the"
        " transparent entry: 0 for points and bands, `zero_index` for diverging."
    )
    first_drawn: int = Field(
        description="Points and bands: index = max(first_drawn, floor(v * 255 + 0.5))"
        " for an intensity v ≥ ignored_below."
    )
    zero_index: int = Field(
        description="Diverging: index = clip(round(d * 127) + zero_index, 1, 255) for a"
        " change d in -1..1."
    )
