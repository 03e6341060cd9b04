/**
 * Page views and how they end: the `view` event, visible time and scroll depth for the
 * `leave` event, the `scroll` event (deepest bottom edge, and the visible time of each
 * 5 % band of the document in the viewport; sent at the end of the view and every
 * `SCROLL_SEND_S` seconds while the viewport moves), and views started by SPA navigation (history.pushState/replaceState,
 * popstate) when the URL path changes.
 */
import { rid } from "./ids";
import { settle } from "./layout";
import { flush, push } from "./transport";
import { cut, now, on, px } from "./util";

export type Tags = Record<string, string>;

const de = document.documentElement;
const UTM = /^utm_(source|medium|campaign|term|content)$/;
/** Bands of the document (by its height at the time), and how often their time is
 * added up (ms; also `SCROLL_ACC_MS` after a scroll starts: each time reads layout,
 * which a scroll may leave to be brought up to date) and sent (s). */
const BANDS = 20;
const TICK_MS = 1000;
const SCROLL_ACC_MS = 400;
const SCROLL_SEND_S = 10;

/** The current page view's id ("" before the first view). */
export let view = "";
let name: string | undefined;
let path = "";
/** Visible time banked so far, and since when the page is visible (0: hidden). */
let vis = 0;
let since = 0;
let depth = 0;
/** Visible ms per band; when and at which scrollY they were last added to (and the timer
 * that will add them up after a scroll); the deepest scrollY a scroll event saw since;
 * seconds since the last scroll event; whether the viewport moved since. */
let bands: number[] = [];
let acc = 0;
let top = 0;
let deep = 0;
let ticks = 0;
let moved = 0;
let pend: ReturnType<typeof setTimeout> | 0 = 0;
/** A leave event went out since the page was last hidden. */
let left = false;
/** Set once the site calls startView itself: SPA navigation then starts no view. */
let manual = false;
let referrer = document.referrer;
let tags: Tags = {};

/** Viewport width and document size now (all > 0). */
export function sizes(): { vw: number; dw: number; dh: number } {
  return { vw: px(innerWidth, 1), dw: px(de.scrollWidth, 1), dh: px(de.scrollHeight, 1) };
}

/** End the current view (if any) and start the next one. */
export function startView(viewName?: string, explicit?: boolean): void {
  if (explicit) manual = true;
  if (view) scroll(1);
  view = rid();
  name = viewName ? cut(String(viewName), 256) : undefined;
  vis = depth = ticks = 0;
  since = document.visibilityState === "hidden" ? 0 : now();
  bands = Array(BANDS).fill(0);
  acc = now();
  top = scrollY;
  left = false;
  tags = { ...tags };
  path = location.pathname;
  const utm: Tags = {};
  new URLSearchParams(location.search).forEach((value, key) => {
    if (UTM.test(key) && value) utm[key.slice(4)] = cut(value, 128);
  });
  const url = location.href.split("#")[0];
  // never throws in an ES2019 browser (ECMA-402: no arguments, no range to refuse)
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  push({
    k: "view",
    t: now(),
    v: view,
    url: cut(url, 2048),
    path: cut(path, 2048),
    title: cut(document.title.trim(), 256),
    referrer: cut(referrer, 2048),
    ...sizes(),
    vh: px(innerHeight, 1),
    dpr: devicePixelRatio > 0 ? Math.min(16, devicePixelRatio) : 1,
    name,
    lang: cut(navigator.language || "", 128),
    tz: cut(tz, 128),
    utm,
    tags, // the live object: tag() calls made before this event leaves still land in it
  });
  referrer = url; // the next (SPA) view was reached from this one, as a full page load would say
  scrolled();
  settle();
}

/** Add a tag (string value) to the current view, if not yet sent, and to the next ones. */
export function tag(key: string, value: unknown): void {
  key = cut(String(key), 32);
  if (key && (key in tags || Object.keys(tags).length < 20)) tags[key] = cut(String(value), 128);
}

/** Add the visible time since the last call to the bands that were in view then, and
 * note the depth reached since (now, or the deepest a scroll event saw). Not run per scroll event: reading the scroll position can
 * make the browser bring layout up to date, so the handler only starts this timer. */
function account(): void {
  const t = now();
  const dh = de.scrollHeight;
  const d = since && t - Math.max(acc, since);
  for (let i = Math.floor((top / dh) * BANDS); d > 0 && i < Math.min(BANDS, ((top + innerHeight) / dh) * BANDS); i++) bands[i] += d;
  acc = t;
  pend = 0;
  top = Math.max(0, scrollY);
  depth = Math.max(depth, Math.max(top, deep) + innerHeight);
  deep = 0;
}

/** The `scroll` event, and before it (`end`) the `leave` event. */
function scroll(end?: 1): void {
  account();
  ticks = moved = 0;
  const e = { t: now(), v: view, depth: px(depth), dh: px(de.scrollHeight, 1) };
  if (end) push({ k: "leave", ...e, vis: Math.min(86_400_000, Math.round(vis + (since && e.t - since))) });
  push({ k: "scroll", ...e, vh: px(innerHeight, 1), bands: bands.map((b) => Math.min(864e3, Math.round(b / 100)) / 10) });
}

/** Per scroll event: only the position, kept if it is the deepest (a glance at the footer
 * shorter than `SCROLL_ACC_MS` still counts); scrollY is known without layout. */
function scrolled(): void {
  deep = Math.max(deep, scrollY);
  moved = 1;
  pend ||= setTimeout(account, SCROLL_ACC_MS);
}

function hidden(): void {
  account();
  if (since) vis += now() - since;
  since = 0;
  if (!left) scroll(1);
  left = true;
  flush(true);
}

function navigated(): void {
  setTimeout(() => {
    if (!manual && location.pathname !== path) startView();
  });
}

/** Listen for scrolling, hiding and SPA navigation. */
export function watch(): void {
  on("scroll", scrolled);
  setInterval(() => {
    account();
    if (view && ++ticks >= SCROLL_SEND_S && moved) scroll();
  }, TICK_MS);
  on("pagehide", hidden);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") hidden();
    else if (!since) (since = now()), (left = false);
  });
  // Back from the back/forward cache: a new view of the same page (the old one has left).
  on("pageshow", (e: PageTransitionEvent) => {
    if (e.persisted) (view = ""), startView(name);
  });
  for (const method of ["pushState", "replaceState"] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      navigated();
      return result;
    };
  }
  on("popstate", navigated);
}
