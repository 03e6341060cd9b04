// The heatmap page's right-hand panel: the view's numbers, the colour scale with its
// reading guide (which follows the heatmap type), and the top actions with their share,
// frustration badges, a locate button and the "not visible in this background" mark.

import type { Action, Conversion, Goal, Heatmap, Insights } from "../api";
import { fmtInt, fmtPct, fmtSeconds, h, setVar } from "../dom";
import { drawLegend, lut, paletteName, PALETTES } from "../heat";
import type { KindInfo } from "../kinds";

export interface ActionHooks {
  hover(action: Action | null): void;
  locate(action: Action): void;
  /** Show the action's detail (its clicks over time and the sessions that did it). */
  open(action: Action): void;
  /** The sessions page narrowed by `narrow` (a selector, a kind); none on a read-only page. */
  sessions?(narrow: Record<string, string>): string;
}

/** `legendSlot` holds the colour scale; the heatmap page fills it per heatmap type. */
export function insightsPanel(ins: Insights, legendSlot: HTMLElement, hooks: ActionHooks, goalSlot: HTMLElement | null = null): HTMLElement {
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
      fact("Rage clicks", kindLink(hooks, "rage", s.rage_clicks)),
      fact("Dead clicks", kindLink(hooks, "dead", s.dead_clicks)),
      fact("Error clicks", kindLink(hooks, "error", s.error_clicks)),
      fact("Clicks on non-clickable elements", `${fmtInt(s.inert_clicks ?? 0)} (${fmtPct(ins.inert?.share ?? 0)})`, "inert-clicks", (s.inert_clicks ?? 0) > 0),
      fact("Page errors", fmtInt(s.page_errors), "page-errors", (s.page_errors ?? 0) > 0),
      fact("Avg. visible time", fmtSeconds(s.avg_visible_s)),
      fact("Session end ratio", fmtPct(s.session_end_ratio)),
      fact("Share of the app's views", fmtPct(s.popularity)),
    ),
    legendSlot,
    goalSlot,
    ins.goal
      ? h("p", { class: "small", "data-testid": "goal-rate" }, `${fmtPct(ins.goal.rate)} of this page's ${fmtInt(ins.goal.sessions)} sessions reached ${ins.goal.name}.`)
      : null,
    actionsList(ins.top_actions, hooks),
    inertList(ins),
  );
}

/** Elements that are not links, buttons or controls, clicked anyway: what visitors
 * expected to respond (the `inert` map shows where; `interactive=false` narrows any map). */
function inertList(ins: Insights): HTMLElement | null {
  const top = ins.inert?.top ?? [];
  if (!top.length) return null;
  return h(
    "section",
    { class: "actions inert", "data-testid": "inert-elements" },
    h("h3", null, "Clicked but not clickable"),
    h("p", { class: "muted small" }, "Elements that are not links, buttons or form controls, most clicked first: visitors expected them to respond."),
    h(
      "ol",
      { class: "action-list" },
      top.map((a) =>
        h(
          "li",
          { class: "action", "data-selector": a.selector },
          h("div", { class: "action-head" }, h("span", { class: "action-name", title: a.name }, a.name), h("span", { class: "action-count" }, fmtInt(a.count))),
          h("code", { class: "action-sel mono", title: a.selector }, a.selector),
          h("span", { class: "share-pct muted small" }, `${fmtPct(a.share)} of all clicks`),
        ),
      ),
    ),
  );
}

/** "Conversion towards: [goal]": the goal the top actions' conversion is counted towards. */
export function goalPicker(goals: Goal[] | null, chosen: string | null, pick: (goal: string | null) => void): HTMLElement | null {
  if (!goals || goals.length === 0) return null;
  const select = h(
    "select",
    { "data-testid": "goal-picker", on: { change: (e: Event) => pick((e.target as HTMLSelectElement).value || null) } },
    h("option", { value: "" }, "No goal"),
    goals.map((g) => h("option", { value: g.id, selected: g.id === chosen }, g.name)),
  );
  return h("label", { class: "goal-pick small" }, "Conversion towards ", select);
}

/** An action's conversion: its rate, and the difference from the page's other sessions
 * with its 95 % interval; an interval across 0 says the difference may be noise. */
