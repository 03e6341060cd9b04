/**
 * Page views and how they end: the `view` event, visible time and scroll depth for the
 * `leave` event, and views started by SPA navigation (history.pushState/replaceState,
 * popstate) when the URL path changes.
 */
import { rid } from "./ids";
import { flush, push } from "./transport";
import { cut, now, px } from "./util";

export type Tags = Record<string, string>;

const de = document.documentElement;
const UTM = /^utm_(source|medium|campaign|term|content)$/;

/** The current page view's id ("" before the first view). */
export let view = "";
let name: string | undefined;
let path = "";
/** Visible time banked so far, and since when the page is visible (0: hidden). */
let vis = 0;
let since = 0;
let depth = 0;
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
  if (view) leave();
  view = rid();
  name = viewName ? cut(String(viewName), 256) : undefined;
  vis = depth = 0;
  since = document.visibilityState === "hidden" ? 0 : now();
  left = false;
  tags = { ...tags };
  path = location.pathname;
  const utm: Tags = {};
  new URLSearchParams(location.search).forEach((value, key) => {
    if (UTM.test(key) && value) utm[key.slice(4)] = cut(value, 128);
  });
  const url = location.href.split("#")[0];
  let tz = "";
  try {
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {}
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
}

/** Add a tag (string value) to the current view, if not yet sent, and to the next ones. */
export function tag(key: string, value: unknown): void {
  key = cut(String(key), 64);
  if (key && (key in tags || Object.keys(tags).length < 16)) tags[key] = cut(String(value), 128);
}

function leave(): void {
  push({
    k: "leave",
    t: now(),
    v: view,
    vis: Math.min(86_400_000, Math.round(vis + (since && now() - since))),
    depth: px(depth),
    dh: px(de.scrollHeight, 1),
  });
}

function scrolled(): void {
  const d = scrollY + innerHeight;
  if (d > depth) depth = d;
}

function hidden(): void {
  if (since) vis += now() - since;
  since = 0;
  if (!left) leave();
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
  addEventListener("scroll", scrolled, { passive: true });
  addEventListener("pagehide", hidden);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") hidden();
    else if (!since) (since = now()), (left = false);
  });
  // Back from the back/forward cache: a new view of the same page (the old one has left).
  addEventListener("pageshow", (e) => {
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
  addEventListener("popstate", navigated);
}
