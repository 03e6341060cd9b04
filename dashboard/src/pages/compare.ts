// Compare mode of the heatmap page: two periods or two segments of one view drawn as one
// diff (red where side B has more per 1 000 page views than side A, blue where it has
// fewer), the controls that pick the sides, and the panel with each top action's change
// of share. The sides live in the query string like everything else.

import type { ActionChange, Comparison, FilterValues, Goal, Params } from "../api";
import { fmtInt, fmtPct, h, mount, setVar } from "../dom";
import { DATE, dayEnd, dayStart, describeRange, FILTER_DEFS, filterLabel, isTag, previousPeriod, type Scope, scopeParams } from "../filters";
import { drawLegend } from "../heat";
import { cohortLabel, cohortOptions } from "./cohorts";

/** Segments compare by a filter, a tag, or a behaviour cohort (`seg=cohort`: a.cohort
 * against b.cohort, e.g. converted against not converted towards one goal). */
const COHORT = "cohort";
const segLabel = (seg: string) => (seg === COHORT ? "Cohort" : filterLabel(seg));
const valueLabel = (seg: string, v: string) => (seg === COHORT ? cohortLabel(v) : v);

export interface CompareState {
  mode: "period" | "segment";
  /** Period: side A's first and last day (YYYY-MM-DD); empty = the previous period. */
  aFrom: string;
  aTo: string;
  /** Segment: the filter compared and the value of each side. */
  seg: string;
  segA: string;
  segB: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function readCompare(q: URLSearchParams): CompareState | null {
  const mode = q.get("compare");
  if (mode !== "period" && mode !== "segment") return null;
  const d = (name: string) => (DATE.test(q.get(name) ?? "") ? (q.get(name) as string) : "");
  const seg = q.get("seg") ?? "";
  return {
    mode,
    aFrom: d("a.from"),
    aTo: d("a.to"),
    seg: FILTER_DEFS.some((f) => f.name === seg) || isTag(seg) || seg === COHORT ? seg : "device",
    segA: q.get("seg.a") ?? "",
    segB: q.get("seg.b") ?? "",
  };
}

export function writeCompare(c: CompareState | null, q: URLSearchParams): void {
  if (!c) return;
  q.set("compare", c.mode);
  if (c.mode === "period") {
    if (c.aFrom) q.set("a.from", c.aFrom);
    if (c.aTo) q.set("a.to", c.aTo);
  } else {
    q.set("seg", c.seg);
    if (c.segA) q.set("seg.a", c.segA);
    if (c.segB) q.set("seg.b", c.segB);
  }
}

/** Side A's period as [start, end) ms: the chosen days, else the previous period. */
export function sideAPeriod(c: CompareState, scope: Scope, now = Date.now()): [number, number] | null {
  if (c.aFrom && c.aTo) return [dayStart(c.aFrom), dayEnd(c.aTo)];
  return previousPeriod(scope, now);
}

/**
 * The compare request's parameters, or why the sides are not set yet. Shared filters
 * and range apply to both sides; a side's own setting overrides them for that side.
 */
export function compareParams(c: CompareState, scope: Scope, now = Date.now()): Params | string {
  const shared = scopeParams(scope, now);
  if (c.mode === "period") {
    const a = sideAPeriod(c, scope, now);
    if (!a) return "Pick a time range above (or side A's days): B is that range, A the period before it.";
    return { ...shared, "a.from": new Date(a[0]).toISOString(), "a.to": new Date(a[1]).toISOString() };
  }
  if (!c.segA || !c.segB) return `Pick a ${segLabel(c.seg)} value for each side.`;
  return { ...shared, [`a.${c.seg}`]: c.segA, [`b.${c.seg}`]: c.segB };
}

/** "A" and "B" as the sides are written in the panel and the legend. */
export function sideNames(c: CompareState, scope: Scope, now = Date.now()): [string, string] {
  if (c.mode === "segment") return [`${segLabel(c.seg)}: ${c.segA ? valueLabel(c.seg, c.segA) : "?"}`, `${segLabel(c.seg)}: ${c.segB ? valueLabel(c.seg, c.segB) : "?"}`];
  const a = sideAPeriod(c, scope, now);
  return [a ? `${day(a[0])} – ${day(a[1] - 1)}` : "previous period", describeRange(scope)];
}

export interface CompareHooks {
  change(c: CompareState): void;
  values(name: string): Promise<FilterValues>;
  /** The tag keys, each a segment to compare by (`tag.variant`: A against B). */
  tags?(): Promise<{ key: string; page_views: number }[]>;
  /** The app's goals (each a converted and a not-converted cohort), once known. */
  goals?(): Goal[] | null;
}

/** The controls of compare mode: Period | Segment and each side's setting. */
export class CompareBar {
  readonly el = h("div", { class: "compare-bar", "data-testid": "compare-bar" });
  private seq = 0;

  constructor(private state: CompareState, private scope: Scope, private hooks: CompareHooks) {
    this.render();
  }

