// The query API, typed as the dashboard reads it. Auth is the HttpOnly session cookie, so
// every request is same-origin with credentials; a 401 sends the browser to /login and
// comes back to the same place afterwards. Every state-changing request carries the
// CSRF token (the readable pageheat_csrf cookie) in X-CSRF-Token: the server refuses a
// cookie-authenticated POST/PATCH/DELETE without it, so another site cannot forge one.

export interface App {
  key: string;
  name: string;
  origins: string[];
  created: string;
  last_event: string | null;
  script_tag: string;
  /** 0..1: the share of visitors the tracker records (1 = everyone). */
  sample_rate?: number;
  /** Honour Do-Not-Track and Global Privacy Control. */
  respect_dnt?: boolean;
  /** Days events are kept; null = the instance default, 0 = forever. */
  retention_days?: number | null;
  default_retention_days?: number | null;
  /** Keep events of browsers that look like bots; null = the instance default. */
  keep_bots?: boolean | null;
  default_keep_bots?: boolean | null;
}

/** What PATCH /apps/{key} takes. */
export type AppChanges = Partial<Pick<App, "name" | "origins" | "sample_rate" | "respect_dnt" | "retention_days" | "keep_bots">>;

export interface Me {
  user: { name: string; admin: boolean };
  csrf: string;
}

/** A personal API token; `apps` null = every app the user may read. */
export interface ApiToken {
  id: string;
  name: string;
  apps: string[] | null;
  created: string;
  last_used: string | null;
  /** Only in the answer that created it. */
  token?: string;
}

/** A heatmap saved under a name: the heatmap page's query parameters. */
export interface Saved {
  id: string;
  app: string;
  app_name: string;
  name: string;
  params: Record<string, string>;
  created: string;
  updated: string;
  created_by: string;
  url: string;
}

/** A read-only link to one heatmap. */
export interface Share {
  id: string;
  name: string | null;
  params: Record<string, string>;
  url: string;
  created: string;
  expires: string | null;
  revoked: boolean;
}

/** What a share link shows, as the public share API says it. */
export interface ShareInfo {
  name: string | null;
  app: { name: string };
  params: Record<string, string>;
  created: string;
  expires: string | null;
}

/** The server's colour tables: 256 "#rrggbbaa" per palette, index = intensity × 255. */
export type Palettes = Record<string, string[]>;

/** GET /api/v1/palettes: every table the server draws with, and how a value picks an entry. */
export interface PaletteTables {
  palettes: Palettes;
  /** points (the first is the default), bands (scroll, attention), diverging (compare). */
  families: Record<string, string[]>;
  labels: Record<string, string>;
  /** Under this intensity (or |change|) the transparent entry is drawn. */
  ignored_below: number;
  /** Points and bands: index = max(first_drawn, floor(v × 255 + 0.5)). */
  first_drawn: number;
  /** Diverging: index = clip(round(d × 127) + zero_index, 1, 255). */
  zero_index: number;
}

/** A heatmap kind as the server declares it (src/pageheat/kinds.py). */
export interface KindDef {
  name: string;
  label: string;
  title: string;
  mode: "points" | "bands";
  band: "scroll" | "attention" | null;
  one: string;
  many: string;
  counted: string;
  unit: string;
  empty: string;
  help: string;
  palette: "points" | "bands";
  min_sessions_setting: string | null;
}

/** A filter as the server declares it (src/pageheat/filters.py). */
export interface FilterDef {
  name: string;
  label: string;
  help: string;
  values: string[];
  case: "exact" | "lower" | "upper";
}

/** GET /api/v1/kinds. */
export interface Registry {
  kinds: KindDef[];
  filters: FilterDef[];
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

/** The session's CSRF token: the pageheat_csrf cookie (or what /me said, if unreadable). */
let csrfFromMe = "";
export function csrfToken(): string {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "pageheat_csrf") return decodeURIComponent(rest.join("="));
  }
  return csrfFromMe;
}

/** What a refused CSRF check tells the user (the server's own words are for developers). */
export const CSRF_MESSAGE = "This page's security token is missing or out of date (signed in elsewhere, or signed out?). Reload the page and try again.";

/**
 * `auth: false` (the public share page): a 401 or 403 is an error to show, not a reason
 * to go to the login page.
 */
async function request<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The pageheat server cannot be reached. Is it running?");
  }
  if (res.status === 401 && auth) {
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
    if (res.status === 403 && /csrf/i.test(message)) throw new ApiError(403, CSRF_MESSAGE);
    throw new ApiError(res.status, message);
  }
  return data as T;
}

