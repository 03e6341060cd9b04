// The stage of the heatmap page: the page picture (or a blank page of its size) with the
// heat canvas, the marks canvas (pinned action, hovered element, dragged area), the
// scroll depth guides and the tooltip on it, in a scrolling area. The page is drawn to the
// area's width ("Fit", the default: a 1 440 px page in a 1 000 px area) or at its own size
// ("100 %"), one CSS variable (--zoom) sizing every layer. Hover readings, area drags and
// "locate" all work in the picture's own page pixels: a pointer position is measured
// against the heat canvas as drawn, so they hold at any zoom.
// The public share page draws its one heatmap on the same stage, read-only (no area
// counts: they need a login).

import { api, type Action, type Comparison, type Heatmap, type Hotspot, type Insights, type Params } from "../api";
import { fmtInt, fmtPct, h, mount, setVar } from "../dom";
import { drawHeat, drawMarks, drawPlaceholder, type Mark, nearest } from "../heat";
import { kindInfo } from "../kinds";
import { sessionsLine } from "./sessionslink";
import type { State, Zoom } from "./heatstate";

/** What of a page's state the stage reads (the heatmap page's State holds it all). */
export type StageState = Pick<State, "key" | "view" | "width" | "kind" | "opacity" | "bg" | "zoom">;

/** What the stage reads from the page: what is shown and how it was asked for. */
export interface StageHost {
  readonly state: StageState;
  readonly signal: AbortSignal;
  /** The heatmap drawn (in compare mode: the diff dressed as one). */
  readonly hm: Heatmap | null;
  /** The insights, whose top elements the hover outlines. */
  readonly ins: Insights | null;
  /** Compare mode's diff, or null. */
  readonly cmp: Comparison | null;
  /** Time range and filters, as every request carries them. */
  extra(): Params;
  /** Keep the zoom just chosen (in `state.zoom`) where the page keeps its state: its URL. */
  zoomed(): void;
  /** A read-only page (a share link): no area drags, whose counts need a login. */
  readonly readOnly?: boolean;
  /**
   * The sessions page narrowed by `narrow` (selector, area, kind…) and the page's own
   * range, width and filters; absent on a read-only page (share links never reach
   * sessions), which then offers no "N sessions".
   */
  sessionsHref?(narrow: Record<string, string>): string;
}

type Placed = Action & { rect: [number, number, number, number] };

export class Stage {
  /** The scrolling area the stage (or a spinner, an error) sits in. */
  readonly el = h("div", { class: "page-scroll", "data-testid": "page-area" });
  /** Fit | 100 %, with the zoom the page is drawn at. */
  readonly zoomEl: HTMLElement;
  private zoomButtons: HTMLButtonElement[];
  private zoomOut = h("output", { class: "zoom-value", "data-testid": "zoom-value" });
  /** The stage element, whose --zoom the layers are sized by. */
  private stageEl: HTMLElement | null = null;
  /** Screen px per page px the stage is drawn at. */
  private zoom = 1;
  /** The heat at full page size, drawn onto the heat canvas at the chosen opacity. */
  private big: HTMLCanvasElement | null = null;
  private heatCanvas: HTMLCanvasElement | null = null;
  private marksCanvas: HTMLCanvasElement | null = null;
  private guides: HTMLElement | null = null;
  private tooltip: HTMLElement | null = null;
  /** "N sessions" of what was clicked or dragged on the page: a box that stays, with its link. */
  private sessionsBox: HTMLElement | null = null;
  private sessionsSeq = 0;
  /** The background the stage was built for (undefined: no stage). */
  private shownBg: string | null | undefined = undefined;
  /** The action located or opened, marked until another is. */
  private pinned: Mark | null = null;
  /** A rectangle being dragged over the page, or the last one counted (page px). */
  private drag: { x0: number; y0: number; x: number; y: number; w: number; h: number; done: boolean } | null = null;
  private areaSeq = 0;

