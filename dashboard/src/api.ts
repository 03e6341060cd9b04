// The query API, typed as the dashboard reads it. Auth is the HttpOnly login cookie, so
// every request is same-origin with credentials; a 401 sends the browser to /login and
// comes back to the same place afterwards.

export interface App {
  key: string;
  name: string;
  origins: string[];
  created: string;
  last_event: string | null;
  script_tag: string;
}

export interface View {
  name: string;
  page_views: number;
  visitors: number;
  clicks: number;
  url?: string | null;
}

export interface Hotspot {
  x: number;
  y: number;
  count: number;
  share: number;
  selector: string | null;
}

/**
 * Where the view's backgrounds stand: "capturing" a screenshot of the live page,
 * "rendering" a visitor's snapshot, the last attempt "failed", or "none" yet.
 */
export type BackgroundStatus = "ready" | "capturing" | "rendering" | "none" | "failed";

/**
 * One picture a heatmap can be drawn over: a page state rendered from a visitor's DOM
 * snapshot ("snapshot", named by its `layout_hash`) or a screenshot of the live page ("page").
 */
export interface Background {
  id: string;
  width: number;
  height: number;
  width_class?: string;
  source?: "snapshot" | "page" | string;
  layout_hash?: string | null;
  /** ms since the epoch (older servers: an ISO string). */
  captured: number | string | null;
  url: string;
  thumbnail?: string;
  /** Page views that settled in this page state (the background list only). */
  page_views?: number;
}

/** The page states captured for a view and width, and the one used when none is chosen. */
export interface Backgrounds {
  backgrounds: Background[];
  default: string | null;
  status: BackgroundStatus;
  error: string | null;
}

export interface Heatmap {
  kind: string;
  cell: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
  grid: number[];
  max: number;
  total: number;
  hotspots: Hotspot[];
  background: Background | null;
  background_status: BackgroundStatus;
  background_error: string | null;
  placed: { anchored: number; positional: number };
  not_visible: { selector: string; count: number }[];
  warning: string | null;
  sessions: number;
  /** kind=scroll only. */
  scroll?: ScrollReach | null;
  /** kind=attention only. */
  attention?: Attention | null;
}

/** Scroll reach: `reach[p]` = share of page views whose deepest point reached p % of the document. */
export interface ScrollReach {
  reach: number[];
  depth_75: number | null;
  depth_50: number | null;
  depth_25: number | null;
  avg_fold: number | null;
  page_views: number;
}

/** Mean seconds each 5 % band of the document was in view, per page view. */
export interface Attention {
  seconds: number[];
  bands: number;
}

export interface Stats {
  page_views: number | null;
  visitors: number | null;
  total_clicks: number | null;
  rage_clicks: number | null;
  dead_clicks: number | null;
  error_clicks: number | null;
  page_errors: number | null;
  avg_visible_s: number | null;
  session_end_ratio: number | null;
  popularity: number | null;
}

export interface Action {
  selector: string;
  name: string;
  count: number;
  share: number;
  visitors: number | null;
  x: number | null;
  y: number | null;
  visible: boolean | null;
  /** Frustration counts on this element (top actions). */
  rage?: number;
  dead?: number;
  error?: number;
}

export interface Insights {
  stats: Stats;
  top_actions: Action[];
  top_elements: Action[];
}

export interface FilterValues {
  name: string;
  values: { value: string; page_views: number }[];
  selected: string[];
  /** The only values the filter can take, when it has a fixed set (device, visitor). */
  fixed: string[];
}

/** One side of a comparison. */
export interface Side {
  total: number;
  page_views: number;
  per_1000: number;
  clicks: number;
  sessions: number;
  visitors: number;
}

/** One top action on both sides: shares are fractions of that side's clicks. */
export interface ActionChange {
  selector: string;
  name: string;
  count_a: number;
  count_b: number;
  share_a: number;
  share_b: number;
  change: number;
}

