// The public page of a share link (/share/<token>, no login): that one heatmap,
// read-only, with its legend, a summary of its insights and top actions, the filters it
// was made with written out, and its exports. Nothing here saves, shares, switches app
// or view, opens the action explorer or sessions, or edits filters; it never calls an
// API that needs a login. A revoked or expired link gets a page saying so.
// The picture and its heat sit on the heatmap page's stage (stage.ts), read-only: drawn
// to the area's width ("Fit", the default) or at the page's own size ("100 %", kept as
// ?zoom=100), with the same hover readings at either zoom.

import { ApiError, type Heatmap, type Insights, palettes, shareApi, shareExportLinks, type ShareInfo } from "../api";
import { fmtInt, fmtPct, h, loading, mount, setVar } from "../dom";
import { gridImage, pageImage, PALETTES, tableOf, usePalette } from "../heat";
import { kindInfo } from "../kinds";
import { describeFilters, describeParamsRange, notEnoughData, widthLabel } from "./heatmap";
import { legendFor } from "./insights";
import { Stage, type StageHost } from "./stage";

function shareBar(title?: string): HTMLElement {
  return h(
    "header",
    { class: "topbar" },
    h("span", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "pageheat"),
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("span", { class: "crumb-current" }, title ?? "Shared heatmap")),
    h("div", { class: "topbar-right" }, h("span", { class: "badge badge-readonly", "data-testid": "read-only" }, "Read-only link")),
  );
}

export async function renderShare(root: HTMLElement, token: string): Promise<void> {
  document.title = "Shared heatmap · pageheat";
  mount(root, shareBar(), h("main", { class: "page" }, loading("Loading the shared heatmap…")));
  let info: ShareInfo;
  try {
    info = await shareApi.info(token);
  } catch (e) {
    return gone(root, e);
  }
  let hm: Heatmap;
  let ins: Insights | null;
  try {
    const palette = PALETTES.some(([p]) => p === info.params.palette) ? info.params.palette : "heat";
    const [heat, insights, tables] = await Promise.all([
      shareApi.heatmap(token),
      shareApi.insights(token).catch(() => null),
      palettes().catch(() => null),
    ]);
    usePalette(palette, tables?.[palette] ? tableOf(tables[palette]) : null);
    hm = heat;
    ins = insights;
  } catch (e) {
    return gone(root, e);
  }
  show(root, token, info, hm, ins);
}

/** A revoked, expired or unknown link: say which, and that the heatmap is not shown. */
function gone(root: HTMLElement, e: unknown): void {
  const status = e instanceof ApiError ? e.status : 0;
  const message = (e as Error).message;
  const title = status === 410 ? (/expired/i.test(message) ? "This link has expired" : "This link was revoked") : status === 404 ? "No such link" : "The heatmap could not be loaded";
  document.title = `${title} · pageheat`;
  mount(
    root,
    shareBar(),
    h(
      "main",
      { class: "page" },
      h(
        "section",
        { class: "card state share-gone", "data-testid": "share-gone", "data-status": String(status) },
        h("div", { class: "state-icon", "aria-hidden": "true" }),
        h("h2", null, title),
        h("p", null, message),
        h("p", { class: "muted" }, status === 410 || status === 404 ? "Ask whoever sent it for a new link." : "Try again in a moment."),
      ),
    ),
  );
}