  constructor(private host: StageHost) {
    this.zoomButtons = (
      [
        ["fit", "Fit", "Draw the whole width of the page in the area (never larger than the page)"],
        ["100", "100 %", "Draw the page at its own size, one screen pixel per page pixel"],
      ] as [Zoom, string, string][]
    ).map(([value, label, title]) =>
      h("button", { type: "button", class: "seg", "data-zoom": value, "aria-pressed": String(host.state.zoom === value), title, on: { click: () => this.setZoom(value) } }, label),
    );
    this.zoomEl = h("div", { class: "zoom-switch" }, h("span", { class: "field-label", id: "zoom-label" }, "Zoom"), h("div", { class: "segmented", role: "group", "aria-labelledby": "zoom-label", "data-testid": "zoom-switch" }, this.zoomButtons), this.zoomOut);
    // The area narrows or widens with the window (and the panel): fit follows it.
    new ResizeObserver(() => this.applyZoom()).observe(this.el);
  }

  /** Whether a stage is on the page (a heatmap or a diff drawn). */
  get built(): boolean {
    return this.heatCanvas !== null;
  }

  /**
   * Put something else where the stage was (a spinner, an error, nothing) and forget the
   * stage, so the next heatmap or diff builds a new one: a quiet load keeps a stage whose
   * background and size match, and one kept after it left the page is never seen again.
   */
  clear(...content: HTMLElement[]): void {
    this.shownBg = undefined;
    this.heatCanvas = null;
    this.marksCanvas = null;
    this.guides = null;
    this.tooltip = null;
    this.sessionsBox = null;
    this.stageEl = null;
    mount(this.el, ...content);
  }

