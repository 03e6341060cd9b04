// Colouring the heat grid on a canvas, with the server's own tables and rules only
// (GET /api/v1/palettes, loaded once before the first render), so the screen, its legend
// and the exported PNG show the same colours. The server sends normalised intensities on
// a coarse grid (one number per `cell` px square); each cell gets a table index as the
// server's shade stage computes it (src/pageheat/heat/shade.py), the indices are brought
// to page pixels as the server's encoder does (bilinear, then a box blur of about half a
// cell: src/pageheat/heat/encode.py upscale_index), and only then looked up in the table.

import type { Heatmap, Hotspot, PaletteTables } from "./api";

/** A colour ramp: point maps, band maps (scroll, attention) or a diff (compare). */
export type Ramp = "points" | "bands" | "diverging";

/** Below this share of the peak a cell is not drawn (the reading guide's "ignored"); the
 * server's value once its tables are loaded. */
export let FLOOR = 0.05;
/** The smallest index drawn (points and bands), and the diverging table's "no change". */
let firstDrawn = 13;
let zeroIndex = 128;

/** Every table by name, and the names of each family ("points", "bands", "diverging"). */
let tables: Record<string, Uint8ClampedArray> = {};
let families: Record<string, string[]> = {};
/** Nothing drawn until the server's tables are in. */
const CLEAR = new Uint8ClampedArray(256 * 4);

/** The palettes a point map can be drawn with, [name, label] (the server's names, as
 * PNGs take them); filled by `useTables`. */
export const PALETTES: [string, string][] = [];

/** The server's table of the chosen palette for point maps. */
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

/** Take the server's tables and index rules (GET /api/v1/palettes). */
export function useTables(t: PaletteTables): void {
  const next: Record<string, Uint8ClampedArray> = {};
  for (const [name, hexes] of Object.entries(t.palettes)) {
    const table = tableOf(hexes);
    if (table) next[name] = table;
  }
  tables = next;
  families = t.families;
  FLOOR = t.ignored_below;
  firstDrawn = t.first_drawn;
  zeroIndex = t.zero_index;
  PALETTES.splice(0, PALETTES.length, ...(t.families.points ?? []).map((n): [string, string] => [n, t.labels[n] ?? n]));
  if (!PALETTES.some(([p]) => p === pointName) && PALETTES.length) pointName = PALETTES[0][0];
}

/**
 * Point maps are drawn with the server's table of `name`, so the page, its legend and
 * the PNG exports show the same colours. A null table: the loaded table of that name.
 */
export function usePalette(name: string, table: Uint8ClampedArray | null): void {
  pointName = name;
  pointTable = table;
}

export const paletteName = (): string => pointName;

/** 256 RGBA entries of a ramp's table (all transparent before the tables are loaded). */
export function lut(ramp: Ramp = "points"): Uint8ClampedArray {
  if (ramp === "points") return pointTable ?? tables[pointName] ?? tables[families.points?.[0] ?? ""] ?? CLEAR;
  return tables[families[ramp]?.[0] ?? ""] ?? CLEAR;
}

/**
 * The table index of a value, as the server's shade stage picks it: an intensity under
 * the floor is index 0 (transparent), else max(first drawn, floor(v·255 + ½)); a change
 * −1..1 (diverging) under the floor is "no change", else round(d·127) + zero, kept in 1..255.
 */
export function tableIndex(v: number, ramp: Ramp = "points"): number {
  if (!Number.isFinite(v)) v = 0;
  if (ramp === "diverging") {
    const d = Math.max(-1, Math.min(1, v));
    if (Math.abs(d) < FLOOR) return zeroIndex;
    return Math.max(1, Math.min(255, Math.round(d * 127) + zeroIndex));
  }
  if (v < FLOOR) return 0;
  return Math.max(firstDrawn, Math.min(255, Math.floor(v * 255 + 0.5)));
}

/** What `gridImage` computed, for `pageImage` to bring to page size in index space. */
const indexed = new WeakMap<HTMLCanvasElement, { idx: Uint8Array; ramp: Ramp }>();

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
  const cells = hm.cols * hm.rows;
  const idx = new Uint8Array(cells).fill(ramp === "diverging" ? zeroIndex : 0);
  const n = Math.min(hm.grid.length, cells);
  for (let i = 0; i < n; i++) idx[i] = tableIndex(hm.grid[i], ramp);
  for (let i = 0; i < cells; i++) {
    const k = idx[i] * 4;
    const o = i * 4;
    px[o] = table[k];
    px[o + 1] = table[k + 1];
    px[o + 2] = table[k + 2];
    px[o + 3] = table[k + 3];
  }
  ctx.putImageData(img, 0, 0);
  indexed.set(small, { idx, ramp });
  return small;
}

/**
 * Cell indices → page-pixel indices exactly as the server's encoder does (Pillow):
 * bilinear resampling to `cell`× (pixel centres aligned, edges clamped), rows first, then
 * a box blur of radius cell/2 − 1 (edges extended), each pass rounded to whole indices;
 * cropped or padded with `fill` to width × height. Integer arithmetic throughout: a
 * 1440 × 12 000 page is a few passes over its pixels.
 */
