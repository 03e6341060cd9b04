// The heatmap page of one view: selectors and switches on top, the page picture with the
// heat canvas over it, and the insights panel. Every filter lives in the query string,
// so a reload or a copied link opens the same heatmap.

import { api, type Action, type App, type Heatmap, type Insights, type View } from "../api";
import { errorBox, fmtInt, fmtPct, h, loading, mount, setVar } from "../dom";
import { drawHeat, drawMarks, drawPlaceholder, gridImage, nearest, pageImage, type Mark } from "../heat";
import { topbar } from "../layout";
import { appUrl, heatmapUrl, navigate, redirect, replaceQuery } from "../router";
import { insightsPanel } from "./insights";

export const WIDTHS: [string, string][] = [
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["mobile", "Mobile"],
];
const POLL_MS = 2000;

interface State {
  key: string;
  view: string;
  width: string;
  opacity: number;
}

function readState(key: string, q: URLSearchParams): State {
  const op = Number.parseFloat(q.get("opacity") ?? "");
  return {
    key,
    view: q.get("view") ?? "",
    width: q.get("width") || "desktop",
    opacity: Number.isFinite(op) ? Math.min(1, Math.max(0, op)) : 0.7,
  };
}

function toQuery(s: State): URLSearchParams {
  const q = new URLSearchParams({ view: s.view, width: s.width });
  if (s.opacity !== 0.7) q.set("opacity", String(s.opacity));
  return q;
}

