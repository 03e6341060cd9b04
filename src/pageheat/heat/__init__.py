"""The heatmap engine: pure numpy stages, no I/O.

Shaped like datashader's pipeline, each stage a function on arrays::

    place(points, bg_width, rects)           # clicks -> background page px
    grid(x, y, width, height, cell)          # -> counts per cell
    smooth(counts, sigma_cells)              # -> density
    normalise(density, how, clip, peak)      # -> intensity 0..1
    shade(intensity, palette) / png(...)     # -> RGBA / PNG bytes

`heatmap` runs them all and `to_json` shapes the result for the dashboard.
"""

from .encode import composite, mark_lines, png
from .grid import grid
from .hotspots import hotspots
from .normalise import HOW, normalise
from .pipeline import Heatmap, heatmap, to_json
from .placement import Placed, Points, place
from .shade import PALETTES, shade, shade_index
from .smooth import smooth

__all__ = [
    "HOW",
    "PALETTES",
    "Heatmap",
    "Placed",
    "Points",
    "composite",
    "grid",
    "heatmap",
    "hotspots",
    "mark_lines",
    "normalise",
    "place",
    "png",
    "shade",
    "shade_index",
    "smooth",
    "to_json",
]