/** Sign out: the server forgets the session; the caller goes to the login page. */
export async function logout(): Promise<void> {
  await fetch("/logout", { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrfToken() } }).catch(() => undefined);
}

let meOnce: Promise<Me> | null = null;
/** Who is signed in (asked once per page load). */
export function me(): Promise<Me> {
  meOnce ??= request<Me>("GET", "/api/v1/me").then((m) => {
    if (m && typeof m.csrf === "string") csrfFromMe = m.csrf;
    return m;
  });
  return meOnce;
}

let palettesOnce: Promise<PaletteTables> | null = null;
/** The server's colour tables with their families (asked once; public data, no redirect on failure). */
export function paletteTables(): Promise<PaletteTables> {
  palettesOnce ??= request<PaletteTables>("GET", "/api/v1/palettes", undefined, false);
  return palettesOnce;
}

/** The server's colour tables by name. */
export function palettes(): Promise<Palettes> {
  return paletteTables().then((r) => r.palettes);
}

let registryOnce: Promise<Registry> | null = null;
/** The server's heatmap kinds and filters (asked once; public data). */
export function registry(): Promise<Registry> {
  registryOnce ??= request<Registry>("GET", "/api/v1/kinds", undefined, false);
  return registryOnce;
}

/** Query parameters besides the route's own: time range and filters. */
export type Params = Record<string, string | undefined>;

export function qs(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

const base = (key: string) => `/api/v1/apps/${encodeURIComponent(key)}`;
const shareBase = (token: string) => `/api/v1/share/${encodeURIComponent(token)}`;

/** The export files of a heatmap (the app's, or a share link's stored one). */
export interface ExportLinks {
  png: string;
  actions: string;
  grid: string;
}

export function exportLinks(key: string, params: Params): ExportLinks {
  return {
    png: `${base(key)}/export.png${qs(params)}`,
    actions: `${base(key)}/export/actions.csv${qs(params)}`,
    grid: `${base(key)}/export/grid.csv${qs(params)}`,
  };
}

export function shareExportLinks(token: string, palette?: string): ExportLinks {
  return {
    png: `${shareBase(token)}/export.png${qs({ palette })}`,
    actions: `${shareBase(token)}/export/actions.csv`,
    grid: `${shareBase(token)}/export/grid.csv`,
  };
}

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

  updateApp: (key: string, changes: AppChanges) => request<App>("PATCH", base(key), changes),
  deleteApp: (key: string) => request<null>("DELETE", base(key)),

  tokens: () => request<{ tokens: ApiToken[] }>("GET", "/api/v1/tokens").then((r) => r.tokens),
  createToken: (name: string, apps: string[] | null) => request<ApiToken>("POST", "/api/v1/tokens", { name, apps }),
  revokeToken: (id: string) => request<null>("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`),

  /** Saved heatmaps across every app the caller may read (`key`: one app's). */
  saved: (key?: string) => request<{ saved: Saved[] }>("GET", key ? `${base(key)}/saved` : "/api/v1/saved").then((r) => r.saved),
  save: (key: string, name: string, params: Record<string, string>) => request<Saved>("POST", `${base(key)}/saved`, { name, params }),
  updateSaved: (key: string, id: string, changes: { name?: string; params?: Record<string, string> }) =>
    request<Saved>("PATCH", `${base(key)}/saved/${encodeURIComponent(id)}`, changes),
  deleteSaved: (key: string, id: string) => request<null>("DELETE", `${base(key)}/saved/${encodeURIComponent(id)}`),

  shares: (key: string) => request<{ shares: Share[] }>("GET", `${base(key)}/shares`).then((r) => r.shares),
  createShare: (key: string, params: Record<string, string>, name: string | null, expires_days: number | null) =>
    request<Share>("POST", `${base(key)}/shares`, { params, name, expires_days }),
  revokeShare: (key: string, id: string) => request<null>("DELETE", `${base(key)}/shares/${encodeURIComponent(id)}`),
};

/** The public share API: no login, so no redirect on 401/403; 410 = revoked or expired. */
export const shareApi = {
  info: (token: string) => request<ShareInfo>("GET", shareBase(token), undefined, false),
  heatmap: (token: string) => request<Heatmap>("GET", `${shareBase(token)}/heatmap`, undefined, false),
  insights: (token: string) => request<Insights>("GET", `${shareBase(token)}/insights`, undefined, false),
};
