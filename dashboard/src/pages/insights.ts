// The heatmap page's right-hand panel: the view's numbers, the colour scale with its
// reading guide, and the top actions with their share, a locate button and the
// "not visible in this background" mark.

import type { Action, Heatmap, Insights } from "../api";
import { fmtInt, fmtPct, fmtSeconds, h, setVar } from "../dom";
import { drawLegend } from "../heat";

export interface ActionHooks {
  hover(action: Action | null): void;
  locate(action: Action): void;
}

export function insightsPanel(ins: Insights, hm: Heatmap | null, hooks: ActionHooks): HTMLElement {
  const s = ins.stats;
  return h(
    "div",
    { class: "panel-inner" },
    h("h2", { class: "panel-title" }, "Insights"),
    h(
      "div",
      { class: "tiles" },
      tile("Total clicks", fmtInt(s.total_clicks), "total-clicks"),
      tile("Page views", fmtInt(s.page_views), "page-views"),
      tile("Visitors", fmtInt(s.visitors), "visitors"),
    ),
    h(
      "dl",
      { class: "facts" },
      fact("Rage clicks", fmtInt(s.rage_clicks)),
      fact("Dead clicks", fmtInt(s.dead_clicks)),
      fact("Error clicks", fmtInt(s.error_clicks)),
      fact("Page errors", fmtInt(s.page_errors)),
      fact("Avg. visible time", fmtSeconds(s.avg_visible_s)),
      fact("Session end ratio", fmtPct(s.session_end_ratio)),
      fact("Share of the app's views", fmtPct(s.popularity)),
    ),
    legend(),
    hm && hm.not_visible.length ? notVisibleNote(hm) : null,
    actionsList(ins.top_actions, hooks),
  );
}

function tile(label: string, value: string, id: string): HTMLElement {
  return h("div", { class: "tile", "data-stat": id }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
}

function fact(label: string, value: string): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}

export function legend(): HTMLElement {
  const bar = h("canvas", { class: "legend-bar", "aria-hidden": "true" });
  drawLegend(bar);
  const guide: [string, string][] = [
    ["< 5 %", "ignored"],
    ["5–25 %", "light"],
    ["25–60 %", "meaningful"],
    ["60–85 %", "strong"],
    ["85–100 %", "hotspot"],
  ];
  return h(
    "section",
    { class: "legend", "aria-label": "Colour scale" },
    h("h3", null, "Scale"),
    bar,
    h("div", { class: "legend-ends" }, h("span", null, "few"), h("span", null, "many clicks")),
    h(
      "ul",
      { class: "legend-guide" },
      guide.map(([range, meaning], i) => h("li", null, h("span", { class: `swatch swatch-${i}` }), h("span", { class: "mono" }, range), " ", meaning)),
    ),
    h("p", { class: "hint" }, "Share of this page's own peak."),
  );
}

function notVisibleNote(hm: Heatmap): HTMLElement {
  const n = hm.not_visible.reduce((a, b) => a + b.count, 0);
  return h(
    "p",
    { class: "notice notice-muted small" },
    `${fmtInt(n)} click${n === 1 ? " was" : "s were"} on elements missing from this background (${hm.not_visible.length} element${hm.not_visible.length === 1 ? "" : "s"}); they are listed but not drawn.`,
  );
}

function actionsList(actions: Action[], hooks: ActionHooks): HTMLElement {
  if (actions.length === 0) {
    return h("section", { class: "actions" }, h("h3", null, "Top actions"), h("p", { class: "muted" }, "No clicks yet."));
  }
  return h(
    "section",
    { class: "actions" },
    h("h3", null, `Top actions (${actions.length})`),
    h(
      "ol",
      { class: "action-list", "data-testid": "top-actions" },
      actions.map((a) => {
        const bar = h("span", { class: "share-fill" });
        setVar(bar, "--share", Math.max(0, Math.min(1, a.share || 0)));
        const placed = a.x !== null && a.y !== null;
        return h(
          "li",
          {
            class: ["action", a.visible === false && "action-hidden"],
            on: { mouseenter: () => hooks.hover(placed ? a : null), mouseleave: () => hooks.hover(null) },
          },
          h(
            "div",
            { class: "action-head" },
            h("span", { class: "action-name", title: a.name }, a.name),
            h("span", { class: "action-count" }, fmtInt(a.count)),
          ),
          h("code", { class: "action-sel mono", title: a.selector }, a.selector),
          h(
            "div",
            { class: "share" },
            h("span", { class: "share-track" }, bar),
            h("span", { class: "share-pct" }, fmtPct(a.share)),
            h(
              "button",
              {
                class: "btn btn-small btn-ghost",
                type: "button",
                disabled: !placed,
                title: placed ? "Scroll the page to this action" : "No position in this background",
                on: { click: () => hooks.locate(a) },
              },
              "Locate",
            ),
          ),
          a.visible === false ? h("span", { class: "badge badge-warn" }, "not visible in this background") : null,
        );
      }),
    ),
  );
}
