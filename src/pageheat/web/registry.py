"""``GET /api/v1/kinds`` and ``GET /api/v1/palettes``: what the server draws, as data.

Both are public and constant: the dashboard (and a share link's page, which has no
login) loads them once before its first render and draws every map with these tables
and names only, so the screen, the legend and the exported PNG never disagree, and a
kind or a filter added to `pageheat.kinds` / `pageheat.filters` reaches the dashboard
without a change there.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pageheat import exports
from pageheat.filters import FILTERS
from pageheat.heat.shade import FIRST_DRAWN, IGNORED_BELOW, ZERO_INDEX
from pageheat.kinds import KINDS

__all__ = ["KindsAnswer", "PalettesAnswer", "public_router", "router"]


class KindModel(BaseModel):
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
    min_sessions_setting: str | None = Field(
        description="The setting holding the sessions under which its map carries a"
        " warning; null: never."
    )


class FilterModel(BaseModel):
    """A filter, as `pageheat.filters.Filter` declares it."""

    name: str = Field(description="The query parameter.")
    label: str
    help: str
    values: list[str] = Field(description="Its fixed set of values; empty: free values.")
    case: Literal["exact", "lower", "upper"] = Field(
        description="How a value is written before it is compared."
    )


class KindsAnswer(BaseModel):
    kinds: list[KindModel]
    filters: list[FilterModel]


class PalettesAnswer(BaseModel):
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


def kinds_answer() -> KindsAnswer:
    return KindsAnswer(
        kinds=[
            KindModel(
                name=k.name, label=k.label, title=k.title, mode=k.mode, band=k.band,
                one=k.one, many=k.many, counted=k.counted, unit=k.unit, empty=k.empty,
                help=k.help, palette=k.palette, min_sessions_setting=k.min_sessions,
            )
            for k in KINDS.values()
        ],
        filters=[
            FilterModel(name=f.name, label=f.label, help=f.help, values=list(f.values),
                        case=f.case)
            for f in FILTERS.values()
        ],
    )  # fmt: skip


def palettes_answer() -> PalettesAnswer:
    return PalettesAnswer(
        palettes=exports.palettes_json(),
        families=exports.palette_families(),
        labels=exports.palette_labels(),
        ignored_below=IGNORED_BELOW,
        first_drawn=FIRST_DRAWN,
        zero_index=ZERO_INDEX,
    )


#: Both answers are constant: made once, when the module is imported.
KINDS_ANSWER = kinds_answer()
PALETTES_ANSWER = palettes_answer()

router = APIRouter(prefix="/api/v1", tags=["query"])


@router.get("/kinds", summary="Heatmap kinds and filters, with their names and labels")
def get_kinds() -> KindsAnswer:
    """Constant data, and public: the dashboard names its kind buttons, legends and
    filter pickers from it, the share page without a login."""
    return KINDS_ANSWER


@router.get("/palettes", summary="Every colour table the server draws with (256 #rrggbbaa)")
def get_palettes() -> PalettesAnswer:
    """Constant data, and public: the dashboard draws point, band and comparison maps
    and their legends with these tables, the share page without a login."""
    return PALETTES_ANSWER


def public_router() -> APIRouter:
    """The routes of this module, public (no token): what `web.server` includes."""
    return router
