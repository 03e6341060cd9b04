/**
 * The `layout` event and snapshots on demand. A second after the page's load (or after
 * an SPA view starts; or sooner, when the visitor leaves a loaded page within that
 * second) the view reports `h`, a hash of its rendered structure: the tag
 * names and stable ids of the elements that have a box, never their text, so visitors
 * who see the same state of the page (banner or not, logged in or not) send the same
 * `h`. When the collector answers that it has no picture of that state
 * (`need_snapshot`), the snapshot code (pageheat-snapshot.js) is loaded, once a page,
 * and sends one snapshot of the view, once a view. When it answers that this session is
 * recorded (`replay`: decided by the collector from the app's settings and a hash of the
 * session id), the recorder (pageheat-replay.js) is loaded, once a page.
 */
import { quiet } from "./frustration";
import { idName } from "./finder";
import { sessionId } from "./ids";
import { app, base, flush, hooks, off, push, visitor } from "./transport";
import { fnv, now } from "./util";
import { sizes, view } from "./view";

/** Lets lazy content and late styles settle before the state is named. */
const SETTLE_MS = 1000;
/** Bounds the walk: a huge page hashes its first elements only (3000: ≈ 5 ms in
 * Chromium on a busy 2-core machine). */
const MAX_ELEMENTS = 3000;

/** The view whose layout event went out, and its hash; the last view asked for. */
let sent = "";
let h = "";
let asked = "";
let chunk: Promise<unknown> | undefined;
let recording: unknown;

/** Load `/pageheat-NAME.js` from the collector (its DOM work is not page activity). */
const load = (name: string) =>
  new Promise((loaded) => {
    const s = document.createElement("script");
    s.src = base + "/pageheat-" + name + ".js";
    s.onload = loaded;
    quiet(() => document.head.appendChild(s));
  });

/** The hash of what is rendered now. Generated ids (`:r1:`, `ember123`) would make
 * every visitor's hash differ, so only ids that selectors trust count. A box: an
 * offsetParent (cheap) or, for the rest (fixed, SVG, hidden), a client rect. */
function hash(): string {
  const all = document.body.getElementsByTagName("*");
  let s = "";
  for (let i = 0; i < all.length && i < MAX_ELEMENTS; i++) {
    const e = all[i] as HTMLElement;
    if (e.offsetParent || e.getClientRects().length) s += e.tagName + (idName(e.id) ? "#" + e.id : "") + ",";
  }
  return fnv(s).toString(36);
}

/** The layout event of view `v`, unless it is over or its layout went out already. */
function send(v: string): void {
  if (v === view && v !== sent) {
    const { dw, dh } = sizes();
    push({ k: "layout", t: now(), v: (sent = v), h: (h = hash()), dw, dh });
  }
}

/** Report the current view's layout once it has settled, sent at once (not up to
 * data-flush-ms later), so that the collector can ask for a snapshot while the visitor
 * is still on the page. */
export function settle(): void {
  const v = view;
  const later = () => setTimeout(() => (send(v), flush()), SETTLE_MS);
  document.readyState === "complete" ? later() : addEventListener("load", later, { once: true });
}

/** A visitor who leaves (or hides the page) within the second still names the state
 * they saw, with the beacon that goes then; not before load: the page is unfinished. */
export function watchLayout(): void {
  hooks.push((beacon) => beacon && document.readyState === "complete" && send(view));
}

/** The collector's answer to a batch: send a snapshot if it asks for the current view.
 * The page must still be in the state hashed, or the picture would be filed under the
 * wrong state. */
export function answered(a: { need_snapshot?: string[]; replay?: boolean }): void {
  // The recorder reads the current view and session ids at each event (false: opted out).
  if (a.replay && !recording)
    recording = load("replay").then(() => quiet(() => (self as any).pageheatReplay(base, app, visitor, () => !off && [view, sessionId(now())])), () => {});
  const v = sent;
  if (v !== view || v === asked || (a.need_snapshot || []).indexOf(v) < 0) return;
  asked = v;
  chunk ||= load("snapshot");
  // A refused load (Trusted Types, say) must not reach the page as an unhandled rejection.
  // Serialising a large page is a long task (≈ 70 ms for 3 000 elements): when idle.
  const take = () => !off && v === view && hash() === h && quiet(() => (self as any).pageheatSnapshot(base, app, visitor, v, h));
  chunk.then(() => ((self as any).requestIdleCallback ? requestIdleCallback(take, { timeout: 2000 }) : setTimeout(take)), () => {});
}