  /** The range or filters changed: side A's default period follows. */
  rescope(scope: Scope): void {
    this.scope = scope;
    this.render();
  }

  private set(patch: Partial<CompareState>): void {
    Object.assign(this.state, patch);
    this.render();
    this.hooks.change(this.state);
  }

  private render(): void {
    const c = this.state;
    const modes = (["period", "segment"] as const).map((m) =>
      h("button", { type: "button", class: "seg", "data-compare": m, "aria-pressed": String(c.mode === m), on: { click: () => c.mode !== m && this.set({ mode: m }) } }, m === "period" ? "Two periods" : "Two segments"),
    );
    const sides = c.mode === "period" ? this.periodSides() : this.segmentSides();
    mount(this.el, h("span", { class: "field-label" }, "Compare"), h("div", { class: "segmented", role: "group", "aria-label": "Compare" }, modes), sides);
  }

  private periodSides(): HTMLElement {
    const c = this.state;
    const a = sideAPeriod(c, this.scope);
    const today = day(Date.now());
    const from = h("input", { type: "date", "aria-label": "Side A from", "data-side": "a-from", max: today, value: c.aFrom || (a ? day(a[0]) : "") });
    const to = h("input", { type: "date", "aria-label": "Side A to", "data-side": "a-to", max: today, value: c.aTo || (a ? day(a[1] - 1) : "") });
    const pick = () => {
      if (from.value && to.value) this.set({ aFrom: from.value <= to.value ? from.value : to.value, aTo: from.value <= to.value ? to.value : from.value });
    };
    from.addEventListener("change", pick);
    to.addEventListener("change", pick);
    return h(
      "div",
      { class: "compare-sides" },
      h("span", { class: "side side-a" }, h("strong", null, "A"), from, "–", to),
      h("span", { class: "side side-b" }, h("strong", null, "B"), describeRange(this.scope)),
      c.aFrom ? h("button", { type: "button", class: "btn btn-small btn-ghost", on: { click: () => this.set({ aFrom: "", aTo: "" }) } }, "Previous period") : null,
    );
  }