export async function renderHeatmap(root: HTMLElement, key: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  const state = readState(key, query);
  document.title = "Heatmap · pageheat";
  mount(root, topbar([{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Heatmap" }]), h("main", { class: "page" }, loading("Loading heatmap…")));

  let apps: App[];
  let views: View[];
  try {
    [apps, views] = await Promise.all([api.apps(), api.views(key)]);
  } catch (e) {
    if (!signal.aborted) mount(root, topbar([{ label: "Applications", href: "/" }]), h("main", { class: "page" }, errorBox((e as Error).message, () => renderHeatmap(root, key, query, signal))));
    return;
  }
  if (signal.aborted) return;
  const app = apps.find((a) => a.key === key);
  if (!app) {
    mount(root, topbar([{ label: "Applications", href: "/" }]), h("main", { class: "page" }, errorBox(`No app with key ${key}.`)));
    return;
  }
  if (!state.view) {
    if (views.length === 0) {
      redirect(appUrl(key));
      return;
    }
    state.view = views[0].name;
    replaceQuery(toQuery(state));
  }
  document.title = `${state.view} · ${app.name} · pageheat`;
  new HeatmapPage(root, app, apps, views, state, signal).start();
}

class HeatmapPage {
  private notices = h("div", { class: "notices", "aria-live": "polite" });
  private scroller = h("div", { class: "page-scroll", "data-testid": "page-area" });
  private panel = h("aside", { class: "panel", "aria-label": "Insights" });
  private widthButtons: HTMLButtonElement[] = [];
  private refreshBtn!: HTMLButtonElement;
  private hm: Heatmap | null = null;
  private ins: Insights | null = null;
  private big: HTMLCanvasElement | null = null;
  private heatCanvas: HTMLCanvasElement | null = null;
  private marksCanvas: HTMLCanvasElement | null = null;
  private tooltip: HTMLElement | null = null;
  private pinned: Mark | null = null;
  private seq = 0;
  private timer = 0;
  private shownBg: string | null | undefined = undefined;

  constructor(
    private root: HTMLElement,
    private app: App,
    private apps: App[],
    private views: View[],
    private state: State,
    private signal: AbortSignal,
  ) {
    signal.addEventListener("abort", () => window.clearTimeout(this.timer));
  }

  start(): void {
    mount(
      this.root,
      topbar([{ label: "Applications", href: "/" }, { label: this.app.name, href: appUrl(this.app.key) }, { label: "Heatmap" }]),
      this.toolbar(),
      h("div", { class: "heat-layout" }, h("section", { class: "stage-col" }, this.notices, this.scroller), this.panel),
    );
    void this.load();
  }

  // ----- toolbar -------------------------------------------------------------------------

  private toolbar(): HTMLElement {
    const appSelect = h(
      "select",
      { id: "app-select", "aria-label": "Application", on: { change: () => void this.switchApp(appSelect.value) } },
      this.apps.map((a) => h("option", { value: a.key, selected: a.key === this.app.key }, a.name)),
    );
    const names = this.views.map((v) => v.name);
    if (!names.includes(this.state.view)) names.unshift(this.state.view);
    const viewSelect = h(
      "select",
      {
        id: "view-select",
        "aria-label": "View",
        on: {
          change: () => {
            this.state.view = viewSelect.value;
            this.pushState();
            void this.load();
          },
        },
      },
      names.map((n) => h("option", { value: n, selected: n === this.state.view }, n)),
    );
    this.widthButtons = WIDTHS.map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          class: "seg",
          "data-width": value,
          "aria-pressed": String(value === this.state.width),
          on: {
            click: () => {
              if (this.state.width === value) return;
              this.state.width = value;
              this.syncWidth();
              this.pushState();
              void this.load();
            },
          },
        },
        label,
      ),
    );
    const opacityOut = h("output", { class: "opacity-value", for: "opacity" }, fmtPct(this.state.opacity, 0));
    const opacity = h("input", {
      id: "opacity",
      type: "range",
      min: "0",
      max: "1",
      step: "0.05",
      value: String(this.state.opacity),
      on: {
        input: () => {
          this.state.opacity = Number(opacity.value);
          opacityOut.textContent = fmtPct(this.state.opacity, 0);
          this.paintHeat();
          replaceQuery(toQuery(this.state));
        },
      },
    });
    this.refreshBtn = h("button", { class: "btn", type: "button", on: { click: () => void this.recapture() } }, "Refresh background");
    return h(
      "div",
      { class: "toolbar" },
      h("label", { class: "field" }, h("span", { class: "field-label" }, "App"), appSelect),
      h("label", { class: "field field-grow" }, h("span", { class: "field-label" }, "View"), viewSelect),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "width-label" }, "Width"), h("div", { class: "segmented", role: "group", "aria-labelledby": "width-label" }, this.widthButtons)),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "opacity" }, "Opacity"), h("div", { class: "opacity" }, opacity, opacityOut)),
      h("div", { class: "toolbar-end" }, this.refreshBtn),
    );
  }

  private syncWidth(): void {
    for (const b of this.widthButtons) b.setAttribute("aria-pressed", String(b.dataset.width === this.state.width));
  }

  private pushState(): void {
    history.pushState(null, "", `${location.pathname}?${toQuery(this.state).toString()}`);
    document.title = `${this.state.view} · ${this.app.name} · pageheat`;
  }

  private async switchApp(key: string): Promise<void> {
    try {
      const views = await api.views(key);
      navigate(views.length ? heatmapUrl(key, views[0].name, this.state.width) : appUrl(key));
    } catch (e) {
      this.notice("error", `Could not open that app: ${(e as Error).message}`);
    }
  }

  // ----- data ----------------------------------------------------------------------------

  private async load(): Promise<void> {
    const seq = ++this.seq;
    window.clearTimeout(this.timer);
    this.shownBg = undefined;
    const { key, view, width } = this.state;
    mount(this.notices);
    mount(this.scroller, loading("Loading heatmap…"));
    mount(this.panel, loading("Loading insights…"));
    const [hm, ins] = await Promise.allSettled([api.heatmap(key, view, width), api.insights(key, view, width)]);
    if (this.signal.aborted || seq !== this.seq) return;
    if (hm.status === "rejected") {
      this.hm = null;
      mount(this.scroller, errorBox(`The heatmap could not be loaded: ${(hm.reason as Error).message}`, () => void this.load()));
    } else {
      this.showHeatmap(hm.value);
    }
    if (ins.status === "rejected") {
      mount(this.panel, errorBox(`Insights could not be loaded: ${(ins.reason as Error).message}`));
    } else {
      this.ins = ins.value;
      mount(this.panel, insightsPanel(ins.value, this.hm, { hover: (a) => this.hoverAction(a), locate: (a) => this.locate(a) }));
    }
  }

  /** While a background is being captured, ask again every 2 s. */
  private poll(): void {
    window.clearTimeout(this.timer);
    const seq = this.seq;
    this.timer = window.setTimeout(async () => {
      const { key, view, width } = this.state;
      try {
        const hm = await api.heatmap(key, view, width);
        if (this.signal.aborted || seq !== this.seq) return;
        this.showHeatmap(hm);
      } catch {
        if (!this.signal.aborted && seq === this.seq) this.poll();
      }
    }, POLL_MS);
  }

  private async recapture(): Promise<void> {
    const { key, view, width } = this.state;
    this.refreshBtn.disabled = true;
    try {
      await api.recapture(key, view, width);
      if (this.hm) this.showHeatmap({ ...this.hm, background_status: "capturing", background_error: null });
      else this.poll();
    } catch (e) {
      this.notice("error", `Could not start a capture: ${(e as Error).message}`);
    } finally {
      this.refreshBtn.disabled = false;
    }
  }

  // ----- the page picture and its heat ---------------------------------------------------

  private showHeatmap(hm: Heatmap): void {
    this.hm = hm;
    this.big = pageImage(gridImage(hm), hm);
    this.renderNotices(hm);
    const bgKey = hm.background ? hm.background.id : null;
    if (this.shownBg !== bgKey || !this.heatCanvas || this.heatCanvas.width !== hm.width || this.heatCanvas.height !== hm.height) {
      this.buildStage(hm);
      this.shownBg = bgKey;
    }
    this.paintHeat();
    this.paintMarks(null);
    if (hm.background_status === "capturing") this.poll();
  }

  private buildStage(hm: Heatmap): void {
    const { scrollTop, scrollLeft } = this.scroller;
    let base: HTMLElement;
    if (hm.background) {
      base = h("img", {
        class: "stage-bg",
        src: hm.background.url,
        width: String(hm.width),
        height: String(hm.height),
        alt: `Picture of ${this.state.view} at ${this.state.width} width`,
        draggable: "false",
      });
    } else {
      const ph = h("canvas", { class: "stage-bg stage-placeholder", width: String(hm.width), height: String(hm.height) });
      drawPlaceholder(ph);
      base = ph;
    }
    this.heatCanvas = h("canvas", { class: "heat-layer", "data-testid": "heat-canvas", width: String(hm.width), height: String(hm.height) });
    this.marksCanvas = h("canvas", { class: "marks-layer", width: String(hm.width), height: String(hm.height), "aria-hidden": "true" });
    this.tooltip = h("div", { class: "tip", role: "tooltip", hidden: true });
    const stage = h(
      "div",
      {
        class: "stage",
        on: {
          mousemove: (ev: MouseEvent) => this.hoverCanvas(ev),
          mouseleave: () => this.hoverCanvas(null),
        },
      },
      base,
      this.heatCanvas,
      this.marksCanvas,
      this.tooltip,
    );
    mount(this.scroller, stage);
    this.scroller.scrollTop = scrollTop;
    this.scroller.scrollLeft = scrollLeft;
  }

  private paintHeat(): void {
    if (this.heatCanvas && this.big) drawHeat(this.heatCanvas, this.big, this.state.opacity);
  }

  private paintMarks(extra: Mark | null): void {
    if (!this.marksCanvas) return;
    const marks = [this.pinned, extra].filter((m): m is Mark => m !== null);
    drawMarks(this.marksCanvas, marks);
  }

  private hoverCanvas(ev: MouseEvent | null): void {
    if (!this.heatCanvas || !this.tooltip || !this.hm) return;
    const tip = this.tooltip;
    if (!ev) {
      tip.hidden = true;
      this.paintMarks(null);
      return;
    }
    const r = this.heatCanvas.getBoundingClientRect();
    const x = ev.clientX - r.left;
    const y = ev.clientY - r.top;
    const spot = nearest(this.hm.hotspots, x, y, 30);
    if (!spot) {
      tip.hidden = true;
      this.paintMarks(null);
      return;
    }
    mount(
      tip,
      h("strong", null, `${fmtInt(spot.count)} click${spot.count === 1 ? "" : "s"}`),
      h("span", null, ` · ${fmtPct(spot.share)} of this page's clicks`),
      spot.selector ? h("code", { class: "mono tip-sel" }, spot.selector) : null,
    );
    setVar(tip, "--x", `${Math.round(spot.x)}px`);
    setVar(tip, "--y", `${Math.round(spot.y)}px`);
    tip.classList.toggle("tip-left", spot.x > this.hm.width - 260);
    tip.hidden = false;
    this.paintMarks({ x: spot.x, y: spot.y });
  }

  private markOf(a: Action): Mark | null {
    if (a.x === null || a.y === null) return null;
    const el = this.ins?.top_elements.find((e) => e.selector === a.selector) as (Action & { rect?: [number, number, number, number] }) | undefined;
    return { x: a.x, y: a.y, rect: el?.rect ?? null };
  }

  private hoverAction(a: Action | null): void {
    this.paintMarks(a ? this.markOf(a) : null);
  }

  private locate(a: Action): void {
    const m = this.markOf(a);
    if (!m) return;
    this.pinned = m;
    this.paintMarks(null);
    // The picture may be centred and the area padded: measure where it sits.
    const sc = this.scroller;
    const box = sc.getBoundingClientRect();
    const pic = this.heatCanvas ? this.heatCanvas.getBoundingClientRect() : box;
    sc.scrollTo({
      left: Math.max(0, sc.scrollLeft + pic.left - box.left + m.x - sc.clientWidth / 2),
      top: Math.max(0, sc.scrollTop + pic.top - box.top + m.y - sc.clientHeight / 2),
      behavior: "smooth",
    });
  }

  // ----- notices: every empty state says why ---------------------------------------------

  private notice(kind: "info" | "warn" | "error" | "muted", text: string, ...extra: (HTMLElement | null)[]): HTMLElement {
    const el = h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, kind === "info" && extra.length === 0 ? h("span", { class: "spinner" }) : null, h("span", null, text), ...extra);
    this.notices.appendChild(el);
    return el;
  }

  private renderNotices(hm: Heatmap): void {
    mount(this.notices);
    const hasBg = hm.background !== null;
    switch (hm.background_status) {
      case "capturing":
        this.notice("info", hasBg ? "Capturing a fresh background…" : "No background captured yet — capturing…");
        break;
      case "failed":
        this.notice(
          "error",
          `Background capture failed: ${hm.background_error || "unknown reason"}`,
          h("button", { class: "btn btn-small", type: "button", on: { click: () => void this.recapture() } }, "Retry"),
        );
        break;
      case "none":
        if (!hasBg) {
          this.notice(
            "muted",
            "No background captured yet: the heat is drawn on a blank page of the right size.",
            h("button", { class: "btn btn-small", type: "button", on: { click: () => void this.recapture() } }, "Capture now"),
          );
        }
        break;
      default:
        break;
    }
    if (hm.total === 0) {
      const others = WIDTHS.filter(([w]) => w !== this.state.width);
      this.notice(
        "muted",
        "No clicks in this width class yet.",
        h(
          "span",
          { class: "notice-links" },
          " Try ",
          others.map(([w, label], i) => [
            i > 0 ? " or " : "",
            h("a", { href: heatmapUrl(this.state.key, this.state.view, w, this.state.opacity !== 0.7 ? String(this.state.opacity) : undefined) }, label),
          ]),
          ".",
        ),
      );
    }
    if (hm.warning) this.notice("warn", hm.warning);
  }
}
