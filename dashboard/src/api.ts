// The query API, typed as the dashboard reads it. Auth is the HttpOnly session cookie, so
// every request is same-origin with credentials; a 401 sends the browser to /login and
// comes back to the same place afterwards. Every state-changing request carries the
// CSRF token (the readable pageheat_csrf cookie) in X-CSRF-Token: the server refuses a
// cookie-authenticated POST/PATCH/DELETE without it, so another site cannot forge one.

import type { components } from "./openapi";

// The answers' types are generated from the server's /openapi.json (`make types` writes
// ./openapi.ts; a test fails when it no longer matches the server's models in
// src/pageheat/web/models.py). Change an answer there, not here.
type Schemas = components["schemas"];

export type App = Schemas["App"];

// The bodies the dashboard sends are typed from the server's request models too
// (src/pageheat/web/requests.py): a field the server does not take fails `tsc`.
/** What PATCH /apps/{key} takes. */
export type AppChanges = Schemas["AppChange"];
type NewApp = Schemas["NewApp"];
type NewToken = Schemas["NewToken"];
type NewSaved = Schemas["NewSaved"];
type SavedChange = Schemas["SavedChange"];
type NewShare = Schemas["NewShare"];

export type Me = Schemas["Me"];
/** A personal API token; `apps` null = every app the user may read. */
export type ApiToken = Schemas["ApiToken"];
/** A heatmap saved under a name: the heatmap page's query parameters. */
export type Saved = Schemas["Saved"];
/** A read-only link to one heatmap. */
export type Share = Schemas["Share"];
/** What a share link shows, as the public share API says it. */
export type ShareInfo = Schemas["ShareInfo"];

/** The server's colour tables: 256 "#rrggbbaa" per palette, index = intensity × 255. */
export type Palettes = Schemas["PalettesAnswer"]["palettes"];
/** GET /api/v1/palettes: every table the server draws with, and how a value picks an entry. */
export type PaletteTables = Schemas["PalettesAnswer"];
/** A heatmap kind as the server declares it (src/pageheat/kinds.py). */
export type KindDef = Schemas["KindModel"];
/** A filter as the server declares it (src/pageheat/filters.py). */
export type FilterDef = Schemas["FilterModel"];
/** GET /api/v1/kinds: every heatmap kind and filter. */
export type Registry = Schemas["KindsAnswer"];

export type View = Schemas["View"];
export type Hotspot = Schemas["Hotspot"];
/**
 * Where the view's backgrounds stand: "capturing" a screenshot of the live page,
 * "rendering" a visitor's snapshot, the last attempt "failed", or "none" yet.
 */
export type BackgroundStatus = Schemas["Backgrounds"]["status"];
export type Background = Schemas["Background"];
export type Backgrounds = Schemas["Backgrounds"];
export type Heatmap = Schemas["Heatmap"];
export type ScrollReach = Schemas["ScrollReach"];
export type Attention = Schemas["Attention"];
export type Stats = Schemas["Stats"];
export type Action = Schemas["Action"];
export type Insights = Schemas["Insights"];
export type FilterValues = Schemas["FilterValues"];
export type TagKey = Schemas["TagKey"];
export type Side = Schemas["Side"];
export type ActionChange = Schemas["ActionChange"];
export type Comparison = Schemas["Comparison"];
export type AreaCount = Schemas["AreaCount"];
export type ActionDetail = Schemas["ActionDetail"];
export type Session = Schemas["Session"];
export type SessionList = Schemas["SessionList"];
export type SessionDetail = Schemas["SessionDetail"];
export type TimelineItem = Schemas["TimelineItem"];
export type Goal = Schemas["Goal"];
export type Conversion = Schemas["Conversion"];
export type Funnel = Schemas["Funnel"];
export type FunnelStepDefinition = Schemas["FunnelStepDefinition"];
export type FunnelReport = Schemas["FunnelReport"];
export type FunnelStep = Schemas["FunnelStep"];
export type Journeys = Schemas["Journeys"];
/** What POST /goals takes: a view reached, an element clicked on a view, or an event
 * (the server's request model; which combinations make a goal, its 400 says). */
