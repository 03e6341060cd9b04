// One action in detail, in the heatmap page's panel: its counts, its clicks over the
// range as bars (the bucket follows the range: hours, days or weeks), and the latest
// sessions that did it. Drawn as SVG built with the DOM, so no inline style is needed.

import type { ActionDetail } from "../api";
import { fmtAgo, fmtInt, fmtPct, fmtSeconds, h } from "../dom";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const BUCKET_WORDS = { hour: "per hour", day: "per day", week: "per week" };

function bucketLabel(t: number, bucket: ActionDetail["bucket"]): string {
  const d = new Date(t).toISOString();
  return bucket === "hour" ? `${d.slice(0, 10)} ${d.slice(11, 16)} UTC` : bucket === "week" ? `week of ${d.slice(0, 10)}` : d.slice(0, 10);
}

/** Bars of the series; each bar carries its bucket and count for reading and testing. */
function chart(d: ActionDetail): Element {
  const W = 320;
  const H = 120;
  const n = d.series.length;
  if (n === 0) return h("p", { class: "muted small" }, "No clicks on it in this range.");
  const max = Math.max(1, ...d.series.map((s) => s.clicks));
  const step = W / n;
  const bars = d.series.map((s, i) => {
    const bh = (s.clicks / max) * (H - 14);
    return svg(
      "rect",
      { class: "bar", x: (i * step + step * 0.1).toFixed(2), y: (H - bh).toFixed(2), width: Math.max(1, step * 0.8).toFixed(2), height: Math.max(s.clicks ? 1 : 0, bh).toFixed(2), "data-t": s.t, "data-clicks": s.clicks },
      svg("title", {}, `${bucketLabel(s.t, d.bucket)}: ${fmtInt(s.clicks)} click${s.clicks === 1 ? "" : "s"}`),
    );
  });
  return h(
    "figure",
    { class: "series", "data-testid": "action-series", "data-bucket": d.bucket },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": `Clicks ${BUCKET_WORDS[d.bucket]}, at most ${max}` }, svg("line", { class: "axis", x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5 }), ...bars),
    h(
      "figcaption",
      { class: "series-axis small muted" },
      h("span", null, bucketLabel(d.series[0].t, d.bucket)),
      h("span", null, `max ${fmtInt(max)} ${BUCKET_WORDS[d.bucket]}`),
      h("span", null, bucketLabel(d.series[n - 1].t, d.bucket)),
    ),
  );
}

/** Where the sessions of an action lead: all of them, and one (at `t` ms into it). */
export interface SessionLinks {
  list: string;
  one(id: string, t: number | null): string;
}

/** The detail of one action, with a way back to the list. */
export function actionPanel(d: ActionDetail, back: () => void, locate: (() => void) | null, links: SessionLinks | null = null, place: { rank: number; of: number; share: number } | null = null): HTMLElement {
  const name = d.name ?? d.selector;
  const copy = h("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "copy-action-name", title: "Copy the action's name (to name a goal, a funnel step or a ticket)" }, "Copy action name");
  copy.addEventListener("click", () => {
    void navigator.clipboard?.writeText(name).then(
      () => (copy.textContent = "Copied"),
      () => (copy.textContent = "Could not copy"),
    );
  });
  const stat = (label: string, value: number, id: string) => h("div", { class: "tile", "data-stat": id }, h("div", { class: "tile-value" }, fmtInt(value)), h("div", { class: "tile-label" }, label));
  return h(
    "div",
    { class: "panel-inner", "data-testid": "action-detail" },
    h("div", { class: "detail-head" }, h("button", { type: "button", class: "btn btn-small btn-ghost", "data-testid": "action-back", on: { click: back } }, "← All actions"), locate ? h("button", { type: "button", class: "btn btn-small", on: { click: locate } }, "Locate") : null),
    h("h2", { class: "panel-title" }, name),
    h("code", { class: "action-sel mono", title: d.selector }, d.selector),
    h(
      "p",
      { class: "small action-place" },
      place ? h("span", { "data-testid": "action-rank" }, `#${fmtInt(place.rank)} of ${fmtInt(place.of)} actions on this page · ${fmtPct(place.share)} of its clicks `) : null,
      copy,
    ),
    h("div", { class: "tiles" }, stat("Clicks", d.count, "clicks"), stat("Visitors", d.visitors, "visitors"), stat("Rage · dead · error", d.rage + d.dead + d.error, "frustration")),
    d.rage + d.dead + d.error ? h("p", { class: "small muted" }, `${fmtInt(d.rage)} rage, ${fmtInt(d.dead)} dead, ${fmtInt(d.error)} error clicks.`) : null,
    h("section", null, h("h3", null, `Clicks ${BUCKET_WORDS[d.bucket]}`), chart(d)),
    h(
      "section",
      null,
      h("h3", null, `Latest sessions (${d.sessions.length})`),
      links && d.sessions.length ? h("p", { class: "small" }, h("a", { href: links.list, "data-testid": "action-all-sessions" }, "All the sessions that clicked it →")) : null,
      d.sessions.length
        ? h(
            "table",
            { class: "table compact", "data-testid": "action-sessions" },
            h("thead", null, h("tr", null, h("th", null, "When"), h("th", { class: "num" }, "Length"), h("th", null, "Visitor"), h("th", null, "Browser"), h("th", null, "Device"))),
            h(
              "tbody",
              null,
              d.sessions.map((s) =>
                h(
                  "tr",
                  { "data-session": s.session },
                  h("td", { title: new Date(s.t).toISOString() }, links ? h("a", { href: links.one(s.session, s.last_click - s.t), "data-testid": "action-session-link" }, fmtAgo(s.t)) : fmtAgo(s.t)),
                  h("td", { class: "num" }, fmtSeconds(s.duration_s)),
                  h("td", { class: "mono", title: s.visitor }, s.visitor.slice(0, 8)),
                  h("td", null, s.browser ?? "—"),
                  h("td", null, s.device ?? "—"),
                ),
              ),
            ),
          )
        : h("p", { class: "muted small" }, "No session clicked it in this range."),
    ),
  );
}