export function upscaleIndex(idx: Uint8Array, cols: number, rows: number, cell: number, width: number, height: number, fill: number): Uint8Array {
  const W = cols * cell;
  const H = rows * cell;
  const out = new Uint8Array(Math.max(0, width) * Math.max(0, height)).fill(fill);
  if (!cols || !rows || width <= 0 || height <= 0) return out;
  // Output pixel x sits at (2x + 1 − cell) / 2cell source cells: taps i0 and i0 + 1, the
  // second weighted wn / D, with D = 2·cell, so every weight is an exact integer.
  const D = 2 * cell;
  const taps = (size: number, n: number) => {
    const i0 = new Int32Array(size);
    const wn = new Int32Array(size);
    for (let x = 0; x < size; x++) {
      const num = 2 * x + 1 - cell;
      let a = Math.floor(num / D);
      let w = num - a * D;
      if (a < 0) [a, w] = [0, 0];
      if (a >= n - 1) [a, w] = [n - 1, 0];
      i0[x] = a;
      wn[x] = w;
    }
    return { i0, wn };
  };
  const tx = taps(W, cols);
  const ty = taps(H, rows);
  const half = D >> 1;
  const wide = new Uint8Array(rows * W);
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = r * W;
    for (let x = 0; x < W; x++) {
      const j = src + tx.i0[x];
      const w = tx.wn[x];
      wide[dst + x] = w ? ((idx[j] * (D - w) + idx[j + 1] * w + half) / D) | 0 : idx[j];
    }
  }
  const img = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const a = ty.i0[y] * W;
    const w = ty.wn[y];
    const dst = y * W;
    if (!w) {
      img.set(wide.subarray(a, a + W), dst);
      continue;
    }
    const b = a + W;
    for (let x = 0; x < W; x++) img[dst + x] = ((wide[a + x] * (D - w) + wide[b + x] * w + half) / D) | 0;
  }
  const r = cell >= 4 ? Math.floor(cell / 2) - 1 : 0;
  const done = r > 0 ? boxBlur(img, W, H, r) : img;
  const w = Math.min(W, width);
  for (let y = 0; y < Math.min(H, height); y++) out.set(done.subarray(y * W, y * W + w), y * width);
  return out;
}

/** Pillow's BoxBlur(r): a (2r+1) box along rows, then along columns, edges extended; each
 * pass rounded (round(acc / span) = ⌊(2·acc + span) / 2·span⌋). */
function boxBlur(img: Uint8Array, W: number, H: number, r: number): Uint8Array {
  const span = 2 * r + 1;
  const span2 = 2 * span;
  const tmp = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const o = y * W;
    const last = W - 1;
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += img[o + (i < 0 ? 0 : i > last ? last : i)];
    for (let x = 0; x < W; x++) {
      tmp[o + x] = ((2 * acc + span) / span2) | 0;
      const add = x + r + 1;
      const sub = x - r;
      acc += img[o + (add > last ? last : add)] - img[o + (sub < 0 ? 0 : sub)];
    }
  }
  // columns, a row at a time: one running sum per column
  const out = new Uint8Array(W * H);
  const acc = new Int32Array(W);
  const lastRow = H - 1;
  for (let i = -r; i <= r; i++) {
    const o = (i < 0 ? 0 : i > lastRow ? lastRow : i) * W;
    for (let x = 0; x < W; x++) acc[x] += tmp[o + x];
  }
  for (let y = 0; y < H; y++) {
    const o = y * W;
    const add = y + r + 1;
    const sub = y - r;
    const ao = (add > lastRow ? lastRow : add) * W;
    const so = (sub < 0 ? 0 : sub) * W;
    for (let x = 0; x < W; x++) {
      out[o + x] = ((2 * acc[x] + span) / span2) | 0;
      acc[x] += tmp[ao + x] - tmp[so + x];
    }
  }
  return out;
}

/**
 * The heat at page size, drawn as the server draws its PNGs: the grid's table indices
 * brought to page pixels (`upscaleIndex`), then looked up in the ramp's table. Made once
 * per heatmap; the opacity slider only re-blits it. `blur` is kept for callers: the
 * server's rule decides (every kind is softened the same way, or the PNG would differ).
 */
export function pageImage(small: HTMLCanvasElement, hm: Pick<Heatmap, "width" | "height" | "cols" | "rows" | "cell">, _blur = true): HTMLCanvasElement {
  const big = document.createElement("canvas");
  big.width = Math.max(1, hm.width);
  big.height = Math.max(1, hm.height);
  const ctx = big.getContext("2d");
  const made = indexed.get(small);
  if (!ctx || !made || hm.cols === 0 || hm.rows === 0) return big;
  const fill = made.ramp === "diverging" ? zeroIndex : 0;
  const pixels = upscaleIndex(made.idx, hm.cols, hm.rows, hm.cell, big.width, big.height, fill);
  const table = lut(made.ramp);
  const img = ctx.createImageData(big.width, big.height);
  const px = new Uint32Array(img.data.buffer);
  const colours = new Uint32Array(table.slice().buffer);
  for (let i = 0; i < pixels.length; i++) px[i] = colours[pixels[i]];
  ctx.putImageData(img, 0, 0);
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