function conversionLine(c: Conversion | undefined): HTMLElement | null {
  if (!c) return null;
  const pts = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} pts`;
  const unsure = c.ci[0] <= 0 && c.ci[1] >= 0;
  return h(
    "div",
    {
      class: ["conversion small", unsure && "conversion-unsure"],
      "data-testid": "conversion",
      title: `${fmtInt(c.converted)} of ${fmtInt(c.sessions)} sessions that clicked it converted; ${fmtInt(c.others_converted)} of the ${fmtInt(c.others_sessions)} that did not. 95 % interval of the difference: ${pts(c.ci[0])} to ${pts(c.ci[1])}.${c.warning ? ` ${c.warning}` : ""}`,
    },
    `converts ${fmtPct(c.rate)} (${pts(c.lift)} vs. others${unsure ? ", not significant" : ""})`,
  );
}

function tile(label: string, value: string, id: string): HTMLElement {
  return h("div", { class: "tile", "data-stat": id }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
}

/** A count of frustration clicks, linking to the sessions that made them when it may. */
function kindLink(hooks: ActionHooks, kind: string, n: number | null | undefined): HTMLElement | string {
  if (!hooks.sessions || !n) return fmtInt(n);
  return h("a", { href: hooks.sessions({ kind }), "data-testid": `${kind}-sessions`, title: `The sessions with ${kind} clicks on this view` }, fmtInt(n));
}

function fact(label: string, value: HTMLElement | string, id?: string, bad = false): HTMLElement[] {
  return [h("dt", null, label), h("dd", { class: bad ? "fact-bad" : undefined, "data-stat": id }, value)];
}

/** The colour scale for the heatmap type shown, saying what is counted. */
export function legendFor(kind: KindInfo, hm: Heatmap): HTMLElement {
  if (kind.mode === "scroll") return scrollLegend(kind, hm);
  if (kind.mode === "attention") return attentionLegend(kind, hm);
  return legend(kind, hm);
}

function what(kind: KindInfo): HTMLElement {
  return h("p", { class: "legend-what", "data-testid": "legend-what" }, "Counting ", h("strong", null, kind.counted), ".");
}

function bandLegend(kind: KindInfo, low: string, high: string, guide: HTMLElement, hint: string): HTMLElement {
  const bar = h("canvas", { class: "legend-bar", "aria-hidden": "true" });
  drawLegend(bar, "bands");
  return h(
    "section",
    { class: "legend", "aria-label": "Colour scale", "data-kind": kind.value },
    h("h3", null, "Scale"),
    what(kind),
    bar,
    h("div", { class: "legend-ends" }, h("span", null, low), h("span", null, high)),
    guide,
    h("p", { class: "hint" }, hint),
  );
}

function scrollLegend(kind: KindInfo, hm: Heatmap): HTMLElement {
  const views = hm.scroll?.page_views ?? hm.total;
  return bandLegend(
    kind,
    "0 %",
    "100 % reach",
    h(
      "ul",
      { class: "legend-guide" },
      h("li", null, h("span", { class: "line-swatch" }), "75 / 50 / 25 % of visitors reached this line"),
      h("li", null, h("span", { class: "line-swatch line-swatch-dashed" }), "average fold (bottom of the first screen)"),
    ),
    `Share of ${fmtInt(views)} page view${views === 1 ? "" : "s"} whose deepest scroll reached each depth.`,
  );
}

function attentionLegend(kind: KindInfo, hm: Heatmap): HTMLElement {
  const max = Number.isFinite(hm.max) ? hm.max : 0;
  return bandLegend(
    kind,
    "0 s",
    `${max.toFixed(1)} s`,
    h("ul", { class: "legend-guide" }, h("li", null, "Each 5 % band of the page, coloured by its mean seconds in view.")),
    "Relative to the longest-viewed band.",
  );
}

/**
 * The colour scale of point maps, drawn from the very table the heat is: the bar with
 * its ticks (0, 25, 50, 75, 100 % of the peak), then each band's swatch, range and
 * meaning.
 */
export function legend(kind?: KindInfo, hm?: Heatmap): HTMLElement {
  const bar = h("canvas", { class: "legend-bar", "aria-hidden": "true" });
  drawLegend(bar);
  const table = lut("points");
  // [range, meaning, the intensity whose colour the swatch shows]
  const guide: [string, string, number][] = [
    ["< 5 %", "ignored", 0],
    ["5–25 %", "light", 0.15],
    ["25–60 %", "meaningful", 0.42],
    ["60–85 %", "strong", 0.72],
    ["85–100 %", "hotspot", 0.95],
  ];
  const many = kind?.many ?? "clicks";
  const palette = PALETTES.find(([p]) => p === paletteName())?.[1] ?? paletteName();
  return h(
    "section",
    { class: "legend", "aria-label": "Colour scale", "data-kind": kind?.value ?? "click", "data-palette": paletteName(), "data-testid": "legend" },
    h("h3", null, "Scale"),
    kind ? what(kind) : null,
    bar,
    h("div", { class: "legend-ticks", "aria-hidden": "true" }, ["0", "25", "50", "75", "100 %"].map((t) => h("span", null, t))),
    h("div", { class: "legend-ends" }, h("span", null, `few ${many}`), h("span", null, `many ${many}`)),
    h(
      "ul",
      { class: "legend-guide" },
      guide.map(([range, meaning, at], i) => {
        const sw = h("span", { class: `swatch swatch-${i}` });
        if (at > 0) {
          const k = Math.round(at * 255) * 4;
          setVar(sw, "--c", `rgba(${table[k]}, ${table[k + 1]}, ${table[k + 2]}, ${(table[k + 3] / 255).toFixed(2)})`);
        }
        return h("li", null, sw, h("span", { class: "mono" }, range), " ", meaning);
      }),
    ),
    h(
      "p",
      { class: "hint", "data-testid": "legend-scale" },
      hm?.scale === "absolute"
        ? `Per 1 000 page views (${fmtInt(hm.page_views ?? 0)} counted): full colour at ${(hm.peak ?? hm.max).toFixed(2)} ${many} per 1 000 page views in one cell, the same on any period or segment. Palette: ${palette}.`
        : `Share of this page's own peak. Palette: ${palette}.`,
    ),
  );
}

