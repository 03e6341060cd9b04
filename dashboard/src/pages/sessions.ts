// The sessions behind the heat: an app's sessions with the heatmap's range, width and
// filters, newest first and paged, narrowed (from the heatmap) to those that clicked an
// element, an area or a kind of click. Everything that narrows lives in the query string
// under the API's own names (`selector=`, `x,y,w,h`, `kind=`, `has=`, `user=`), so the
// heatmap's "N sessions" links land here and a copied link opens the same list. A session
// the site identified (`pageheat.identify`) shows its user; the user box lists one user's.

import { api, type Session, type SessionList } from "../api";
import { errorBox, fmtAgo, fmtInt, fmtSeconds, h, loading, mount } from "../dom";
import { FilterBar, readScope, scopeParams, type Scope, writeScope } from "../filters";
import { kindInfo, isKind } from "../kinds";
import { topbar } from "../layout";
import { cohortLabel } from "./cohorts";
import { appUrl, heatmapUrl, replayUrl, sessionUrl, sessionsUrl } from "../router";

/** What narrows the list besides the range and filters: kept as they are in the URL. */
export const NARROWING = ["view", "selector", "x", "y", "w", "h", "kind", "background", "user"] as const;
const SESSION_FILTERS = ["has", "duration_min", "duration_max", "pages_min", "pages_max"] as const;
const WIDTHS: [string, string][] = [
  ["", "All widths"],
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["mobile", "Mobile"],
];
const FLAGS = ["rage", "dead", "error"] as const;

interface ListState {
  key: string;
  width: string;
  scope: Scope;
  /** view, selector, area, kind… and the session filters, as the URL has them. */
  narrow: Record<string, string>;
}

function readList(key: string, q: URLSearchParams): ListState {
  const narrow: Record<string, string> = {};
  for (const n of [...NARROWING, ...SESSION_FILTERS]) {
    const v = q.get(n);
    if (v) narrow[n] = v;
  }
  return { key, width: q.get("width") ?? "", scope: readScope(q), narrow };
}

/** The page's own query string (what a reload or a copied link opens). */
function listQuery(s: ListState): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(s.narrow)) if (v) q.set(k, v);
  if (s.width) q.set("width", s.width);
  writeScope(s.scope, q);
  return q;
}

/** Who a session was: the name the site gave, else its user id, else the visitor id's
 * start (an anonymous session). */
export const who = (s: Session): string => s.user?.name ?? s.user?.id ?? s.visitor.slice(0, 8);

/** A duration in ms as "1 min 5 s" / "4.2 s". */
export const fmtMs = (ms: number) => fmtSeconds(ms / 1000);

