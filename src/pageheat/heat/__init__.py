"""The heatmap engine: pure numpy stages, no I/O.

Shaped like datashader's pipeline, each stage a function on arrays::

    place(points, bg_width, rects)           # clicks -> background page px
    grid(x, y, width, height, cell)          # -> counts per cell
    smooth(counts, sigma_cells)              # -> density
    normalise(density, how, clip, peak)      # -> intensity 0..1
    shade(intensity, palette) / png(...)     # -> RGBA / PNG bytes

`heatmap` runs them all and `to_json` shapes the result for the dashboard. With
``scale="absolute"`` a map is counted per 1 000 page views, so maps share a scale;
`compare` diffs two such maps (``b - a`` on a scale symmetric around 0, drawn with a
diverging palette by `diff_png` / `diff_composite`); `count_in` counts the placed
points inside a rectangle (the dashboard's hover).
"""

from .compare import Comparison, compare, comparison_json, count_in, diff, inside
from .encode import composite, diff_composite, diff_png, mark_lines, png
from .grid import grid
from .hotspots import hotspots
from .normalise import HOW, SCALES, normalise, per_page_views
from .pipeline import Heatmap, heatmap, to_json
from .placement import Placed, Points, place
from .shade import DIVERGING, PALETTES, shade, shade_diverging, shade_index
from .smooth import smooth

__all__ = [
    "DIVERGING",
    "HOW",
    "PALETTES",
    "SCALES",
    "Comparison",
    "Heatmap",
    "Placed",
    "Points",
    "compare",
    "comparison_json",
    "composite",
    "count_in",
    "diff",
    "diff_composite",
    "diff_png",
    "grid",
    "heatmap",
    "hotspots",
    "inside",
    "mark_lines",
    "normalise",
    "per_page_views",
    "place",
    "png",
    "shade",
    "shade_diverging",
    "shade_index",
    "smooth",
    "to_json",
]
