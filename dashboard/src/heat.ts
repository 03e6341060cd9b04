// Colouring the heat grid on a canvas. The server sends normalised intensities on a
// coarse grid (one number per `cell` px square); the browser colours each cell through
// a 256-entry lookup table into a cols×rows image and lets drawImage's bilinear scaling
// smooth it up to page pixels — cheap for any number of clicks, since the cost is the
// number of cells.

import type { Heatmap, Hotspot } from "./api";

type Stop = [number, number, number, number, number];

/** Colour stops: intensity → [r, g, b, alpha]; transparent/blue → green → yellow → red. */
const STOPS: Stop[] = [
  [0.0, 40, 90, 255, 0],
  [0.05, 40, 90, 255, 70],
  [0.25, 0, 190, 200, 125],
  [0.45, 40, 200, 60, 165],
  [0.65, 250, 225, 20, 200],
  [0.85, 255, 120, 0, 225],
  [1.0, 225, 20, 25, 245],
];

/**
 * Bands (scroll reach, attention): red where everyone is (100 % reach / the longest
 * time), through yellow and green to blue where few are; a moderate, nearly even alpha
 * so the page under the wash stays readable.
 */
const BAND_STOPS: Stop[] = [
  [0.0, 40, 70, 220, 95],
  [0.25, 30, 170, 210, 105],
  [0.5, 60, 190, 80, 115],
  [0.75, 250, 210, 30, 125],
  [1.0, 230, 35, 30, 135],
];

/** Below this share of the peak a cell is not drawn (the reading guide's "ignored"). */
export const FLOOR = 0.05;

/**
 * A diff (compare mode), index 0..255 = change −1..+1: blue where side B has fewer, red
 * where it has more, transparent around no change so the page shows through.
 */
const DIVERGING_STOPS: Stop[] = [
  [0.0, 33, 80, 190, 235],
  [0.3, 70, 140, 230, 170],
  [0.475, 120, 170, 240, 60],
  [0.5, 255, 255, 255, 0],
  [0.525, 250, 150, 120, 60],
  [0.7, 235, 90, 60, 170],
  [1.0, 190, 20, 35, 235],
];

/** A colour ramp: its lookup table and the intensity under which nothing is drawn. */
export type Ramp = "points" | "bands" | "diverging";

const RAMPS: Record<Ramp, { stops: Stop[]; floor: number }> = {
  points: { stops: STOPS, floor: FLOOR },
  bands: { stops: BAND_STOPS, floor: 0 },
  diverging: { stops: DIVERGING_STOPS, floor: 0 },
};

const lutCache: Partial<Record<Ramp, Uint8ClampedArray>> = {};

/** The palettes a point map can be drawn with (the server's names, as PNGs take them). */
export const PALETTES: [string, string][] = [
  ["heat", "Heat"],
  ["colorblind", "Colour-blind safe"],
];

/** The server's table of the chosen palette for point maps, when it has been fetched. */
let pointTable: Uint8ClampedArray | null = null;
let pointName = "heat";

/** "#rrggbbaa" × 256 (GET /api/v1/palettes) → 256 RGBA entries. */
export function tableOf(hexes: string[]): Uint8ClampedArray | null {
  if (hexes.length !== 256) return null;
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(hexes[i]);
    if (!m) return null;
    for (let c = 0; c < 4; c++) out[i * 4 + c] = m[c + 1] === undefined ? 255 : Number.parseInt(m[c + 1], 16);
  }
  return out;
}

/**
 * Point maps are drawn with the server's table of `name`, so the page, its legend and
 * the PNG exports show the same colours. Null table: the built-in ramp (no palettes yet).
 */
export function usePalette(name: string, table: Uint8ClampedArray | null): void {
  pointName = name;
  pointTable = table;
}

export const paletteName = (): string => pointName;

/** 256 RGBA entries, index = round(intensity × 255). */
export function lut(ramp: Ramp = "points"): Uint8ClampedArray {
  if (ramp === "points" && pointTable) return pointTable;
  const cached = lutCache[ramp];
  if (cached) return cached;
  const { stops, floor } = RAMPS[ramp];
  const out = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    if (t < floor) continue; // fully transparent
    let j = 1;
    while (j < stops.length - 1 && stops[j][0] < t) j++;
    const a = stops[j - 1];
    const b = stops[j];
    const f = b[0] === a[0] ? 1 : Math.min(1, Math.max(0, (t - a[0]) / (b[0] - a[0])));
    for (let c = 1; c <= 4; c++) out[i * 4 + c - 1] = a[c] + (b[c] - a[c]) * f;
  }
  lutCache[ramp] = out;
  return out;
}

