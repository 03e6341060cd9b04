// History-API routing on location.pathname; the server answers every dashboard path with
// index.html, so a reload or a pasted link lands on the same page.

export interface Route {
  name: "apps" | "views" | "heatmap" | "settings" | "account" | "sessions" | "session" | "replay" | "outcomes" | "funnel" | "notfound";
  key?: string;
  /** A session's id (session and replay pages). */
  id?: string;
  query: URLSearchParams;
}

export function parse(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const parts = pathname.replace(/\/+$/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: "apps", query };
  if (parts.length === 1 && parts[0] === "account") return { name: "account", query };
  if (parts[0] === "apps" && parts.length === 3 && parts[2] === "settings") return { name: "settings", key: parts[1], query };
  if (parts[0] === "apps" && parts.length === 3 && parts[2] === "outcomes") return { name: "outcomes", key: parts[1], query };
  if (parts[0] === "apps" && parts.length === 4 && parts[2] === "funnels") return { name: "funnel", key: parts[1], id: parts[3], query };
  if (parts[0] === "apps" && parts.length === 2) return { name: "views", key: parts[1], query };
  if (parts[0] === "apps" && parts.length === 3 && parts[2] === "heatmap") {
    return { name: "heatmap", key: parts[1], query };
  }
  if (parts[0] === "apps" && parts[2] === "sessions") {
    if (parts.length === 3) return { name: "sessions", key: parts[1], query };
    if (parts.length === 4) return { name: "session", key: parts[1], id: parts[3], query };
    if (parts.length === 5 && parts[4] === "replay") return { name: "replay", key: parts[1], id: parts[3], query };
  }
  return { name: "notfound", query };
}

type Listener = () => void;
let listener: Listener = () => undefined;

export function onNavigate(fn: Listener): void {
  listener = fn;
  window.addEventListener("popstate", () => listener());
}

/** Go to `url` (same origin) and render it. */
export function navigate(url: string): void {
  if (url === location.pathname + location.search) return;
  history.pushState(null, "", url);
  window.scrollTo(0, 0);
  listener();
}

/** Replace the current entry with `url` and render it (no extra history step). */
export function redirect(url: string): void {
  history.replaceState(null, "", url);
  listener();
}

/** Change the query string of the current page without adding a history entry per tweak. */
export function replaceQuery(params: URLSearchParams): void {
  const url = `${location.pathname}?${params.toString()}`;
  history.replaceState(null, "", url);
}

export function heatmapUrl(key: string, view: string, width = "desktop", opacity?: string, kind?: string): string {
  const q = new URLSearchParams({ view, width });
  if (kind && kind !== "click") q.set("kind", kind);
  if (opacity) q.set("opacity", opacity);
  return `/apps/${encodeURIComponent(key)}/heatmap?${q.toString()}`;
}

/** The sessions page narrowed by `params` (view, width, selector, area, kind, range, filters…). */
export function sessionsUrl(key: string, params: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ""));
  const s = q.toString();
  return `/apps/${encodeURIComponent(key)}/sessions${s ? `?${s}` : ""}`;
}

/** One session's timeline; `back` is the list it was opened from (its query string). */
export const sessionUrl = (key: string, id: string, back = "") =>
  `/apps/${encodeURIComponent(key)}/sessions/${encodeURIComponent(id)}${back ? `?${back}` : ""}`;

/** The player of a session's replay, starting `t` ms into it. */
export const replayUrl = (key: string, id: string, t = 0) => `/apps/${encodeURIComponent(key)}/sessions/${encodeURIComponent(id)}/replay?t=${Math.max(0, Math.round(t))}`;

export const appUrl = (key: string) => `/apps/${encodeURIComponent(key)}`;
/** Goals and funnels of an app: define, delete, open a funnel's report. */
export const outcomesUrl = (key: string) => `/apps/${encodeURIComponent(key)}/outcomes`;
/** A funnel's report; `query`: the range, filters and cohort it is counted over. */
export const funnelUrl = (key: string, id: string, query = "") => `/apps/${encodeURIComponent(key)}/funnels/${encodeURIComponent(id)}${query ? `?${query}` : ""}`;
export const settingsUrl = (key: string) => `/apps/${encodeURIComponent(key)}/settings`;

/** Plain left clicks on same-origin links route in place; others behave as links do. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element).closest("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
}