/** `grid` is b − a on −1..1 (±1 = `max` points per 1 000 page views). */
export interface Comparison {
  kind: string;
  cell: number;
  width: number;
  height: number;
  cols: number;
  rows: number;
  grid: number[];
  max: number;
  a: Side;
  b: Side;
  actions: ActionChange[];
  background: Background | null;
  background_status: BackgroundStatus;
  warning: string | null;
}

export interface AreaCount {
  count: number;
  share: number;
  total: number;
}

export interface ActionDetail {
  selector: string;
  name: string | null;
  count: number;
  visitors: number;
  rage: number;
  dead: number;
  error: number;
  bucket: "hour" | "day" | "week";
  series: { t: number; clicks: number }[];
  sessions: { t: number; duration_s: number; visitor: string; browser: string | null; device: string | null; session: string; clicks: number; last_click: number }[];
}

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export function loginUrl(): string {
  const here = location.pathname + location.search;
  return `/login?next=${encodeURIComponent(here)}`;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The pageheat server cannot be reached. Is it running?");
  }
  if (res.status === 401) {
    location.assign(loginUrl());
    // Never settles: the page is going away.
    return new Promise<T>(() => undefined);
  }
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message = data && typeof data.error === "string" ? data.error : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message);
  }
  return data as T;
}

/** Query parameters besides the route's own: time range and filters. */
export type Params = Record<string, string | undefined>;

function qs(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const base = (key: string) => `/api/v1/apps/${encodeURIComponent(key)}`;

export const api = {
  apps: () => request<{ apps: App[] }>("GET", "/api/v1/apps").then((r) => r.apps),
  app: (key: string) => request<App>("GET", base(key)),
  createApp: (name: string, origins: string[]) => request<App>("POST", "/api/v1/apps", { name, origins }),
  views: (key: string, width?: string) =>
    request<{ views: View[] }>("GET", `${base(key)}/views${qs({ width })}`).then((r) => r.views),
  heatmap: (key: string, view: string, width: string, kind = "click", background?: string | null, extra: Params = {}) =>
    request<Heatmap>("GET", `${base(key)}/heatmap${qs({ ...extra, view, width, kind, format: "json", background: background ?? undefined })}`),
  scroll: (key: string, view: string, width: string) =>
    request<ScrollReach>("GET", `${base(key)}/scroll${qs({ view, width })}`),
  insights: (key: string, view: string, width: string, background?: string | null, extra: Params = {}) =>
    request<Insights>("GET", `${base(key)}/insights${qs({ ...extra, view, width, background: background ?? undefined })}`),
  /** The values a filter takes (its own value not applied), most page views first. */
  filterValues: (key: string, name: string, view: string, width: string, extra: Params = {}) =>
    request<FilterValues>("GET", `${base(key)}/filters/${encodeURIComponent(name)}${qs({ ...extra, view, width })}`),
  /** Side b against side a: `extra` holds shared filters and `a.*` / `b.*` overrides. */
  compare: (key: string, view: string, width: string, kind: string, background: string | null, extra: Params) =>
    request<Comparison>("GET", `${base(key)}/compare${qs({ ...extra, view, width, kind, background: background ?? undefined })}`),
  area: (key: string, view: string, width: string, kind: string, background: string | null, rect: { x: number; y: number; w: number; h: number }, extra: Params = {}) =>
    request<AreaCount>(
      "GET",
      `${base(key)}/heatmap/area${qs({ ...extra, view, width, kind, background: background ?? undefined, x: String(Math.round(rect.x)), y: String(Math.round(rect.y)), w: String(Math.round(rect.w)), h: String(Math.round(rect.h)) })}`,
    ),
  actionDetail: (key: string, view: string, width: string, selector: string, extra: Params = {}) =>
    request<ActionDetail>("GET", `${base(key)}/actions/detail${qs({ ...extra, view, width, selector })}`),
  /** Lists what is there; unlike the heatmap, it never starts a capture. */
  backgrounds: (key: string, view: string, width: string, extra: Params = {}) =>
    request<Backgrounds>("GET", `${base(key)}/backgrounds${qs({ ...extra, view, width })}`),
  recapture: (key: string, view: string, width: string) =>
    request<{ background_status: string }>("POST", `${base(key)}/background${qs({ view, width })}`),
};
