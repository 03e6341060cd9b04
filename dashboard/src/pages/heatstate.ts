// What the heatmap page shows, read from and written to its query string: every filter
// (the chosen background too) lives there, so a reload or a copied link opens the same
// heatmap. Also the words saved heatmaps and share links describe their parameters with.

import type { BackgroundStatus } from "../api";
import { describeRange, filterLabel, readScope, type Scope, writeScope } from "../filters";
import { PALETTES } from "../heat";
import { isKind, kindInfo, type Kind } from "../kinds";
import { type CompareState, readCompare, writeCompare } from "./compare";

export const WIDTHS: [string, string][] = [
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["mobile", "Mobile"],
];

/** Background work the page waits for, polling the background list. */
export const busy = (s: BackgroundStatus) => s === "capturing" || s === "rendering";

export interface State {
  key: string;
  view: string;
  width: string;
  kind: Kind;
  opacity: number;
  /** A background id, or null for the view's default (its most common page state). */
  bg: string | null;
  /** Time range and filters, sent with every request. */
  scope: Scope;
  /** Compare mode's sides, or null outside compare mode. */
  compare: CompareState | null;
  /** The selector of the action whose detail the panel shows, or null for the list. */
  action: string | null;
  /** The colour table point maps are drawn with ("heat" or "colorblind"). */
  palette: string;
  /** The saved heatmap this page was opened from (its id), if any. */
  saved: string | null;
  /** The page drawn to the area's width ("fit", never enlarged) or at its own size. */
  zoom: Zoom;
  /** The goal (its id) the top actions' conversion is counted towards, or null. */
  goal: string | null;
  /** Point maps: coloured by the page's own peak, or per 1 000 page views (comparable
   * across periods and segments: `scale=absolute` of the API). */
  scale: "relative" | "absolute";
  /** The click map marks where dead clicks are (`dead=1`). */
  dead: boolean;
}

export type Zoom = "fit" | "100";

export function readState(key: string, q: URLSearchParams): State {
  const op = Number.parseFloat(q.get("opacity") ?? "");
  const kind = q.get("kind");
  return {
    key,
    view: q.get("view") ?? "",
    width: q.get("width") || "desktop",
    // the conversion map needs its goal
    kind: isKind(kind) && (!kindInfo(kind).goal || !!q.get("goal")) ? kind : "click",
    opacity: Number.isFinite(op) ? Math.min(1, Math.max(0, op)) : 0.7,
    bg: q.get("bg") || null,
    scope: readScope(q),
    compare: readCompare(q),
    action: q.get("action") || null,
    palette: PALETTES.some(([p]) => p === q.get("palette")) ? (q.get("palette") as string) : "heat",
    saved: q.get("saved") || null,
    zoom: q.get("zoom") === "100" ? "100" : "fit",
    goal: q.get("goal") || null,
    scale: q.get("scale") === "absolute" ? "absolute" : "relative",
    dead: q.get("dead") === "1",
  };
}

export function toQuery(s: State): URLSearchParams {
  const q = new URLSearchParams({ view: s.view, width: s.width });
  if (s.kind !== "click") q.set("kind", s.kind);
  if (s.opacity !== 0.7) q.set("opacity", String(s.opacity));
  if (s.bg) q.set("bg", s.bg);
  writeScope(s.scope, q);
  writeCompare(s.compare, q);
  if (s.action && !s.compare) q.set("action", s.action);
  if (s.palette !== "heat") q.set("palette", s.palette);
  if (s.saved) q.set("saved", s.saved);
  if (s.zoom !== "fit") q.set("zoom", s.zoom);
  if (s.goal) q.set("goal", s.goal);
  if (s.scale === "absolute") q.set("scale", "absolute");
  if (s.dead) q.set("dead", "1");
  return q;
}

/** What a saved heatmap or a share link keeps: the page's parameters, without the
 * saved id itself, the open action detail and the zoom (the viewer's screen decides). */
export function keptParams(s: State): Record<string, string> {
  const q = toQuery(s);
  q.delete("saved");
  q.delete("action");
  q.delete("zoom");
  return Object.fromEntries(q.entries());
}

/** "Desktop", "Mobile", "800–1200 px". */
export function widthLabel(width: string): string {
  return WIDTHS.find(([w]) => w === width)?.[1] ?? width.replace("-", "–") + " px";
}

/** The filters of a heatmap's parameters written out ("Browser: Chrome · Device: mobile"). */
export function describeFilters(params: Record<string, string>): string {
  const parts = Object.entries(readScope(new URLSearchParams(params)).filters).map(([k, v]) => `${filterLabel(k)}: ${v.split(",").join(", ")}`);
  return parts.length ? parts.join(" · ") : "no filters";
}

/** The range of a heatmap's parameters in words ("Last 7 days"). */
export function describeParamsRange(params: Record<string, string>): string {
  return describeRange(readScope(new URLSearchParams(params)));
}
