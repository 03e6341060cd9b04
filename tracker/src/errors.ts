/**
 * The `error` event: JS errors and unhandled rejections, one event per message hash and
 * batch with its count `n`; at most `MAX_HASHES` distinct messages a view, so that an
 * error loop cannot flood. Each also flags the clicks of the second before (`error`).
 */
import { mark } from "./frustration";
import { Event, hooks, push } from "./transport";
import { cut, fnv, now, on } from "./util";
import { view } from "./view";

const MAX_HASHES = 20;
/** The error events of the open batch, by hash; the hashes seen in view `seenIn`. */
let open: Record<string, Event> = {};
let seen: Record<string, 1> = {};
let seenIn = "";

function onError(e: Partial<ErrorEvent & PromiseRejectionEvent>): void {
  mark(4);
  const r = e.reason;
  const msg = cut(String(e.message || (r && r.message) || r).trim(), 256);
  const hash = fnv(msg).toString(36);
  if (seenIn !== view) (seen = {}), (open = {}), (seenIn = view);
  const ev = open[hash];
  if (ev) (ev.n as number) < 1e5 && (ev.n as number)++;
  else if (seen[hash] || Object.keys(seen).length < MAX_HASHES) {
    seen[hash] = 1;
    push((open[hash] = { k: "error", t: now(), v: view, msg, hash, n: 1 }));
  }
}

export function watchErrors(): void {
  on("error unhandledrejection", onError);
  hooks.push(() => (open = {}));
}
