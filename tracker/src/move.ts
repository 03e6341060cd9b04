/**
 * The `move` event (desktop only: pointer type "mouse"): mouse positions sampled at most every `MOVE_MS`, each
 * at least `MOVE_PX` from the one kept before, as [x, y, ms after t] triples; one event
 * per batch (or per `MOVE_POINTS` points), sent with the normal flushes.
 */
import { cfg } from "./config";
import { Event, hooks, push } from "./transport";
import { now, on, px } from "./util";
import { sizes, view } from "./view";

const MOVE_MS = cfg.m || 100;
const MOVE_PX = cfg.d || 20;
const MOVE_POINTS = 200;

/** The open move event (0: none), its start (event time base), the last point kept. */
let open: Event | 0 = 0;
let base = 0;
let lt = -1e9;
let lx = -1e9;
let ly = 0;

function onMove(e: PointerEvent): void {
  const t = e.timeStamp;
  if (t - lt < MOVE_MS || e.pointerType !== "mouse") return;
  const x = e.pageX;
  const y = e.pageY;
  if (Math.hypot(x - lx, y - ly) < MOVE_PX) return;
  lt = t;
  lx = x;
  ly = y;
  if (!open || open.v !== view) push((open = { k: "move", t: now(), v: view, ...sizes(), p: [] })), (base = t);
  const p = open.p as number[][];
  if (p.push([px(x), px(y), (t - base) | 0]) >= MOVE_POINTS) open = 0;
}

export function watchMoves(): void {
  on("pointermove", onMove, 1);
  hooks.push(() => (open = 0));
}