export function notVisibleNote(hm: Heatmap, kind?: KindInfo): HTMLElement {
  const n = hm.not_visible.reduce((a, b) => a + b.count, 0);
  const noun = n === 1 ? (kind?.one ?? "click") : (kind?.many ?? "clicks");
  return h(
    "p",
    { class: "notice notice-muted small" },
    `${fmtInt(n)} ${noun} ${n === 1 ? "was" : "were"} on elements missing from this background (${hm.not_visible.length} element${hm.not_visible.length === 1 ? "" : "s"}): drawn by position, where ${n === 1 ? "it was" : "they were"} on the visitor's page, and marked in the top actions. Another page state may show ${hm.not_visible.length === 1 ? "it" : "them"}.`,
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
    hiddenCount(actions),
    h(
      "ol",
      { class: "action-list", "data-testid": "top-actions" },
      actions.map((a) => {
        const bar = h("span", { class: "share-fill" });
        setVar(bar, "--share", Math.max(0, Math.min(1, a.share || 0)));
        // Not in the chosen background: its clicks are drawn by position, but there is no
        // element there to point at.
        const hidden = a.visible === false;
        const placed = a.x !== null && a.y !== null && !hidden;
        const why = hidden
          ? "This element is not in this background (another page state shows it): nothing to locate"
          : placed
            ? "Scroll the page to this action"
            : "No position in this background";
        return h(
          "li",
          {
            class: ["action", hidden && "action-hidden"],
            "data-visible": a.visible === null ? "unknown" : String(a.visible),
            on: { mouseenter: () => hooks.hover(placed ? a : null), mouseleave: () => hooks.hover(null) },
          },
          h(
            "div",
            { class: "action-head" },
            h("button", { type: "button", class: "action-name action-open", title: `${a.name}: clicks over time and the sessions that did it`, "data-testid": "action-open", on: { click: () => hooks.open(a) } }, a.name),
            h("span", { class: "action-count" }, fmtInt(a.count)),
          ),
          h("code", { class: "action-sel mono", title: a.selector }, a.selector),
          frustrationBadges(a, hooks),
          conversionLine(a.conversion),
          h(
            "div",
            { class: "share" },
            h("span", { class: "share-track" }, bar),
            h("span", { class: "share-pct" }, fmtPct(a.share)),
            // A disabled button shows no tooltip in every browser: its wrapper carries it too.
            h(
              "span",
              { class: "locate-wrap", title: why },
              h(
                "button",
                {
                  class: "btn btn-small btn-ghost",
                  type: "button",
                  "data-testid": "locate",
                  disabled: !placed,
                  title: why,
                  on: { click: () => hooks.locate(a) },
                },
                "Locate",
              ),
            ),
            hooks.sessions ? h("a", { class: "btn btn-small btn-ghost", href: hooks.sessions({ selector: a.selector }), "data-testid": "action-sessions", title: "The sessions that clicked it" }, "Sessions") : null,
          ),
          hidden
            ? h(
                "span",
                { class: "badge badge-hidden", "data-testid": "not-visible", title: "Clicked by visitors who saw another page state; this background does not show the element, so these clicks are placed by position." },
                h("span", { class: "badge-icon", "aria-hidden": "true" }),
                "not visible in this background",
              )
            : null,
        );
      }),
    ),
  );
}

/** "2 not visible in this background" above the list, when the background lacks some. */
function hiddenCount(actions: Action[]): HTMLElement | null {
  const n = actions.filter((a) => a.visible === false).length;
  if (n === 0) return null;
  return h("p", { class: "actions-hidden small", "data-testid": "actions-hidden" }, `${fmtInt(n)} of them ${n === 1 ? "is" : "are"} not visible in this background.`);
}

/** Small rage/dead/error counts on an action, only when non-zero. */
function frustrationBadges(a: Action, hooks: ActionHooks): HTMLElement | null {
  const flags: [string, number, string][] = [
    ["rage", a.rage ?? 0, "rage click"],
    ["dead", a.dead ?? 0, "dead click"],
    ["error", a.error ?? 0, "error click"],
  ];
  const shown = flags.filter(([, n]) => n > 0);
  if (shown.length === 0) return null;
  return h(
    "div",
    { class: "action-flags" },
    shown.map(([kind, n, noun]) => {
      const title = `${fmtInt(n)} ${noun}${n === 1 ? "" : "s"} on this element`;
      // a link to the sessions that made them, where sessions may be opened
      return hooks.sessions
        ? h("a", { class: `badge badge-${kind}`, "data-flag": kind, href: hooks.sessions({ selector: a.selector, kind }), title: `${title}: the sessions that made them` }, `${fmtInt(n)} ${kind}`)
        : h("span", { class: `badge badge-${kind}`, "data-flag": kind, title }, `${fmtInt(n)} ${kind}`);
    }),
  );
}
