"""Time the heat engine on 1 M clicks against a numpy.bincount floor (not a test).

    PYTHONPATH=src .venv/bin/python bench/heat_bench.py [--points N] [--repeat R]

Prints the best of R runs of each stage for two point sets on a 1280 x 3000 page:
uniform random (worst case for PNG compression: heat everywhere, all of it noisy)
and clustered (buttons plus noise, what real pages look like). The floor is one
``numpy.bincount`` over precomputed flat cell indices in the same process, so the
ratios hold across machines; docs/design.md's target is ~20 ms end to end on 2 cores.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

import numpy as np
from PIL import Image

from pageheat.heat import Points, grid, heatmap, normalise, png, smooth
from pageheat.heat.shade import palette_lut

WIDTH, HEIGHT, CELL = 1280, 3000, 10
SIGMA = 10 / 2 / CELL  # mouse radius 10 px


def best(f: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def sketch(x: np.ndarray, y: np.ndarray, width: int, height: int, cell: int = CELL) -> bytes:
    """The same stages written plainly, the baseline the engine is held to (issue 20: at
    most 2x this): bincount -> separable blur -> clip -> colour table -> Pillow palette
    PNG at compress_level=1, page-sized like the engine's (cells repeated, no softening,
    no hotspots, no placement, no mass-keeping edges)."""
    rows, cols = -(-height // cell), -(-width // cell)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    flat = (y * (1 / cell)).astype(np.intp)  # >= 0 where it counts: truncation is floor
    flat *= cols
    flat += (x * (1 / cell)).astype(np.intp)
    flat[~inside] = rows * cols  # a bin past the grid, sliced off
    g = np.bincount(flat, minlength=rows * cols + 1)[:-1]
    g = g.reshape(rows, cols).astype(np.float32)
    k = np.exp(-0.5 * (np.arange(-2, 3) / SIGMA) ** 2).astype(np.float32)
    k /= k.sum()
    for axis in (0, 1):
        p = np.pad(g, [(2, 2) if a == axis else (0, 0) for a in (0, 1)])
        n = g.shape[axis]
        g = sum(k[i] * np.take(p, np.arange(i, i + n), axis=axis) for i in range(5))
    lit = g[g > 0]
    top = np.percentile(lit, 99.5) if lit.size else 1.0
    n = np.clip(g / top, 0.0, 1.0)
    idx = (n * 255 + 0.5).astype(np.uint8)
    idx[n < 0.05] = 0
    lut = palette_lut("heat")
    im = Image.fromarray(np.repeat(np.repeat(idx, cell, 0), cell, 1)[:height, :width])
    im.putpalette(lut[:, :3].tobytes())
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1, transparency=lut[:, 3].tobytes())
    return buf.getvalue()


def points(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if kind == "uniform":
        return rng.uniform(0, WIDTH, n), rng.uniform(0, HEIGHT, n)
    k = rng.integers(0, 60, n)
    cx, cy = rng.uniform(0, WIDTH, 60), rng.uniform(0, HEIGHT, 60)
    x, y = rng.normal(cx[k], 25), rng.normal(cy[k], 10)
    noise = rng.random(n) < 0.1
    x[noise] = rng.uniform(0, WIDTH, noise.sum())
    y[noise] = rng.uniform(0, HEIGHT, noise.sum())
    return x, y


def run(kind: str, n: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    x, y = points(kind, n, rng)
    rows, cols = -(-HEIGHT // CELL), -(-WIDTH // CELL)
    inside = (x >= 0) & (x < WIDTH) & (y >= 0) & (y < HEIGHT)
    flat = (y[inside] // CELL).astype(np.intp) * cols + (x[inside] // CELL).astype(np.intp)
    floor = best(lambda: np.bincount(flat, minlength=rows * cols), repeat)

    g = grid(x, y, WIDTH, HEIGHT, CELL)
    s = smooth(g, SIGMA)
    nrm = normalise(s)
    stages = {
        "grid": best(lambda: grid(x, y, WIDTH, HEIGHT, CELL), repeat),
        "smooth": best(lambda: smooth(g, SIGMA), repeat),
        "normalise": best(lambda: normalise(s), repeat),
        "png": best(lambda: png(nrm, CELL, WIDTH, HEIGHT), repeat),
    }

    def chain() -> bytes:
        return png(normalise(smooth(grid(x, y, WIDTH, HEIGHT, CELL), SIGMA)), CELL, WIDTH, HEIGHT)

    stages["grid+smooth+normalise+png"] = best(chain, repeat)
    pts = Points(
        x=x,
        y=y,
        dw=np.full(n, float(WIDTH)),
        rx=np.zeros(n),
        ry=np.zeros(n),
        sel=np.full(n, -1, dtype=np.int32),
        touch=np.zeros(n, dtype=bool),
        selectors=[],
    )
    stages["heatmap() (place..hotspots)"] = best(lambda: heatmap(pts, WIDTH, HEIGHT), repeat)
    stages["heatmap() + png"] = best(
        lambda: png(heatmap(pts, WIDTH, HEIGHT).intensity, CELL, WIDTH, HEIGHT), repeat
    )
    stages["numpy sketch (baseline)"] = best(lambda: sketch(x, y, WIDTH, HEIGHT), repeat)

    print(f"\n{kind}: {n:,} points, {WIDTH}x{HEIGHT} page, {CELL} px cells, best of {repeat}")
    print(f"  {'bincount floor':<30} {floor * 1e3:8.2f} ms   1.0x")
    for name, t in stages.items():
        print(f"  {name:<30} {t * 1e3:8.2f} ms {t / floor:6.1f}x")
    print(f"  png size: {len(chain()) / 1024:.0f} KiB")
    ratio = stages["heatmap() + png"] / stages["numpy sketch (baseline)"]
    print(f"  heatmap() + png / numpy sketch: {ratio:.2f}x (target <= 2)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    for kind in ("uniform", "clustered"):
        run(kind, args.points, args.repeat)


if __name__ == "__main__":
    main()