export type NewGoal = Schemas["NewGoal"];
/** What POST /funnels takes: 2 to 10 ordered steps. */
export type NewFunnel = Schemas["NewFunnel"];

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
  createApp: (name: string, origins: string[]) => request<App>("POST", "/api/v1/apps", { name, origins } satisfies NewApp),
  views: (key: string, width?: string) =>
    request<{ views: View[] }>("GET", `${base(key)}/views${qs({ width })}`).then((r) => r.views),
  heatmap: (key: string, view: string, width: string, kind = "click", background?: string | null, extra: Params = {}) =>
    request<Heatmap>("GET", `${base(key)}/heatmap${qs({ ...extra, view, width, kind, format: "json", background: background ?? undefined })}`),
  scroll: (key: string, view: string, width: string) =>
    request<ScrollReach>("GET", `${base(key)}/scroll${qs({ view, width })}`),
  insights: (key: string, view: string, width: string, background?: string | null, extra: Params = {}) =>
    request<Insights>("GET", `${base(key)}/insights${qs({ ...extra, view, width, background: background ?? undefined })}`),
  /** The app's goals (what conversion is counted towards). */
  goals: (key: string) => request<{ goals: Goal[] }>("GET", `${base(key)}/goals`).then((r) => r.goals),
  createGoal: (key: string, goal: NewGoal) => request<Goal>("POST", `${base(key)}/goals`, goal),
  deleteGoal: (key: string, id: string) => request<null>("DELETE", `${base(key)}/goals/${encodeURIComponent(id)}`),
  funnels: (key: string) => request<{ funnels: Funnel[] }>("GET", `${base(key)}/funnels`).then((r) => r.funnels),
  funnel: (key: string, id: string) => request<Funnel>("GET", `${base(key)}/funnels/${encodeURIComponent(id)}`),
  createFunnel: (key: string, funnel: NewFunnel) => request<Funnel>("POST", `${base(key)}/funnels`, funnel),
  deleteFunnel: (key: string, id: string) => request<null>("DELETE", `${base(key)}/funnels/${encodeURIComponent(id)}`),
  /** Sessions through each step, over the range, filters and cohort in `params`. */
  funnelReport: (key: string, id: string, params: Params) => request<FunnelReport>("GET", `${base(key)}/funnels/${encodeURIComponent(id)}/report${qs(params)}`),
  /** Pages right before and after `view` in the same sessions; every width unless `params.width`. */
  journeys: (key: string, view: string, params: Params) => request<Journeys>("GET", `${base(key)}/journeys${qs({ ...params, view })}`),
  /** The values a filter takes (its own value not applied), most page views first. */
  filterValues: (key: string, name: string, view: string, width: string, extra: Params = {}) =>
    request<FilterValues>("GET", `${base(key)}/filters/${encodeURIComponent(name)}${qs({ ...extra, view, width })}`),
  /** The tag keys (`pageheat.tag`) the page views carry: each a `tag.KEY` filter. */
  tags: (key: string, view: string, width: string, extra: Params = {}) =>
    request<{ tags: TagKey[] }>("GET", `${base(key)}/tags${qs({ ...extra, view, width })}`).then((r) => r.tags),
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
  /** Sessions narrowed by `params` (filters, range, view, width, selector, area, kind…), newest first. */
  sessions: (key: string, params: Params) => request<SessionList>("GET", `${base(key)}/sessions${qs(params)}`),
  session: (key: string, id: string) => request<SessionDetail>("GET", `${base(key)}/sessions/${encodeURIComponent(id)}`),
  /** Lists what is there; unlike the heatmap, it never starts a capture. */
  backgrounds: (key: string, view: string, width: string, extra: Params = {}) =>
    request<Backgrounds>("GET", `${base(key)}/backgrounds${qs({ ...extra, view, width })}`),
  recapture: (key: string, view: string, width: string) =>
    request<{ background_status: string }>("POST", `${base(key)}/background${qs({ view, width })}`),

  updateApp: (key: string, changes: AppChanges) => request<App>("PATCH", base(key), changes),
  deleteApp: (key: string) => request<null>("DELETE", base(key)),

  tokens: () => request<{ tokens: ApiToken[] }>("GET", "/api/v1/tokens").then((r) => r.tokens),
  createToken: (name: string, apps: string[] | null) => request<ApiToken>("POST", "/api/v1/tokens", { name, apps } satisfies NewToken),
  revokeToken: (id: string) => request<null>("DELETE", `/api/v1/tokens/${encodeURIComponent(id)}`),

  /** Saved heatmaps across every app the caller may read (`key`: one app's). */
  saved: (key?: string) => request<{ saved: Saved[] }>("GET", key ? `${base(key)}/saved` : "/api/v1/saved").then((r) => r.saved),
  save: (key: string, name: string, params: Record<string, string>) => request<Saved>("POST", `${base(key)}/saved`, { name, params } satisfies NewSaved),
  updateSaved: (key: string, id: string, changes: SavedChange) =>
    request<Saved>("PATCH", `${base(key)}/saved/${encodeURIComponent(id)}`, changes),
  deleteSaved: (key: string, id: string) => request<null>("DELETE", `${base(key)}/saved/${encodeURIComponent(id)}`),

  shares: (key: string) => request<{ shares: Share[] }>("GET", `${base(key)}/shares`).then((r) => r.shares),
  createShare: (key: string, params: Record<string, string>, name: string | null, expires_days: number | null) =>
    request<Share>("POST", `${base(key)}/shares`, { params, name, expires_days } satisfies NewShare),
  revokeShare: (key: string, id: string) => request<null>("DELETE", `${base(key)}/shares/${encodeURIComponent(id)}`),
};

/** The public share API: no login, so no redirect on 401/403; 410 = revoked or expired. */
export const shareApi = {
  info: (token: string) => request<ShareInfo>("GET", shareBase(token), undefined, false),
  heatmap: (token: string) => request<Heatmap>("GET", `${shareBase(token)}/heatmap`, undefined, false),
  insights: (token: string) => request<Insights>("GET", `${shareBase(token)}/insights`, undefined, false),
};