/** m:ss.s from a session's start. */
export function fmtOffset(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

/** What narrows the list, in words: "that clicked #buy on /pricing". */
function describe(n: Record<string, string>): string {
  const on = n.view ? ` on ${n.view}` : "";
  const kind = n.kind && isKind(n.kind) ? kindInfo(n.kind) : null;
  const clicks = kind && n.kind !== "click" ? kind.many : "clicks";
  if (n.selector && n.x) return `with ${clicks} on ${n.selector} in an area of ${Math.round(+n.w)} × ${Math.round(+n.h)} px${on}`;
  if (n.selector) return `with ${clicks} on ${n.selector}${on}`;
  if (n.x) return `with ${clicks} in an area of ${Math.round(+n.w)} × ${Math.round(+n.h)} px${on}`;
  if (kind) return `with ${kind.many}${on}`;
  return n.view ? `that saw ${n.view}` : "";
}

export async function renderSessions(root: HTMLElement, key: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  const state = readList(key, query);
  document.title = "Sessions · pageheat";
  const crumbs = [{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Sessions" }];
  const body = h("main", { class: "page" });
  mount(root, topbar(crumbs), body);
  const list = h("div", { class: "sessions-list" });
  const total = h("p", { class: "muted", "data-testid": "sessions-total" });
  let seq = 0;

  const reload = () => {
    history.replaceState(null, "", `${location.pathname}?${listQuery(state).toString()}`);
    void load();
  };
  const bar = new FilterBar(state.scope, {
    change: (scope) => {
      state.scope = scope;
      reload();
    },
    values: (name) => api.filterValues(key, name, state.narrow.view ?? "", state.width || "0-1000000", scopeParams(state.scope)),
  });
  const width = h(
    "select",
    { "aria-label": "Width", "data-testid": "sessions-width", on: { change: () => ((state.width = width.value), reload()) } },
    WIDTHS.map(([v, label]) => h("option", { value: v, selected: v === state.width }, label)),
  );
  const has = new Set((state.narrow.has ?? "").split(",").filter(Boolean));
  const flags = FLAGS.map((f) =>
    h(
      "label",
      { class: "check" },
      h("input", {
        type: "checkbox",
        checked: has.has(f),
        "data-has": f,
        on: {
          change: (ev: Event) => {
            if ((ev.target as HTMLInputElement).checked) has.add(f);
            else has.delete(f);
            state.narrow.has = [...has].join(",");
            reload();
          },
        },
      }),
      ` ${f === "error" ? "errors" : `${f} clicks`}`,
    ),
  );
  const user = h("input", {
    type: "search",
    placeholder: "user id",
    value: state.narrow.user ?? "",
    "aria-label": "User",
    "data-testid": "sessions-user",
    on: { change: () => ((state.narrow.user = user.value.trim()), reload()) },
  }) as HTMLInputElement;
  const narrowed = describe(state.narrow);
  const clear = { ...state.narrow };
  for (const n of ["selector", "x", "y", "w", "h", "kind", "background"]) delete clear[n];
  const heading = h(
    "div",
    { class: "page-head" },
    h("h1", null, "Sessions"),
    narrowed
      ? h(
          "p",
          { class: "meta-line", "data-testid": "sessions-narrowed" },
          h("span", null, `Sessions ${narrowed}. `),
          state.narrow.view ? h("a", { href: heatmapUrl(key, state.narrow.view, state.width || "desktop") }, "Back to the heatmap") : null,
          " · ",
          h("a", { href: sessionsUrl(key, Object.fromEntries(listQuery({ ...state, narrow: clear }))) }, "All sessions"),
        )
      : null,
    // a behaviour cohort (a funnel step's drop-off, converted…) narrows the list as a filter does
    state.scope.cohort
      ? h(
          "p",
          { class: "meta-line", "data-testid": "sessions-cohort" },
          h("span", null, `Cohort: ${cohortLabel(state.scope.cohort)}. `),
          h("a", { href: sessionsUrl(key, Object.fromEntries(listQuery({ ...state, scope: { ...state.scope, cohort: "" } }))) }, "Every session"),
        )
      : null,
    total,
  );
  mount(
    body,
    heading,
    bar.el,
    h("div", { class: "toolbar sessions-tools" }, h("div", { class: "field" }, h("span", { class: "field-label" }, "Width"), width), h("div", { class: "field" }, h("span", { class: "field-label" }, "Has"), flags), h("div", { class: "field" }, h("span", { class: "field-label" }, "User"), user)),
    list,
  );

  async function load(cursor: string | null = null): Promise<void> {
    const mine = ++seq;
    const more = list.querySelector("[data-testid=sessions-more]");
    if (cursor === null) mount(list, loading("Loading sessions…"));
    else more?.setAttribute("disabled", "");
    const params = { ...scopeParams(state.scope), ...state.narrow, width: state.width || undefined, cursor: cursor ?? undefined };
    let page: SessionList;
    try {
      page = await api.sessions(key, params);
    } catch (e) {
      if (!signal.aborted && mine === seq) mount(list, errorBox(`The sessions could not be loaded: ${(e as Error).message}`, () => void load()));
      return;
    }
    if (signal.aborted || mine !== seq) return;
    total.textContent = `${fmtInt(page.total)} session${page.total === 1 ? "" : "s"}, newest first`;
    const back = listQuery(state);
    if (cursor === null) {
      if (page.sessions.length === 0) {
        mount(list, h("div", { class: "state", "data-testid": "sessions-empty" }, h("p", null, "No session matches in this range.")));
        return;
      }
      mount(list, table());
    }
    const tbody = list.querySelector("tbody");
    for (const s of page.sessions) tbody?.appendChild(row(key, s, back));
    more?.remove();
    if (page.next) {
      const next = page.next;
      list.appendChild(h("button", { type: "button", class: "btn", "data-testid": "sessions-more", on: { click: () => void load(next) } }, "More sessions"));
    }
  }
  await load();
}

function table(): HTMLElement {
  return h(
    "table",
    { class: "table", "data-testid": "sessions" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        ["When", "Length", "Pages", "Clicks", "Frustration", "User", "Device", "Country", "Entry → exit", "Replay"].map((c, i) => h("th", { class: i >= 1 && i <= 3 ? "num" : undefined }, c)),
      ),
    ),
    h("tbody", null),
  );
}

function row(key: string, s: Session, back: URLSearchParams): HTMLElement {
  const first = s.moments?.length ? s.moments[0] : null;
  const q = new URLSearchParams(back);
  if (first !== null) q.set("t", String(first));
  const href = sessionUrl(key, s.id, q.toString());
  const flags = [
    s.rage ? h("span", { class: "badge badge-rage", "data-flag": "rage" }, `${fmtInt(s.rage)} rage`) : null,
    s.dead ? h("span", { class: "badge badge-dead", "data-flag": "dead" }, `${fmtInt(s.dead)} dead`) : null,
    s.errors ? h("span", { class: "badge badge-error", "data-flag": "error" }, `${fmtInt(s.errors)} error${s.errors === 1 ? "" : "s"}`) : null,
  ];
  return h(
    "tr",
    { "data-session": s.id },
    h(
      "td",
      null,
      h("a", { class: "strong", href, "data-testid": "session-link", title: new Date(s.start).toISOString() }, fmtAgo(s.start)),
      s.moments?.length ? h("div", { class: "sub small", "data-testid": "moments" }, `clicked at ${s.moments.slice(0, 3).map(fmtOffset).join(", ")}${s.moments.length > 3 ? "…" : ""}`) : null,
    ),
    h("td", { class: "num" }, fmtMs(s.duration_ms)),
    h("td", { class: "num" }, fmtInt(s.pages)),
    h("td", { class: "num" }, fmtInt(s.clicks)),
    h("td", null, flags),
    h(
      "td",
      { class: s.user ? undefined : "mono muted", title: s.user ? `user ${s.user.id} · visitor ${s.visitor}` : `visitor ${s.visitor} (not identified)`, "data-testid": "session-user" },
      s.user ? h("a", { href: sessionsUrl(key, { ...Object.fromEntries(back), user: s.user.id }), "data-user": s.user.id }, who(s)) : who(s),
    ),
    h("td", null, [s.device, s.browser, s.os].filter(Boolean).join(" · ") || "—"),
    h("td", null, s.country ?? "—"),
    h("td", null, `${s.entry ?? "—"} → ${s.exit ?? "—"}`),
    h("td", null, s.has_replay ? h("a", { href: replayUrl(key, s.id, first === null ? 0 : first - 3000), "data-testid": "watch-replay" }, "Watch") : h("span", { class: "muted small", "data-testid": "no-replay" }, "no replay")),
  );
}
