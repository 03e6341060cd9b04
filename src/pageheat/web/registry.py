"""``GET /api/v1/kinds`` and ``GET /api/v1/palettes``: what the server draws, as data.

Both are public and constant: the dashboard (and a share link's page, which has no
login) loads them once before its first render and draws every map with these tables
and names only, so the screen, the legend and the exported PNG never disagree, and a
kind or a filter added to `pageheat.kinds` / `pageheat.filters` reaches the dashboard
without a change there. Their answers' models are in `pageheat.web.models`.
"""

from __future__ import annotations

from fastapi import APIRouter

from pageheat import exports
from pageheat.filters import FILTERS
from pageheat.heat.shade import FIRST_DRAWN, IGNORED_BELOW, ZERO_INDEX
from pageheat.kinds import KINDS
from pageheat.web.deps import AnswerRoute
from pageheat.web.models import FilterModel, KindModel, KindsAnswer, PalettesAnswer

__all__ = ["KindsAnswer", "PalettesAnswer", "router"]


def kinds_answer() -> KindsAnswer:
    return KindsAnswer(
        kinds=[
            KindModel(
                name=k.name, label=k.label, title=k.title, mode=k.mode, band=k.band,
                one=k.one, many=k.many, counted=k.counted, unit=k.unit, empty=k.empty,
                help=k.help, palette=k.palette, min_sessions_setting=k.min_sessions,
                frustration=k.frustration, goal=k.goal,
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

#: Public routes (no token): what `web.server` includes.
router = APIRouter(prefix="/api/v1", tags=["query"], route_class=AnswerRoute)


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
