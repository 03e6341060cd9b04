// The heatmap types the server draws, and how the dashboard names what each one counts.
// Point kinds are positions drawn as blobs (as clicks are); scroll and attention are
// horizontal bands across the page.

export type Kind = "click" | "move" | "scroll" | "attention" | "rage" | "dead" | "error";
export type Mode = "points" | "scroll" | "attention";

export interface KindInfo {
  value: Kind;
  /** The segmented control's label. */
  label: string;
  mode: Mode;
  /** What one point is, singular and plural ("rage click", "rage clicks"). */
  one: string;
  many: string;
  /** What is counted, as the legend says it. */
  counted: string;
  /** The empty state when there is nothing of this kind: it says why. */
  empty: string;
}

export const KINDS: KindInfo[] = [
  {
    value: "click",
    label: "Click",
    mode: "points",
    one: "click",
    many: "clicks",
    counted: "clicks",
    empty: "No clicks in this width class yet.",
  },
  {
    value: "move",
    label: "Move",
    mode: "points",
    one: "cursor position",
    many: "cursor positions",
    counted: "cursor positions",
    empty: "No cursor moves recorded at this width (moves are desktop-only).",
  },
  {
    value: "scroll",
    label: "Scroll",
    mode: "scroll",
    one: "page view",
    many: "page views",
    counted: "the share of page views that reached each depth",
    empty: "No scroll depths recorded at this width yet.",
  },
  {
    value: "attention",
    label: "Attention",
    mode: "attention",
    one: "second",
    many: "seconds",
    counted: "mean seconds each part of the page was in view, per page view",
    empty: "No time in view recorded at this width yet.",
  },
  {
    value: "rage",
    label: "Rage",
    mode: "points",
    one: "rage click",
    many: "rage clicks",
    counted: "rage clicks (one per burst)",
    empty: "No rage clicks in this period — good news.",
  },
  {
    value: "dead",
    label: "Dead",
    mode: "points",
    one: "dead click",
    many: "dead clicks",
    counted: "dead clicks",
    empty: "No dead clicks in this period — good news.",
  },
  {
    value: "error",
    label: "Error",
    mode: "points",
    one: "error click",
    many: "error clicks",
    counted: "error clicks",
    empty: "No error clicks in this period — good news.",
  },
];

export function kindInfo(kind: string): KindInfo {
  return KINDS.find((k) => k.value === kind) ?? KINDS[0];
}

export function isKind(kind: string | null): kind is Kind {
  return KINDS.some((k) => k.value === kind);
}
