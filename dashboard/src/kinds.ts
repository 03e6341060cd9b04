// The heatmap kinds the server draws, and how the dashboard names what each one counts:
// all of it from the server's registry (GET /api/v1/kinds, src/pageheat/kinds.py), loaded
// with the colour tables by `loadRegistry` before the first render, so a kind added on
// the server gets its button, legend and empty state here without a change.
// Point kinds are positions drawn as blobs (as clicks are); scroll and attention are
// horizontal bands across the page.

import { type KindDef, paletteTables, registry } from "./api";
import { useFilters } from "./filters";
import { useTables } from "./heat";

/** A kind's name, as the server's `kind` parameter takes it. */
export type Kind = string;
/** How a kind is drawn and read: points, or bands of scroll reach or attention. */
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
  /** The map as a sentence names it ("rage-click map"). */
  title: string;
  /** The colour table family it is drawn with. */
  palette: "points" | "bands";
  /** A frustration signal (rage, dead, error clicks): a map of none is good news. */
  frustration: boolean;
  /** Drawn towards a goal (`goal=ID`, the conversion map): offered once a goal is picked. */
  goal: boolean;
}

/** The server's kinds, in its order; filled by `loadRegistry`. */
export const KINDS: KindInfo[] = [];

function info(k: KindDef): KindInfo {
  const mode: Mode = k.mode === "points" ? "points" : k.band === "attention" ? "attention" : "scroll";
  return { value: k.name, label: k.label, mode, one: k.one, many: k.many, counted: k.counted, empty: k.empty, title: k.title, palette: k.palette, frustration: k.frustration, goal: !!k.goal };
}

/** Take the server's kinds (GET /api/v1/kinds). */
export function useKinds(defs: KindDef[]): void {
  KINDS.splice(0, KINDS.length, ...defs.map(info));
}

/** Kinds, filters and colour tables from the server, once: call before the first render. */
export async function loadRegistry(): Promise<void> {
  const [reg, tables] = await Promise.all([registry(), paletteTables()]);
  useKinds(reg.kinds);
  useFilters(reg.filters);
  useTables(tables);
}

export function kindInfo(kind: string): KindInfo {
  return (
    KINDS.find((k) => k.value === kind) ??
    KINDS[0] ?? { value: kind, label: kind, mode: "points", one: "point", many: "points", counted: "points", empty: "Nothing recorded yet.", title: `${kind} map`, palette: "points", frustration: false, goal: false }
  );
}

export function isKind(kind: string | null): kind is Kind {
  return KINDS.some((k) => k.value === kind);
}