function show(root: HTMLElement, token: string, info: ShareInfo, hm: Heatmap, ins: Insights | null): void {
  const p = info.params;
  const kind = kindInfo(p.kind ?? "click");
  const name = info.name || `${p.view} · ${info.app.name}`;
  document.title = `${name} · shared heatmap · pageheat`;
  const opacity = Math.min(1, Math.max(0, Number.parseFloat(p.opacity ?? "") || 0.7));

  // The picture and its heat on the dashboard's stage. Hover readings are of hotspots
  // only (no insights handed over: the element outlines belong to the dashboard).
  const host: StageHost = {
    state: { key: "", view: p.view ?? "", width: p.width ?? "desktop", kind: kind.value, opacity, bg: null, zoom: new URLSearchParams(location.search).get("zoom") === "100" ? "100" : "fit" },
    signal: new AbortController().signal,
    hm,
    ins: null,
    cmp: null,
    extra: () => ({}),
    zoomed: () => history.replaceState(null, "", host.state.zoom === "100" ? `${location.pathname}?zoom=100` : location.pathname),
    readOnly: true,
  };
  const stage = new Stage(host);

  const links = shareExportLinks(token, p.palette);
  const exportBtn = (href: string, kindName: string, label: string) => h("a", { class: "btn btn-small", href, download: "", "data-export": kindName }, label);

  const facts: [string, string][] = [
    ["App", info.app.name],
    ["View", p.view ?? ""],
    ["Type", kind.label],
    ["Width", widthLabel(p.width ?? "desktop")],
    ["Range", describeParamsRange(p)],
    ["Filters", describeFilters(p)],
  ];
  const notices = h("div", { class: "notices" });
  if (hm.total === 0) notices.appendChild(h("div", { class: "notice notice-muted", role: "status" }, kind.empty));
  if (hm.warning && hm.total > 0) notices.appendChild(notEnoughData(hm, kind.label.toLowerCase()));

  mount(
    root,
    shareBar(name),
    h(
      "div",
      { class: "share-head" },
      h("div", null, h("h1", { "data-testid": "share-title" }, name), h("p", { class: "muted small" }, `Shared ${info.created.slice(0, 10)}`, info.expires ? ` · link expires ${info.expires.slice(0, 10)}` : "")),
      h(
        "dl",
        { class: "share-facts", "data-testid": "share-filters" },
        facts.map(([k, v]) => h("div", null, h("dt", null, k), h("dd", { "data-fact": k.toLowerCase() }, v))),
      ),
      h("div", { class: "share-exports", "data-testid": "share-exports" }, h("span", { class: "field-label" }, "Export"), exportBtn(links.png, "png", "PNG"), exportBtn(links.actions, "actions", "Actions CSV"), exportBtn(links.grid, "grid", "Grid CSV")),
    ),
    h(
      "div",
      { class: "heat-layout" },
      h("section", { class: "stage-col" }, h("div", { class: "bg-bar" }, stage.zoomEl), notices, stage.el),
      h("aside", { class: "panel", "aria-label": "Insights" }, panel(ins, legendFor(kind, hm))),
    ),
  );
  // Drawn once on the page, so Fit measures the area it is in.
  stage.show(hm, pageImage(gridImage(hm, kind.mode === "points" ? "points" : "bands"), hm, kind.mode === "points"));
}

function panel(ins: Insights | null, legend: HTMLElement): HTMLElement {
  if (!ins) return h("div", { class: "panel-inner" }, legend);
  const s = ins.stats;
  const tile = (label: string, value: string, id: string) => h("div", { class: "tile", "data-stat": id }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
  return h(
    "div",
    { class: "panel-inner" },
    h("h2", { class: "panel-title" }, "Insights"),
    h("div", { class: "tiles" }, tile("Total clicks", fmtInt(s.total_clicks), "total-clicks"), tile("Page views", fmtInt(s.page_views), "page-views"), tile("Visitors", fmtInt(s.visitors), "visitors")),
    h(
      "dl",
      { class: "facts" },
      h("dt", null, "Rage clicks"),
      h("dd", null, fmtInt(s.rage_clicks)),
      h("dt", null, "Dead clicks"),
      h("dd", null, fmtInt(s.dead_clicks)),
      h("dt", null, "Error clicks"),
      h("dd", null, fmtInt(s.error_clicks)),
    ),
    legend,
    h(
      "section",
      { class: "actions" },
      h("h3", null, `Top actions (${ins.top_actions.length})`),
      ins.top_actions.length === 0
        ? h("p", { class: "muted" }, "No clicks yet.")
        : h(
            "ol",
            { class: "action-list", "data-testid": "top-actions" },
            ins.top_actions.map((a) => {
              const bar = h("span", { class: "share-fill" });
              setVar(bar, "--share", Math.max(0, Math.min(1, a.share || 0)));
              return h(
                "li",
                { class: "action" },
                h("div", { class: "action-head" }, h("span", { class: "action-name" }, a.name), h("span", { class: "action-count" }, fmtInt(a.count))),
                h("code", { class: "action-sel mono", title: a.selector }, a.selector),
                h("div", { class: "share" }, h("span", { class: "share-track" }, bar), h("span", { class: "share-pct" }, fmtPct(a.share))),
              );
            }),
          ),
    ),
  );
}