/** The grid as a cols×rows image, one pixel per cell. */
export function gridImage(hm: Pick<Heatmap, "cols" | "rows" | "grid">, ramp: Ramp = "points"): HTMLCanvasElement {
  const small = document.createElement("canvas");
  small.width = Math.max(1, hm.cols);
  small.height = Math.max(1, hm.rows);
  const ctx = small.getContext("2d");
  if (!ctx || hm.cols === 0 || hm.rows === 0) return small;
  const img = ctx.createImageData(hm.cols, hm.rows);
  const px = img.data;
  const table = lut(ramp);
  const floor = RAMPS[ramp].floor;
  const n = Math.min(hm.grid.length, hm.cols * hm.rows);
  const diverging = ramp === "diverging";
  for (let i = 0; i < n; i++) {
    let v = hm.grid[i];
    if (diverging) {
      // −1..1 onto 0..1; a change under the floor is no change.
      if (!(Math.abs(v) >= FLOOR)) continue;
      v = (Math.max(-1, Math.min(1, v)) + 1) / 2;
    } else if (!(v >= floor)) continue;
    const k = Math.min(255, Math.round(v * 255)) * 4;
    const o = i * 4;
    px[o] = table[k];
    px[o + 1] = table[k + 1];
    px[o + 2] = table[k + 2];
    px[o + 3] = table[k + 3];
  }
  ctx.putImageData(img, 0, 0);
  return small;
}

/**
 * The heat at page size: the grid scaled up by `cell` with bilinear smoothing, then
 * softened by a blur of just under half a cell so the cells' diamond pattern melts into
 * round blobs. Made once per heatmap; the opacity slider only re-blits it.
 */
export function pageImage(small: HTMLCanvasElement, hm: Pick<Heatmap, "width" | "height" | "cols" | "rows" | "cell">, blur = true): HTMLCanvasElement {
  const big = document.createElement("canvas");
  big.width = Math.max(1, hm.width);
  big.height = Math.max(1, hm.height);
  const ctx = big.getContext("2d");
  if (!ctx || hm.cols === 0 || hm.rows === 0) return big;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  // Bands (scroll, attention) are even across the page: a blur would only fray the edges.
  if (blur && "filter" in ctx) ctx.filter = `blur(${Math.max(1, Math.round(hm.cell * 0.45))}px)`;
  // Source pixel c's centre lands on (c + ½)·cell, the centre of grid cell c, so the
  // peaks of the smoothed picture sit where the clicks were.
  ctx.drawImage(small, 0, 0, hm.cols * hm.cell, hm.rows * hm.cell);
  return big;
}

/** Paint the page-size heat on `canvas` at the chosen opacity. */
export function drawHeat(canvas: HTMLCanvasElement, big: HTMLCanvasElement, opacity: number): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.globalAlpha = Math.min(1, Math.max(0, opacity));
  ctx.drawImage(big, 0, 0);
  ctx.globalAlpha = 1;
}

/** A neutral stand-in for the page while there is no background picture. */
export function drawPlaceholder(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.fillStyle = "#f3f4f6";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#e5e7eb";
  ctx.lineWidth = 1;
  for (let y = 100; y < canvas.height; y += 100) {
    ctx.beginPath();
    ctx.moveTo(0, y + 0.5);
    ctx.lineTo(canvas.width, y + 0.5);
    ctx.stroke();
  }
  ctx.fillStyle = "#9ca3af";
  ctx.font = "14px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText("No background picture — clicks drawn on the page's size", canvas.width / 2, 40);
}

/** The legend's gradient bar, drawn from the same table as the heat. */
export function drawLegend(canvas: HTMLCanvasElement, ramp: Ramp = "points"): void {
  canvas.width = 256;
  canvas.height = 1;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const img = ctx.createImageData(256, 1);
  img.data.set(lut(ramp));
  ctx.putImageData(img, 0, 0);
}

export interface Mark {
  x: number;
  y: number;
  rect?: [number, number, number, number] | null;
  /** A depth guide across the page at `y` instead of a ring (scroll/attention hover). */
  line?: boolean;
  /** A dragged area: its rectangle only, no ring. */
  area?: boolean;
}

/** Rings (and an element's outline when known) on the marks canvas. */
export function drawMarks(canvas: HTMLCanvasElement, marks: Mark[]): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (const m of marks) {
    if (m.line) {
      const y = Math.round(m.y) + 0.5;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(canvas.width, y);
      ctx.stroke();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "rgba(17, 24, 39, 0.85)";
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(canvas.width, y);
      ctx.stroke();
      continue;
    }
    if (m.rect) {
      const [x, y, w, h] = m.rect;
      ctx.fillStyle = "rgba(79, 70, 229, 0.10)";
      ctx.fillRect(x, y, w, h);
      ctx.strokeStyle = "rgba(79, 70, 229, 0.9)";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(x + 1, y + 1, Math.max(0, w - 2), Math.max(0, h - 2));
      ctx.setLineDash([]);
      if (m.area) continue;
    }
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.95)";
    ctx.beginPath();
    ctx.arc(m.x, m.y, 22, 0, Math.PI * 2);
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "rgba(79, 70, 229, 1)";
    ctx.beginPath();
    ctx.arc(m.x, m.y, 22, 0, Math.PI * 2);
    ctx.stroke();
    ctx.fillStyle = "rgba(79, 70, 229, 1)";
    ctx.beginPath();
    ctx.arc(m.x, m.y, 3, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** The hotspot nearest to (x, y) within `radius` page px, if any. */
export function nearest(hotspots: Hotspot[], x: number, y: number, radius = 30): Hotspot | null {
  let best: Hotspot | null = null;
  let bestD = radius * radius;
  for (const s of hotspots) {
    const d = (s.x - x) ** 2 + (s.y - y) ** 2;
    if (d <= bestD) {
      best = s;
      bestD = d;
    }
  }
  return best;
}