  private segmentSides(): HTMLElement {
    const c = this.state;
    const seq = ++this.seq;
    const dim = h(
      "select",
      { "aria-label": "Compare by", "data-side": "seg", on: { change: () => this.set({ seg: dim.value, segA: "", segB: "" }) } },
      FILTER_DEFS.map((d) => h("option", { value: d.name, selected: d.name === c.seg }, d.label)),
      isTag(c.seg) ? h("option", { value: c.seg, selected: true }, filterLabel(c.seg)) : null,
      h("option", { value: COHORT, selected: c.seg === COHORT }, "Cohort"),
    );
    void this.hooks.tags?.().then(
      (tags) => {
        if (seq !== this.seq) return;
        for (const t of tags) {
          const name = `tag.${t.key}`;
          if (name !== c.seg) dim.append(h("option", { value: name }, filterLabel(name)));
        }
      },
      () => undefined,
    );
    const pickers = (["a", "b"] as const).map((side) => {
      const current = side === "a" ? c.segA : c.segB;
      return h(
        "select",
        { "aria-label": `Side ${side.toUpperCase()} value`, "data-side": side, on: { change: (ev: Event) => this.set(side === "a" ? { segA: (ev.target as HTMLSelectElement).value } : { segB: (ev.target as HTMLSelectElement).value }) } },
        h("option", { value: "" }, "Choose…"),
        current ? h("option", { value: current, selected: true }, valueLabel(c.seg, current)) : null,
      );
    });
    if (c.seg === COHORT) {
      for (const [i, sel] of pickers.entries()) {
        const current = i === 0 ? c.segA : c.segB;
        const all = cohortOptions(this.hooks.goals?.() ?? null);
        if (current && !all.some(([v]) => v === current)) all.unshift([current, cohortLabel(current)]);
        mount(sel, h("option", { value: "" }, "Choose…"), all.map(([v, label]) => h("option", { value: v, selected: v === current }, label)));
      }
    }
    void (c.seg === COHORT ? Promise.reject(new Error("cohorts")) : this.hooks.values(c.seg)).then(
      (list) => {
        if (seq !== this.seq) return;
        const names = [...list.values.map((v) => v.value), ...list.fixed.filter((f) => !list.values.some((v) => v.value === f))];
        const counts = new Map(list.values.map((v) => [v.value, v.page_views]));
        for (const [i, sel] of pickers.entries()) {
          const current = i === 0 ? c.segA : c.segB;
          const all = current && !names.includes(current) ? [current, ...names] : names;
          mount(
            sel,
            h("option", { value: "" }, "Choose…"),
            all.map((v) => h("option", { value: v, selected: v === current }, counts.has(v) ? `${v} (${fmtInt(counts.get(v))})` : v)),
          );
        }
      },
      () => undefined,
    );
    return h(
      "div",
      { class: "compare-sides" },
      dim,
      h("span", { class: "side side-a" }, h("strong", null, "A"), pickers[0]),
      h("span", { class: "side side-b" }, h("strong", null, "B"), pickers[1]),
    );
  }
}

/** The legend of the diff: blue fewer in B, red more in B, at ± the scale's max. */
export function compareLegend(c: Comparison, names: [string, string], unit: string): HTMLElement {
  const bar = h("canvas", { class: "legend-bar", "aria-hidden": "true" });
  drawLegend(bar, "diverging");
  const max = c.max > 0 ? c.max.toFixed(c.max < 10 ? 1 : 0) : "0";
  return h(
    "section",
    { class: "legend", "aria-label": "Colour scale", "data-kind": "compare" },
    h("h3", null, "Change"),
    h("p", { class: "legend-what", "data-testid": "legend-what" }, `B (${names[1]}) against A (${names[0]}), in ${unit} per 1 000 page views of each side.`),
    bar,
    h("div", { class: "legend-ends" }, h("span", null, `−${max}`), h("span", null, "no change"), h("span", null, `+${max}`)),
    h(
      "ul",
      { class: "legend-guide" },
      h("li", null, h("span", { class: "swatch swatch-cool" }), "fewer in B than in A"),
      h("li", null, h("span", { class: "swatch swatch-warm" }), "more in B than in A"),
    ),
  );
}

/** The panel of compare mode: both sides' numbers and each top action's change. */
export function comparePanel(c: Comparison, names: [string, string], legend: HTMLElement, unit: string): HTMLElement {
  const row = (label: string, a: string, b: string, id: string) => h("tr", { "data-stat": id }, h("th", { scope: "row" }, label), h("td", { class: "num" }, a), h("td", { class: "num" }, b));
  return h(
    "div",
    { class: "panel-inner" },
    h("h2", { class: "panel-title" }, "Comparison"),
    h(
      "table",
      { class: "table compact compare-sides-table", "data-testid": "compare-summary" },
      h("thead", null, h("tr", null, h("th", null, ""), h("th", { class: "num", title: names[0] }, "A"), h("th", { class: "num", title: names[1] }, "B"))),
      h(
        "tbody",
        null,
        h("tr", null, h("th", { scope: "row" }, "Side"), h("td", { class: "num small" }, names[0]), h("td", { class: "num small" }, names[1])),
        row("Page views", fmtInt(c.a.page_views), fmtInt(c.b.page_views), "page-views"),
        row(unit[0].toUpperCase() + unit.slice(1), fmtInt(c.a.total), fmtInt(c.b.total), "total"),
        row(`Per 1 000 page views`, c.a.per_1000.toFixed(1), c.b.per_1000.toFixed(1), "per-1000"),
        row("Visitors", fmtInt(c.a.visitors), fmtInt(c.b.visitors), "visitors"),
      ),
    ),
    legend,
    changeList(c.actions),
  );
}

function changeList(actions: ActionChange[]): HTMLElement {
  if (!actions.length) return h("section", { class: "actions" }, h("h3", null, "Share of clicks"), h("p", { class: "muted" }, "No clicks on either side."));
  return h(
    "section",
    { class: "actions" },
    h("h3", null, "Share of clicks, A → B"),
    h(
      "ol",
      { class: "action-list", "data-testid": "action-changes" },
      actions.map((a) => {
        const pp = a.change * 100;
        const dir = Math.abs(pp) < 0.05 ? "same" : pp > 0 ? "up" : "down";
        const fill = h("span", { class: `change-fill change-${dir}` });
        setVar(fill, "--share", Math.min(1, Math.abs(a.change)));
        // A change the two-proportion test cannot tell from chance is greyed and says so.
        const sig = a.significance;
        const noise = sig ? !sig.significant : false;
        const why = sig
          ? `${noise ? "Not significant: could be chance" : "Significant at 95 %"} (p = ${sig.p < 0.001 ? "< 0.001" : sig.p.toFixed(3)}; 95 % interval ${(sig.ci[0] * 100).toFixed(1)} to ${(sig.ci[1] * 100).toFixed(1)} pp)`
          : "";
        return h(
          "li",
          { class: ["action", noise && "change-noise"], "data-selector": a.selector, "data-change": a.change.toFixed(4), "data-significant": sig ? String(sig.significant) : "unknown", title: why || undefined },
          h(
            "div",
            { class: "action-head" },
            h("span", { class: "action-name", title: a.name }, a.name),
            noise ? h("span", { class: "badge badge-noise", "data-testid": "noise", title: why }, "noise") : null,
            h("span", { class: `change change-${dir}` }, `${pp > 0 ? "+" : pp < 0 ? "−" : "±"}${Math.abs(pp).toFixed(1)} pp`),
          ),
          h("code", { class: "action-sel mono", title: a.selector }, a.selector),
          h("div", { class: "share" }, h("span", { class: "share-track" }, fill), h("span", { class: "share-pct", "data-testid": "shares" }, `${fmtPct(a.share_a)} → ${fmtPct(a.share_b)}`)),
        );
      }),
    ),
  );
}
