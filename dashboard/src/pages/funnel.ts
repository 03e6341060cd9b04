// A funnel's report: the sessions that reached each step after the ones before (in
// order, within the range, filters and cohort), drawn as a funnel chart of plain SVG,
// with each step's conversion from the step before, its drop-off and the median time
// from the step before. A step's drop-off opens that step's heatmap for the dropped
// cohort (`cohort=funnel:ID:STEP:dropped`) and the list of those sessions.

import { api, type FunnelReport, type FunnelStep, type Goal } from "../api";
import { errorBox, fmtInt, fmtPct, h, loading, mount } from "../dom";
import { FilterBar, readScope, type Scope, scopeParams, writeScope } from "../filters";
import { topbar } from "../layout";
import { appUrl, outcomesUrl, replaceQuery, sessionsUrl } from "../router";
import { fmtMs } from "./sessions";

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element (`h` makes HTML ones). */
export function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

export async function renderFunnel(root: HTMLElement, key: string, id: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  document.title = "Funnel · pageheat";
  const scope = readScope(query);
  const crumbs = (name: string) => topbar([{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Goals and funnels", href: outcomesUrl(key) }, { label: name }]);
  const body = h("div", { class: "funnel-report" }, loading("Counting the funnel…"));
  const bar = new FilterBar(scope, {
    change: () => {
      const q = new URLSearchParams();
      writeScope(scope, q);
      replaceQuery(q);
      void load();
    },
    values: (name) => api.filterValues(key, name, "", "0-1000000", scopeParams(scope)),
  });
  const page = h("main", { class: "page" }, bar.el, body);
  mount(root, crumbs("Funnel"), page);
  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    try {
      const [report, goals] = await Promise.all([api.funnelReport(key, id, scopeParams(scope)), api.goals(key).catch(() => [] as Goal[])]);
      if (signal.aborted || mine !== seq) return;
      document.title = `${report.name} · funnel · pageheat`;
      mount(root, crumbs(report.name), page);
      mount(body, ...reportView(key, report, goals, scope));
    } catch (e) {
      if (!signal.aborted && mine === seq) mount(body, errorBox((e as Error).message, () => void load()));
    }
  };
  await load();
}

/** Where a step happens: its own view, or its goal's (an event goal has none). */
function stepView(s: FunnelStep, goals: Goal[]): string | null {
  if (s.view) return s.view;
  return goals.find((g) => g.id === s.goal)?.view ?? null;
}

function reportView(key: string, r: FunnelReport, goals: Goal[], scope: Scope): HTMLElement[] {
  const overall = r.sessions ? r.converted / r.sessions : 0;
  return [
    h("div", { class: "page-head" }, h("h1", null, r.name), h("p", { class: "muted", "data-testid": "funnel-summary" }, `${fmtInt(r.converted)} of ${fmtInt(r.sessions)} sessions went through every step (${fmtPct(overall)}).`)),
    chart(r),
    h(
      "table",
      { class: "table funnel-table", "data-testid": "funnel-steps" },
      h("thead", null, h("tr", null, h("th", null, "Step"), h("th", { class: "num" }, "Sessions"), h("th", { class: "num" }, "From the step before"), h("th", { class: "num" }, "Median time"), h("th", { class: "num" }, "Dropped"), h("th", null, ""))),
      h(
        "tbody",
        null,
        r.steps.map((s) => {
          const cohort = `funnel:${r.id}:${s.step}:dropped`;
          const view = stepView(s, goals);
          const q = new URLSearchParams(view ? { view, width: "desktop" } : {});
          writeScope({ ...scope, cohort }, q);
          const links =
            s.dropped === null
              ? null
              : [
                  view ? h("a", { class: "btn btn-small btn-ghost", href: `/apps/${encodeURIComponent(key)}/heatmap?${q.toString()}`, "data-testid": "dropped-heatmap", title: `Where the ${fmtInt(s.dropped)} sessions that went no further clicked on ${view}` }, "Heatmap") : null,
                  h("a", { class: "btn btn-small btn-ghost", href: sessionsUrl(key, Object.fromEntries(q)), "data-testid": "dropped-sessions" }, "Sessions"),
                ];
          return h(
            "tr",
            { "data-step": String(s.step), "data-sessions": String(s.sessions) },
            h("td", null, h("span", { class: "step-no" }, `${s.step}.`), " ", s.name),
            h("td", { class: "num", "data-testid": "step-sessions" }, fmtInt(s.sessions)),
            h("td", { class: "num", "data-testid": "step-conversion" }, s.step === 1 ? "—" : fmtPct(s.conversion)),
            h("td", { class: "num", "data-testid": "step-median" }, s.median_ms === null ? "—" : fmtMs(s.median_ms)),
            h("td", { class: "num", "data-testid": "step-dropped" }, s.dropped === null ? "—" : `${fmtInt(s.dropped)} (${fmtPct(s.sessions ? s.dropped / s.sessions : 0)})`),
            h("td", { class: "row-actions" }, links),
          );
        }),
      ),
    ),
  ];
}

/** The funnel chart: a bar per step as tall as its sessions (against the first step's),
 * the drop-off between bars as a lighter band, the counts written on them. */
function chart(r: FunnelReport): HTMLElement {
  const n = r.steps.length;
  const W = 160 * n;
  const H = 240;
  const top = 40;
  const base = H - 30;
  const first = Math.max(1, r.steps[0]?.sessions ?? 0);
  const bars: Node[] = [];
  r.steps.forEach((s, i) => {
    const x = i * 160 + 20;
    const hgt = ((base - top) * s.sessions) / first;
    const y = base - hgt;
    bars.push(
      svg("rect", { x, y, width: 90, height: Math.max(0, hgt), rx: 3, class: "funnel-bar", "data-step": s.step, "data-sessions": s.sessions }),
      svg("text", { x: x + 45, y: y - 8, "text-anchor": "middle", class: "funnel-count" }, fmtInt(s.sessions)),
      svg("text", { x: x + 45, y: base + 18, "text-anchor": "middle", class: "funnel-label" }, `${s.step}. ${s.name.length > 20 ? `${s.name.slice(0, 19)}…` : s.name}`),
    );
    const next = r.steps[i + 1];
    if (next) {
      const nh = ((base - top) * next.sessions) / first;
      // the band from this bar's top to the next one's: the sessions kept
      bars.push(
        svg("path", { d: `M${x + 90},${y} L${x + 160},${base - nh} L${x + 160},${base} L${x + 90},${base} Z`, class: "funnel-flow" }),
        svg("text", { x: x + 125, y: base - 6, "text-anchor": "middle", class: "funnel-rate" }, fmtPct(next.conversion, 0)),
      );
    }
  });
  const el = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "funnel-chart", role: "img", "aria-label": `Sessions per step: ${r.steps.map((s) => `${s.name} ${s.sessions}`).join(", ")}` }, ...bars);
  return h("figure", { class: "card funnel-figure", "data-testid": "funnel-chart" }, el as unknown as HTMLElement);
}
