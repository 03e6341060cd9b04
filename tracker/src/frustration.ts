/**
 * Frustration flags on clicks (DESIGN "Definitions"), computed here where the DOM is.
 *
 * A click is held until 1 s has passed since the last click, then sent with:
 * - `rage`: on the first click of a burst of ≥ 3 clicks, each within 1 s and 30 px of the
 *   one before (or on the same element), the burst's click count; a scroll or a click
 *   that leaves a text selection breaks the chain. The burst's other clicks stay clicks.
 * - `dead`: nothing happened within 1 s of the click: no DOM mutation, window blur,
 *   scroll, focus or input change, or network request started, and the URL is the same. Never dead: input, select,
 *   option, textarea, contenteditable, canvas, clicks that leave a text selection.
 * - `error`: a JS error or unhandled rejection within 1 s of the click.
 * Activity and errors are credited to the latest click before them only.
 * When the page is hidden first, held clicks leave at once (a click that leaves the page
 * did something: not dead).
 */
import { base, Event, hooks, push } from "./transport";
import { cfg } from "./config";
import { on } from "./util";

/** Rage chain gap, and the dead and error windows (ms). */
export const WINDOW_MS = cfg.w || 1000;
/** Rage: how close (px) a click must be to the one before, and the least burst size. */
export const RAGE_PX = cfg.p || 30;
export const RAGE_MIN = cfg.n || 3;

/** A held click: [event, activity seen (or never dead), performance time, URL, error seen,
 * what completes it (click.ts reads its box)]. */
type Held = [Event, boolean, number, string, boolean, () => void];
let held: Held[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
/** The rage chain: its first click (0: none), its length, the last click's x, y, t, element. */
let first: Event | 0 = 0;
let n = 0;
let lx = 0;
let ly = 0;
let lt = 0;
let last: Element | undefined;

const perf = () => performance.now();

/** Set flag `i` (1 activity, 4 error) on the latest held click before `ms`, if its window
 * holds `ms`: what happens belongs to the last thing the visitor did, not to every click
 * of the second before it. */
export function mark(i: 1 | 4, ms = perf()): void {
  // held clicks are in time order: the latest before `ms` is the first from the end (a
  // burst holds many clicks, and every scroll and focus lands here)
  for (let j = held.length; j--; ) if (ms >= held[j][2]) return void (ms - held[j][2] <= WINDOW_MS && (held[j][i] = true));
}

const observer = new MutationObserver(() => mark(1));

/** Run the tracker's own DOM work (adding the snapshot code's <script>; rrweb-snapshot
 * borrows a blank <iframe> for untouched built-ins) without it counting as the page's
 * activity: its mutation records are taken before the observer sees them. */
export function quiet(f: () => unknown): void {
  f();
  observer.takeRecords();
}

/** Hold click `c` on element `el` for its flags (`live`: an element that is never dead);
 * `done` completes it before it leaves. */
export function hold(c: Event, el: Element, live: boolean, done: () => void): void {
  const x = c.x as number;
  const y = c.y as number;
  // not its text: turning a selection into text brings layout up to date
  const sel = getSelection();
  const selected = !!sel && !sel.isCollapsed;
  if (first && !selected && c.t - lt < WINDOW_MS && (el === last || Math.hypot(x - lx, y - ly) <= RAGE_PX)) {
    if (++n >= RAGE_MIN) first.rage = n;
  } else (first = selected ? 0 : c), (n = 1);
  lx = x;
  ly = y;
  lt = c.t;
  last = el;
  held.push([c, selected || live, perf(), location.href, false, done]);
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  clearTimeout(timer);
  timer = setTimeout(release, WINDOW_MS);
}

/** Send the held clicks with their flags (`gone`: the page is going, nothing is dead). */
function release(gone?: unknown): void {
  for (const [c, active, , href, error, done] of held) {
    done();
    c.dead = !gone && !active && href === location.href;
    c.error = error;
    push(c);
  }
  held = [];
  first = 0;
  observer.disconnect();
}

const activity = (e: { type: string }) => {
  if (e.type === "scroll") first = 0;
  mark(1);
};

export function watchFrustration(): void {
  on("scroll blur focusin input change", activity, 1);
  try {
    new PerformanceObserver((list) =>
      // pageheat's own requests (batches, snapshots, replay chunks, and the snapshot and
      // replay code it loads) are not page activity
      list.getEntries().forEach((e) => e.name.indexOf(base + "/api/v1/") && e.name.indexOf(base + "/pageheat-") && mark(1, e.startTime)),
    ).observe({ type: "resource" });
  } catch {}
  hooks.push((beacon) => beacon && release(1));
}
