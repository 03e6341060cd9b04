// The heatmap page's outcomes: the cohort chooser (the sessions every read keeps:
// converted or not towards a goal, rage, dead, error, a funnel step's drop-off), the
// one-click "converted against not converted" compare, and the view's journeys drawn as
// a flow (previous pages → this view → next pages, with entries and exits), each page a
// link to its heatmap under the same range, filters and cohort.

import { api, type Goal, type Journeys, type Params } from "../api";
import { errorBox, fmtInt, h, mount } from "../dom";
import { writeScope } from "../filters";
import { cohortLabel, cohortOptions, useGoals } from "./cohorts";
import { svg } from "./funnel";
import type { State } from "./heatstate";

export interface CohortHooks {
  /** The cohort changed ("" = every session): everything is counted again. */
  pick(cohort: string): void;
  /** Compare the converted sessions (side A) with the others (side B) towards `goal`. */
  convertedVsNot(goal: string): void;
}

/** The chooser beside the filters: a select of cohorts and the converted-vs-not button. */
export class CohortPicker {
  readonly el = h("span", { class: "cohort-picker" });
  private goals: Goal[] | null = null;

  constructor(private state: State, private hooks: CohortHooks) {
    this.render();
  }

  setGoals(goals: Goal[]): void {
    this.goals = goals;
    useGoals(goals);
    this.render();
  }

  render(): void {
    const current = this.state.scope.cohort;
    const options = cohortOptions(this.goals);
    if (current && !options.some(([v]) => v === current)) options.unshift([current, cohortLabel(current, this.goals)]);
    const select = h(
      "select",
      { "aria-label": "Cohort", "data-testid": "cohort-picker", class: current ? "cohort-on" : undefined, on: { change: () => this.hooks.pick(select.value) } },
      h("option", { value: "" }, "All sessions"),
      options.map(([v, label]) => h("option", { value: v, selected: v === current }, label)),
    );
    const goal = this.state.goal ?? this.goals?.[0]?.id ?? null;
    const name = this.goals?.find((g) => g.id === goal)?.name ?? "";
    const vs = goal
      ? h(
          "button",
          { type: "button", class: "btn btn-small", "data-testid": "converted-vs-not", title: `Compare where the sessions that reached ${name} clicked (A) with the others (B)`, on: { click: () => this.hooks.convertedVsNot(goal) } },
          "Converted vs not",
        )
      : null;
    mount(this.el, h("span", { class: "field-label" }, "Cohort"), select, vs);
  }
}

/** The heatmap of another view under the same width, range, filters, cohort and goal. */
export function viewHref(state: State, view: string): string {
  const q = new URLSearchParams({ view, width: state.width });
  writeScope(state.scope, q);
  if (state.goal) q.set("goal", state.goal);
  return `/apps/${encodeURIComponent(state.key)}/heatmap?${q.toString()}`;
}

const ROW = 40;

/** The view's journeys under the heatmap, loaded with every range, filter or cohort change. */
export class JourneyFlow {
  readonly el = h("section", { class: "card journeys", "aria-label": "Journeys", "data-testid": "journeys" });
  private seq = 0;

  constructor(private state: State, private signal: AbortSignal) {}

  async load(extra: Params): Promise<void> {
    const seq = ++this.seq;
    const view = this.state.view;
    try {
      const j = await api.journeys(this.state.key, view, extra);
      if (this.signal.aborted || seq !== this.seq) return;
      mount(this.el, h("h2", null, "Journeys ", h("span", { class: "muted small" }, "· the pages right before and after this view in the same sessions, all widths")), this.flow(j));
    } catch (e) {
      if (!this.signal.aborted && seq === this.seq) mount(this.el, errorBox(`The journeys could not be loaded: ${(e as Error).message}`));
    }
  }

  private flow(j: Journeys): HTMLElement {
    const left = [...j.previous.map((p) => ({ view: p.view, n: p.sessions })), { view: null, n: j.entries }];
    const right = [...j.next.map((p) => ({ view: p.view, n: p.sessions })), { view: null, n: j.exits }];
    const rows = Math.max(left.length, right.length, 1);
    const height = rows * ROW;
    const max = Math.max(1, ...left.map((p) => p.n), ...right.map((p) => p.n));
    const mid = height / 2;
    const paths: Node[] = [];
    const curve = (x1: number, y1: number, x2: number, y2: number, n: number) =>
      paths.push(svg("path", { d: `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`, class: n ? "journey-link" : "journey-link journey-none", "stroke-width": 2 + (14 * n) / max, "vector-effect": "non-scaling-stroke" }));
    left.forEach((p, i) => curve(300, i * ROW + ROW / 2, 400, mid, p.n));
    right.forEach((p, i) => curve(600, mid, 700, i * ROW + ROW / 2, p.n));
    const lines = svg("svg", { viewBox: `0 0 1000 ${height}`, preserveAspectRatio: "none", class: "journey-lines", "aria-hidden": "true" }, ...paths);
    const box = (p: { view: string | null; n: number }, i: number, side: "prev" | "next") => {
      const what = p.view === null ? (side === "prev" ? "Session start" : "Session end") : p.view;
      const testid = p.view === null ? (side === "prev" ? "journey-entries" : "journey-exits") : `journey-${side}`;
      const label = [h("span", { class: "journey-view" }, what), h("span", { class: "journey-n" }, fmtInt(p.n))];
      const attrs = { class: ["journey-box", `journey-${side}`, p.view === null && "journey-edge"], "data-testid": testid, "data-view": p.view ?? "", "data-sessions": String(p.n), title: `${fmtInt(p.n)} sessions` };
      const el = p.view === null ? h("span", attrs, label) : h("a", { ...attrs, href: viewHref(this.state, p.view) }, label);
      el.style.setProperty("--row", String(i));
      return el;
    };
    const here = h("span", { class: "journey-box journey-here", "data-testid": "journey-here", title: `${fmtInt(j.page_views)} page views` }, h("span", { class: "journey-view" }, j.view), h("span", { class: "journey-n" }, `${fmtInt(j.sessions)} sessions`));
    const el = h("div", { class: "journey-flow", "data-testid": "journey-flow" }, lines, left.map((p, i) => box(p, i, "prev")), here, right.map((p, i) => box(p, i, "next")));
    el.style.setProperty("--rows", String(rows));
    return el;
  }
}