  /** Fit or 100 %: kept in the URL; the point at the area's top left stays there. */
  setZoom(zoom: Zoom): void {
    const state = this.host.state;
    if (state.zoom === zoom) return;
    state.zoom = zoom;
    for (const b of this.zoomButtons) b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom));
    this.host.zoomed();
    this.applyZoom();
  }

  /** Size the stage for the zoom chosen and the area's width now. */
  private applyZoom(): void {
    const stage = this.stageEl;
    const hm = this.host.hm;
    if (!stage || !hm) return;
    let zoom = 1;
    if (this.host.state.zoom === "fit") {
      const cs = getComputedStyle(this.el);
      const room = this.el.clientWidth - Number.parseFloat(cs.paddingLeft) - Number.parseFloat(cs.paddingRight);
      // Rounded down, so the page never overflows the area by a fraction of a pixel.
      if (room > 0 && room < hm.width) zoom = Math.floor((room / hm.width) * 1000) / 1000;
    }
    this.zoomOut.textContent = `${Math.round(zoom * 100)} %`;
    if (zoom === this.zoom && stage.style.getPropertyValue("--zoom")) return;
    const ratio = zoom / this.zoom;
    const { scrollLeft, scrollTop } = this.el;
    this.zoom = zoom;
    setVar(stage, "--zoom", zoom);
    this.el.scrollLeft = scrollLeft * ratio;
    this.el.scrollTop = scrollTop * ratio;
  }

  /** Draw `big` (the heat at page size) over `hm`'s picture, building the stage anew
   * only when the picture or its size changed. Pins and areas of the last map go. */
  show(hm: Heatmap, big: HTMLCanvasElement): void {
    this.big = big;
    this.pinned = null;
    this.drag = null;
    this.hideSessions();
    const bgKey = hm.background ? hm.background.id : null;
    if (this.shownBg !== bgKey || !this.heatCanvas || this.heatCanvas.width !== hm.width || this.heatCanvas.height !== hm.height) {
      this.build(hm);
      this.shownBg = bgKey;
    }
    this.paintHeat();
    this.paintMarks(null);
    this.renderGuides(hm);
  }

  /** The same heat in other colours (another palette). */
  recolour(big: HTMLCanvasElement): void {
    this.big = big;
    this.paintHeat();
  }

  paintHeat(): void {
    if (this.heatCanvas && this.big) drawHeat(this.heatCanvas, this.big, this.host.state.opacity);
  }

  /** Mark an action on the page until another is (null: none). */
  pin(a: Action | null): void {
    this.pinned = a ? this.markOf(a) : null;
    this.paintMarks(null);
  }

  /** An action hovered in the panel: its place on the page, for as long as the hover. */
  hoverAction(a: Action | null): void {
    this.paintMarks(a ? this.markOf(a) : null);
  }

  /** Pin an action and scroll it to the middle of the area. */
  locate(a: Action): void {
    const m = this.markOf(a);
    if (!m) return;
    this.pinned = m;
    this.paintMarks(null);
    // The picture may be centred and the area padded: measure where it sits.
    const sc = this.el;
    const box = sc.getBoundingClientRect();
    const pic = this.heatCanvas ? this.heatCanvas.getBoundingClientRect() : box;
    const s = this.scale();
    sc.scrollTo({
      left: Math.max(0, sc.scrollLeft + pic.left - box.left + m.x * s - sc.clientWidth / 2),
      top: Math.max(0, sc.scrollTop + pic.top - box.top + m.y * s - sc.clientHeight / 2),
      behavior: "smooth",
    });
  }

  // ----- building and painting -----------------------------------------------------------

  private build(hm: Heatmap): void {
    const { scrollTop, scrollLeft } = this.el;
    const state = this.host.state;
    let base: HTMLElement;
    if (hm.background) {
      base = h("img", {
        class: "stage-bg",
        src: hm.background.url,
        width: String(hm.width),
        height: String(hm.height),
        alt: `Picture of ${state.view} at ${state.width} width (${hm.background.source === "snapshot" ? "a page state from a visitor's snapshot" : "the live page"})`,
        "data-bg-id": hm.background.id,
        draggable: "false",
      });
    } else {
      const ph = h("canvas", { class: "stage-bg stage-placeholder", width: String(hm.width), height: String(hm.height) });
      drawPlaceholder(ph);
      base = ph;
    }
    this.heatCanvas = h("canvas", { class: "heat-layer", "data-testid": "heat-canvas", width: String(hm.width), height: String(hm.height) });
    this.marksCanvas = h("canvas", { class: "marks-layer", width: String(hm.width), height: String(hm.height), "aria-hidden": "true" });
    this.guides = h("div", { class: "guides-layer", "data-testid": "depth-guides" });
    // Presses on the box (or a counted area's tip) are its own (its link), never the
    // start of an area drag.
    const own = (ev: Event) => ev.stopPropagation();
    const tip = h("div", { class: "tip", role: "tooltip", hidden: true, on: { mousedown: (ev: Event) => tip.classList.contains("tip-pinned") && own(ev), mouseup: (ev: Event) => tip.classList.contains("tip-pinned") && own(ev) } });
    this.tooltip = tip;
    // (none on a read-only page: share links never reach sessions)
    this.sessionsBox = this.host.sessionsHref ? h("div", { class: "sessions-box", hidden: true, "data-testid": "sessions-box", on: { mousedown: own, mouseup: own } }) : null;
    const stage = h(
      "div",
      {
        class: ["stage", "stage-zoom", this.host.readOnly && "stage-readonly"],
        on: {
          mousemove: (ev: MouseEvent) => (this.drag && !this.drag.done ? this.dragTo(ev) : this.hoverCanvas(ev)),
          mouseleave: () => this.hoverCanvas(null),
          mousedown: (ev: MouseEvent) => this.dragStart(ev),
          mouseup: (ev: MouseEvent) => this.dragEnd(ev),
        },
      },
      base,
      this.heatCanvas,
      this.marksCanvas,
      this.guides,
      this.tooltip,
      this.sessionsBox,
    );
    setVar(stage, "--w", `${hm.width}px`);
    setVar(stage, "--h", `${hm.height}px`);
    this.stageEl = stage;
    mount(this.el, stage);
    this.applyZoom();
    this.el.scrollTop = scrollTop;
    this.el.scrollLeft = scrollLeft;
  }

  private paintMarks(extra: Mark | null): void {
    if (!this.marksCanvas) return;
    const d = this.drag;
    const area: Mark | null = d && d.done ? { x: d.x + d.w / 2, y: d.y + d.h / 2, rect: [d.x, d.y, d.w, d.h], area: true } : null;
    const marks = [this.pinned, area, extra].filter((m): m is Mark => m !== null);
    drawMarks(this.marksCanvas, marks);
  }

  /**
   * Scroll: lines across the page where 75, 50 and 25 % of the page views stopped, and
   * the average fold dashed. y = pct / 100 × the page's height. Lines at the same depth
   * keep the strongest label (if 50 % reached the end, 25 % did too).
   */
  private renderGuides(hm: Heatmap): void {
    if (!this.guides) return;
    mount(this.guides);
    const sc = hm.scroll;
    if (kindInfo(this.host.state.kind).mode !== "scroll" || !sc || hm.total === 0) return;
    const depthY = (pct: number) => Math.min(hm.height - 1, Math.max(1, (pct / 100) * hm.height));
    let lastPct: number | null = null;
    let lastY = -1e9;
    const marks: [number | null, number][] = [
      [sc.depth_75, 75],
      [sc.depth_50, 50],
      [sc.depth_25, 25],
    ];
    for (const [pct, share] of marks) {
      if (pct === null || pct === lastPct) continue;
      const y = depthY(pct);
      const el = h(
        "div",
        { class: ["scroll-mark", (y < 24 || y - lastY < 24) && "scroll-mark-below"], "data-share": String(share), "data-depth": String(pct) },
        h("span", { class: "scroll-mark-label" }, `${share} % of visitors reached here`),
      );
      setVar(el, "--y", `${Math.round(y)}px`);
      this.guides.appendChild(el);
      lastPct = pct;
      lastY = y;
    }
    if (sc.avg_fold !== null && sc.avg_fold !== undefined) {
      const y = depthY(sc.avg_fold);
      const el = h("div", { class: ["scroll-mark", "scroll-mark-fold", y < 24 && "scroll-mark-below"], "data-depth": String(sc.avg_fold) }, h("span", { class: "scroll-mark-label" }, "average fold"));
      setVar(el, "--y", `${Math.round(y)}px`);
      this.guides.appendChild(el);
    }
  }

  /** The dead-click overlay of a click map: a mark on each place where clicks changed
   * nothing (the dead map's hotspots, drawn on the same background), with its count. */
  deadSpots(spots: Hotspot[]): void {
    if (!this.guides) return;
    for (const el of this.guides.querySelectorAll(".dead-mark")) el.remove();
    for (const s of spots) {
      const el = h("span", { class: "dead-mark", "data-testid": "dead-mark", "data-count": String(s.count), title: `${fmtInt(s.count)} dead click${s.count === 1 ? "" : "s"} here: nothing on the page responded` }, "×");
      setVar(el, "--x", `${Math.round(s.x)}px`);
      setVar(el, "--y", `${Math.round(s.y)}px`);
      this.guides.appendChild(el);
    }
  }

  // ----- pointer: page pixels under it, readings, areas ---------------------------------

  /** Screen px per page px as the heat canvas is drawn now (1 at 100 %). */
  private scale(): number {
    const c = this.heatCanvas;
    if (!c || !c.width) return 1;
    return c.getBoundingClientRect().width / c.width || 1;
  }

  /** The page pixel under the pointer, whatever size the page is shown at. */
  private pagePoint(ev: MouseEvent): [number, number] | null {
    if (!this.heatCanvas) return null;
    const r = this.heatCanvas.getBoundingClientRect();
    const s = this.scale();
    return [(ev.clientX - r.left) / s, (ev.clientY - r.top) / s];
  }

  private hoverCanvas(ev: MouseEvent | null): void {
    if (!this.heatCanvas || !this.tooltip || !this.host.hm) return;
    const tip = this.tooltip;
    const p = ev ? this.pagePoint(ev) : null;
    if (!p) {
      tip.hidden = true;
      this.paintMarks(null);
      return;
    }
    const [x, y] = p;
    const hm = this.host.hm;
    const info = kindInfo(this.host.state.kind);
    if (info.mode !== "points") {
      const frac = Math.min(1, Math.max(0, y / Math.max(1, hm.height)));
      let body: HTMLElement[] | null = null;
      if (info.mode === "scroll" && hm.scroll && hm.scroll.reach.length && hm.total > 0) {
        const reach = hm.scroll.reach;
        const pct = Math.min(reach.length - 1, Math.round(frac * (reach.length - 1)));
        body = [h("strong", null, `${fmtPct(reach[pct], 0)} of page views`), h("span", null, " reached this depth"), h("span", { class: "tip-sub" }, `${pct} % down the page`)];
      } else if (info.mode === "attention" && hm.attention && hm.attention.seconds.length && hm.total > 0) {
        const secs = hm.attention.seconds;
        const band = Math.min(secs.length - 1, Math.floor(frac * secs.length));
        const step = 100 / secs.length;
        body = [
          h("strong", null, `${(secs[band] ?? 0).toFixed(1)} s`),
          h("span", null, " in view on average"),
          h("span", { class: "tip-sub" }, `${Math.round(band * step)}–${Math.round((band + 1) * step)} % down the page`),
        ];
      }
      if (!body) {
        tip.hidden = true;
        this.paintMarks(null);
        return;
      }
      mount(tip, body);
      this.placeTip(x, y);
      this.paintMarks({ x, y, line: true });
      return;
    }
    if (this.drag?.done) return; // a counted area keeps its tooltip until cleared
    if (this.host.cmp) {
      this.hoverDiff(x, y);
      return;
    }
    const el = this.elementAt(x, y);
    if (el) {
      const rect = el.rect;
      mount(
        tip,
        h("strong", null, el.name),
        h("span", { class: "tip-sub" }, `${fmtInt(el.count)} ${el.count === 1 ? "click" : "clicks"} · ${fmtPct(el.share)} of this page's clicks`),
        h("code", { class: "mono tip-sel" }, el.selector),
      );
      tip.dataset.testid = "element-tip";
      this.placeTip(Math.min(rect[0] + rect[2], x + 12 / this.scale()), y);
      this.paintMarks({ x: rect[0] + rect[2] / 2, y: rect[1] + rect[3] / 2, rect });
      return;
    }
    delete tip.dataset.testid;
    // Within 30 screen px of a hotspot, at any zoom.
    const spot = nearest(hm.hotspots, x, y, 30 / this.scale());
    if (!spot) {
      tip.hidden = true;
      this.paintMarks(null);
      return;
    }
    mount(
      tip,
      h("strong", null, `${fmtInt(spot.count)} ${spot.count === 1 ? info.one : info.many}`),
      h("span", null, ` · ${fmtPct(spot.share)} of this page's ${info.many}`),
      spot.selector ? h("code", { class: "mono tip-sel" }, spot.selector) : null,
    );
    this.placeTip(spot.x, spot.y);
    this.paintMarks({ x: spot.x, y: spot.y });
  }

  /** The smallest of the top elements (clicks, this background) whose box holds (x, y). */
  private elementAt(x: number, y: number): Placed | null {
    if (this.host.state.kind !== "click" || !this.host.ins) return null;
    let best: Placed | null = null;
    for (const e of this.host.ins.top_elements as (Action & { rect?: [number, number, number, number] | null })[]) {
      const r = e.rect;
      if (!r || e.visible === false || r[2] <= 0 || r[3] <= 0) continue;
      if (x < r[0] || y < r[1] || x > r[0] + r[2] || y > r[1] + r[3]) continue;
      if (!best || r[2] * r[3] < best.rect[2] * best.rect[3]) best = e as Placed;
    }
    return best;
  }

  /** Compare mode: the change under the pointer, per 1 000 page views. */
  private hoverDiff(x: number, y: number): void {
    const c = this.host.cmp;
    const tip = this.tooltip;
    if (!c || !tip) return;
    const col = Math.floor(x / c.cell);
    const row = Math.floor(y / c.cell);
    const v = col >= 0 && row >= 0 && col < c.cols && row < c.rows ? c.grid[row * c.cols + col] : 0;
    if (!v || Math.abs(v) < 0.05) {
      tip.hidden = true;
      this.paintMarks(null);
      return;
    }
    const per = v * c.max;
    const info = kindInfo(this.host.state.kind);
    mount(tip, h("strong", null, `${per > 0 ? "+" : "−"}${Math.abs(per).toFixed(1)} ${info.many}`), h("span", null, " per 1 000 page views"), h("span", { class: "tip-sub" }, per > 0 ? "more in B than in A" : "fewer in B than in A"));
    tip.dataset.testid = "diff-tip";
    this.placeTip(x, y);
    this.paintMarks(null);
  }

  private dragStart(ev: MouseEvent): void {
    if (ev.button !== 0 || this.host.readOnly || this.host.cmp || kindInfo(this.host.state.kind).mode !== "points") return;
    const p = this.pagePoint(ev);
    if (!p) return;
    ev.preventDefault();
    this.areaSeq++;
    this.hideSessions();
    this.drag = { x0: p[0], y0: p[1], x: p[0], y: p[1], w: 0, h: 0, done: false };
    if (this.tooltip) this.tooltip.hidden = true;
  }

  private dragTo(ev: MouseEvent): void {
    const d = this.drag;
    const p = this.pagePoint(ev);
    if (!d || !p) return;
    d.x = Math.min(d.x0, p[0]);
    d.y = Math.min(d.y0, p[1]);
    d.w = Math.abs(p[0] - d.x0);
    d.h = Math.abs(p[1] - d.y0);
    this.paintMarks({ x: d.x + d.w / 2, y: d.y + d.h / 2, rect: [d.x, d.y, d.w, d.h], area: true });
  }

  private dragEnd(ev: MouseEvent): void {
    const d = this.drag;
    if (!d || d.done) {
      // Another button's click clears a counted area (a left press starts a new drag).
      if (d?.done) this.clearArea();
      return;
    }
    this.dragTo(ev);
    const s = this.scale();
    if (d.w * s < 6 || d.h * s < 6) {
      this.clearArea(); // a plain click: no area, and the one counted before is gone
      this.clickAt(d.x0, d.y0);
      return;
    }
    d.done = true;
    void this.countArea(d);
  }

  private clearArea(): void {
    this.drag = null;
    this.areaSeq++;
    if (this.tooltip) {
      this.tooltip.hidden = true;
      this.tooltip.classList.remove("tip-pinned");
    }
    this.hideSessions();
    this.paintMarks(null);
  }

  private async countArea(d: { x: number; y: number; w: number; h: number }): Promise<void> {
    const seq = ++this.areaSeq;
    const tip = this.tooltip;
    if (!tip) return;
    const { key, view, width, kind, bg } = this.host.state;
    const info = kindInfo(kind);
    mount(tip, h("span", { class: "spinner" }), h("span", null, " Counting…"));
    tip.dataset.testid = "area-tip";
    this.placeTip(d.x + d.w, d.y);
    try {
      const n = await api.area(key, view, width, kind, this.host.hm?.background?.id ?? bg, d, this.host.extra());
      if (seq !== this.areaSeq || this.host.signal.aborted) return;
      mount(
        tip,
        h("strong", { "data-count": String(n.count) }, `${fmtInt(n.count)} ${n.count === 1 ? info.one : info.many}`),
        h("span", null, ` in this area · ${fmtPct(n.share)} of ${fmtInt(n.total)}`),
        h("span", { class: "tip-sub" }, `${Math.round(d.w)} × ${Math.round(d.h)} px · click to clear`),
      );
      // the very rectangle the count was asked for (api.area rounds it the same way)
      const r = { x: Math.round(d.x), y: Math.round(d.y), w: Math.round(d.w), h: Math.round(d.h) };
      const background = this.host.hm?.background?.id ?? bg ?? "";
      if (n.count === 0 || !this.host.sessionsHref) return;
      // the count stays until cleared: its "N sessions" may be clicked
      tip.classList.add("tip-pinned");
      const line = await this.sessionsLine({ x: String(r.x), y: String(r.y), w: String(r.w), h: String(r.h), kind, background });
      if (seq === this.areaSeq && !this.host.signal.aborted) tip.append(line);
    } catch (e) {
      if (seq === this.areaSeq) mount(tip, h("span", null, `Could not count this area: ${(e as Error).message}`));
    }
  }

  /**
   * A plain click on the page: on a top element (click maps), the sessions that clicked
   * it; on a hotspot, those whose points make it (its square of 5 × 5 cells, the one its
   * count covers); elsewhere nothing, and the box shown before goes.
   */
  private clickAt(x: number, y: number): void {
    const hm = this.host.hm;
    const kind = this.host.state.kind;
    if (!hm || this.host.cmp || !this.host.sessionsHref || kindInfo(kind).mode !== "points") return;
    const el = this.elementAt(x, y);
    if (el) {
      this.pinned = { x: el.rect[0] + el.rect[2] / 2, y: el.rect[1] + el.rect[3] / 2, rect: el.rect };
      this.paintMarks(null);
      this.showSessions(el.name, { selector: el.selector, kind }, el.rect[0] + el.rect[2], el.rect[1] + el.rect[3] / 2);
      return;
    }
    const spot = nearest(hm.hotspots, x, y, 30 / this.scale());
    if (spot) {
      const half = 2.5 * hm.cell;
      const background = hm.background?.id ?? "";
      this.showSessions(
        `Hotspot${spot.selector ? ` on ${spot.selector}` : ""}`,
        { x: String(spot.x - half), y: String(spot.y - half), w: String(5 * hm.cell), h: String(5 * hm.cell), kind, background },
        spot.x + half,
        spot.y,
      );
      return;
    }
    this.hideSessions();
  }

  /** The box at page point (x, y): what was picked, then "N sessions" linking to them. */
  private async showSessions(title: string, narrow: Record<string, string>, x: number, y: number): Promise<void> {
    const box = this.sessionsBox;
    const hm = this.host.hm;
    if (!box || !hm || !this.host.sessionsHref) return;
    const seq = ++this.sessionsSeq;
    mount(box, h("strong", null, title), h("span", { class: "tip-sub" }, h("span", { class: "spinner" }), " Counting sessions…"));
    setVar(box, "--x", `${Math.round(x)}px`);
    setVar(box, "--y", `${Math.round(y)}px`);
    box.classList.toggle("tip-left", x > hm.width - 300 / this.scale());
    box.hidden = false;
    const line = await this.sessionsLine(narrow);
    if (seq === this.sessionsSeq && !this.host.signal.aborted) mount(box, h("strong", null, title), line);
  }

  /** "N sessions →" of `narrow` (empty values left out), linking to them. */
  private sessionsLine(narrow: Record<string, string>): Promise<HTMLElement> {
    const { key, view, width } = this.host.state;
    const href = this.host.sessionsHref ? (n: Record<string, string>) => this.host.sessionsHref!(n) : undefined;
    return sessionsLine(key, { ...this.host.extra(), view, width }, narrow, href);
  }

  private hideSessions(): void {
    this.sessionsSeq++;
    if (this.sessionsBox) this.sessionsBox.hidden = true;
  }

  /** Show the tooltip by page point (x, y), on its left near the page's right edge. */
  private placeTip(x: number, y: number): void {
    const hm = this.host.hm;
    if (!this.tooltip || !hm) return;
    const tip = this.tooltip;
    setVar(tip, "--x", `${Math.round(x)}px`);
    setVar(tip, "--y", `${Math.round(y)}px`);
    tip.classList.toggle("tip-left", x > hm.width - 300 / this.scale());
    tip.hidden = false;
  }

  private markOf(a: Action): Mark | null {
    if (a.x === null || a.y === null) return null;
    const el = this.host.ins?.top_elements.find((e) => e.selector === a.selector) as (Action & { rect?: [number, number, number, number] }) | undefined;
    return { x: a.x, y: a.y, rect: el?.rect ?? null };
  }
}
