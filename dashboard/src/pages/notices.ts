// The notices over the heatmap page's picture. Every empty state says why (no background
// yet, tracker not seen, nothing in this width class, not enough sessions) and what comes
// next; work in progress (a capture, a recount) says it is under way.

import type { App, BackgroundStatus, Heatmap } from "../api";
import { fmtInt, h, mount, setVar } from "../dom";
import { kindInfo } from "../kinds";
import { heatmapUrl } from "../router";
import { busy, type State, WIDTHS } from "./heatstate";
import { scriptBlock } from "./views";

export type Tone = "info" | "ok" | "warn" | "error" | "muted";

/** What the heatmap's notices depend on besides the heatmap itself. */
export interface NoticeContext {
  app: App;
  state: State;
  /** A one-off explanation (e.g. an unknown bg= in a link). */
  note: string | null;
  /** What polling the background list last said, when newer than the heatmap's word. */
  news: { status: BackgroundStatus; error: string | null } | null;
  recapture(): void;
}

export class Notices {
  readonly el = h("div", { class: "notices", "aria-live": "polite" });

  clear(): void {
    mount(this.el);
  }

  /** One notice; an info notice without extras carries a spinner (work under way). */
  add(kind: Tone, text: string, ...extra: (HTMLElement | null)[]): HTMLElement {
    const el = h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, kind === "info" && extra.length === 0 ? h("span", { class: "spinner" }) : null, h("span", null, text), ...extra);
    this.el.appendChild(el);
    return el;
  }

  /** Everything to say about a heatmap just drawn (or its absence). */
  forHeatmap(hm: Heatmap, c: NoticeContext): void {
    this.clear();
    if (c.note) this.add("muted", c.note).dataset.testid = "bg-note";
    const { status, error } = c.news ?? { status: hm.background_status, error: hm.background_error };
    const capture = (label: string) => h("button", { class: "btn btn-small", type: "button", "data-testid": "bg-capture", on: { click: () => c.recapture() } }, label);
    if (hm.background === null) {
      this.el.appendChild(noBackground(status, error, capture));
    } else if (status === "capturing") {
      this.add("info", "Taking a fresh screenshot of the live page…");
    } else if (status === "rendering") {
      this.add("info", "Rendering a new page state from a visitor's snapshot…");
    } else if (status === "failed") {
      this.add("error", `A fresh screenshot of the live page failed: ${error || "unknown reason"}. The heat stays drawn over the background below.`, capture("Retry"));
    }
    const s = c.state;
    if (hm.total === 0 && !hm.sessions && !c.app.last_event) {
      // Nothing has ever arrived: the tag is not on the site yet.
      this.el.appendChild(
        h(
          "div",
          { class: "notice notice-muted tracker-missing", role: "status", "data-testid": "tracker-not-seen" },
          h(
            "div",
            { class: "bg-empty-text" },
            h("strong", { class: "bg-empty-title" }, "Tracker not seen yet"),
            h("span", null, "No event has arrived from this app. Paste its tag just before ", h("code", { class: "mono" }, "</head>"), " on every page to measure, on an allowed origin; the heatmap fills in as visitors click."),
            scriptBlock(c.app.script_tag),
          ),
        ),
      );
    } else if (hm.total === 0) {
      const info = kindInfo(s.kind);
      const others = WIDTHS.filter(([w]) => w !== s.width);
      const frustration = info.frustration;
      const why = frustration && !hm.sessions ? "No page views in this width class yet, so no frustration to show." : info.empty;
      const el = this.add(
        frustration && hm.sessions ? "ok" : "muted",
        why,
        frustration && hm.sessions
          ? null
          : h(
              "span",
              { class: "notice-links" },
              " Try ",
              others.map(([w, label], i) => [i > 0 ? " or " : "", h("a", { href: heatmapUrl(s.key, s.view, w, s.opacity !== 0.7 ? String(s.opacity) : undefined, s.kind) }, label)]),
              ".",
            ),
      );
      el.dataset.testid = "kind-empty";
    }
    // With nothing drawn, the empty state above says it all.
    if (hm.warning && hm.total > 0) this.el.appendChild(notEnoughData(hm, kindInfo(s.kind).label.toLowerCase()));
  }
}

/** The empty state while a view has no background: why, and what happens next. */
function noBackground(status: BackgroundStatus, error: string | null, capture: (label: string) => HTMLElement): HTMLElement {
  let tone = "muted";
  let next: string;
  let action: HTMLElement | null = null;
  if (status === "capturing") {
    tone = "info";
    next = "Taking a screenshot of the live page now…";
  } else if (status === "rendering") {
    tone = "info";
    next = "Rendering the page from a visitor's snapshot now…";
  } else if (status === "failed") {
    tone = "error";
    next = `The screenshot of the live page failed: ${error || "unknown reason"}. A visitor's snapshot of the page can still bring one.`;
    action = capture("Retry");
  } else {
    next = "One is on its way: the next visitor whose browser runs the tracker sends a snapshot of the page state they see, or pageheat takes a screenshot of the live page.";
    action = capture("Capture the live page now");
  }
  return h(
    "div",
    { class: `notice notice-${tone} bg-empty`, role: tone === "error" ? "alert" : "status", "data-testid": "bg-empty", "data-status": status },
    busy(status) ? h("span", { class: "spinner" }) : null,
    h(
      "div",
      { class: "bg-empty-text" },
      h("strong", { class: "bg-empty-title" }, "No background captured yet"),
      h("span", null, next),
      h("span", { class: "bg-empty-meanwhile" }, "Meanwhile the heat is drawn on a blank page of the right size."),
    ),
    action,
  );
}

/**
 * The "not enough data" state: how many sessions there are, about how many this kind of
 * map needs (the server's warning says it), and what to do about it.
 */
export function notEnoughData(hm: Heatmap, kindName: string): HTMLElement {
  const m = /need about (\d+)/.exec(hm.warning ?? "");
  if (!m) return h("div", { class: "notice notice-warn", role: "status" }, hm.warning);
  const needed = Number(m[1]);
  const have = hm.sessions;
  const meter = h("span", { class: "meter-fill" });
  setVar(meter, "--share", Math.min(1, have / Math.max(1, needed)));
  return h(
    "div",
    { class: "notice notice-warn not-enough", role: "status", "data-testid": "not-enough-data", "data-sessions": String(have), "data-needed": String(needed) },
    h(
      "div",
      { class: "bg-empty-text" },
      h("strong", { class: "bg-empty-title" }, "Not enough data for a reliable pattern yet"),
      h("span", null, `${fmtInt(have)} session${have === 1 ? "" : "s"} so far; ${kindName} maps need about ${fmtInt(needed)}. What is drawn is real, but a few visitors can still change it a lot.`),
      h("span", { class: "meter", title: `${fmtInt(have)} of ${fmtInt(needed)}` }, meter),
      h("span", { class: "bg-empty-meanwhile" }, "To get there: widen the time range, drop a filter, or let the tracker collect for longer."),
    ),
  );
}
