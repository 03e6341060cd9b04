// The heatmap page of one view: the toolbar (toolbar.ts) and the filter bar on top, the
// background chooser and placement line over the page picture with its heat (stage.ts),
// the notices (notices.ts) and the insights panel. This module loads: the heatmap, the
// insights, the backgrounds, compare mode's diff, one action's detail, and polls while a
// background is being made. What is shown lives in the query string (heatstate.ts).

import { api, ApiError, palettes, type App, type Background, type Backgrounds, type BackgroundStatus, type Comparison, type Heatmap, type Goal, type Insights, type Params, type View } from "../api";
import { errorBox, h, loading, mount } from "../dom";
import { FilterBar, scopeParams, writeScope } from "../filters";
import { gridImage, pageImage, tableOf, usePalette } from "../heat";
import { kindInfo } from "../kinds";
import { topbar } from "../layout";
import { appUrl, heatmapUrl, navigate, redirect, replaceQuery, sessionsUrl, sessionUrl } from "../router";
import { actionPanel } from "./action";
import { BackgroundChooser, bgSource, placementLine } from "./backgrounds";
import { CompareBar, compareLegend, comparePanel, compareParams, type CompareState, sideNames } from "./compare";
import { CohortPicker, JourneyFlow } from "./heatoutcomes";
import { busy, readState, type State, toQuery } from "./heatstate";
import { goalPicker, insightsPanel, legendFor, notVisibleNote } from "./insights";
import { Notices } from "./notices";
import { SaveShare } from "./save-share";
import { Stage } from "./stage";
import { Toolbar } from "./toolbar";

// The public share page describes its heatmap with the same words.
export { describeFilters, describeParamsRange, widthLabel } from "./heatstate";
export { notEnoughData } from "./notices";

const POLL_MS = 2000;

export async function renderHeatmap(root: HTMLElement, key: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  const state = readState(key, query);
  document.title = "Heatmap · pageheat";
  mount(root, topbar([{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Heatmap" }]), h("main", { class: "page" }, delayed(loading("Loading heatmap…"))));

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

/** A loading state that shows itself only once the wait passes 300 ms (CSS), so a fast
 * answer never flickers a spinner. */
export function delayed(el: HTMLElement): HTMLElement {
  el.classList.add("state-delayed");
  return el;
}

class HeatmapPage {
  private stageCol = h("section", { class: "stage-col" });
  private progress = h("div", { class: "progress", role: "progressbar", "aria-label": "Drawing the heatmap", "data-testid": "progress" }, h("span", { class: "progress-fill" }));
  /** The server's colour tables, once fetched (null: the built-in ramp). */
  private tables: Promise<Record<string, Uint8ClampedArray | null> | null>;
  private notices = new Notices();
  private panel = h("aside", { class: "panel", "aria-label": "Insights" });
  private legendSlot = h("div", { class: "legend-slot" });
  private placementSlot = h("div", { class: "placement-slot" });
  private chooser: BackgroundChooser;
  private stage: Stage;
  private keep: SaveShare;
  private toolbar!: Toolbar;
  /** The view's backgrounds at this width (null until listed, or when listing failed). */
  private bgs: Backgrounds | null = null;
  /** What polling the background list last said, when newer than the heatmap's word. */
  private bgNews: { status: BackgroundStatus; error: string | null } | null = null;
  /** A one-off explanation shown over the next heatmap (e.g. an unknown bg= in a link). */
  private note: string | null = null;
  /** The heatmap shown (in compare mode: the diff dressed as one). */
  hm: Heatmap | null = null;
  ins: Insights | null = null;
  /** The app's goals, once asked (null before). */
  private goals: Goal[] | null = null;
  /** The diff shown in compare mode (instead of `hm`'s heat). */
  cmp: Comparison | null = null;
  private seq = 0;
  private timer = 0;
  private filterBar!: FilterBar;
  private compareSlot = h("div", { class: "compare-slot" });
  private compareBar: CompareBar | null = null;
  private compareBtn!: HTMLButtonElement;
  private deadBtn!: HTMLButtonElement;
  private cohorts!: CohortPicker;
  private journeys: JourneyFlow;

  constructor(
    private root: HTMLElement,
    readonly app: App,
    private apps: App[],
    private views: View[],
    readonly state: State,
    readonly signal: AbortSignal,
  ) {
    signal.addEventListener("abort", () => window.clearTimeout(this.timer));
    this.chooser = new BackgroundChooser((id) => this.chooseBackground(id), signal);
    this.stage = new Stage(this);
    this.keep = new SaveShare(this);
    this.journeys = new JourneyFlow(state, signal);
    this.tables = palettes()
      .then((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tableOf(v)])))
      .catch(() => null);
  }

  start(): void {
    this.compareBtn = h(
      "button",
      { type: "button", class: "btn btn-small", "data-testid": "compare-toggle", "aria-pressed": String(!!this.state.compare), title: "Compare two periods or two segments of this view", on: { click: () => this.toggleCompare() } },
      "Compare",
    );
    this.cohorts = new CohortPicker(this.state, {
      pick: (cohort) => ((this.state.scope.cohort = cohort), this.rescope()),
      // converted sessions (A) against the rest (B): the sides' cohorts replace the page's
      convertedVsNot: (goal) => ((this.state.scope.cohort = ""), this.toggleCompare({ mode: "segment", aFrom: "", aTo: "", seg: "cohort", segA: `converted:${goal}`, segB: `not_converted:${goal}` })),
    });
    this.filterBar = new FilterBar(this.state.scope, { change: () => this.rescope(), values: (name) => this.filterValues(name), tags: () => this.tagKeys() }, h("span", { class: "filter-end-tools" }, this.cohorts.el, this.compareBtn));
    this.toolbar = new Toolbar(this.app, this.apps, this.views, this.state, this.keep, {
      app: (key) => void this.switchApp(key),
      view: (name) => {
        this.state.view = name;
        this.state.bg = null; // backgrounds belong to one view
        this.pushState();
        void this.load();
      },
      width: (value) => {
        this.state.width = value;
        this.state.bg = null; // and to one width range
        this.toolbar.syncWidth();
        this.pushState();
        void this.load();
      },
      kind: (kind) => {
        this.state.kind = kind;
        this.toolbar.syncKind();
        this.pushState();
        void this.loadKind();
      },
      opacity: (value) => {
        this.state.opacity = value;
        this.stage.paintHeat();
        replaceQuery(toQuery(this.state));
      },
      palette: (name) => void this.choosePalette(name),
      scale: (scale) => {
        this.state.scale = scale;
        this.toolbar.syncKind();
        this.pushState();
        void this.loadKind();
      },
      recapture: () => void this.recapture(),
    });
    this.syncCompare();
    this.deadBtn = h("button", { type: "button", class: "btn btn-small", "data-testid": "dead-toggle", "aria-pressed": String(this.state.dead), title: "Mark where clicks changed nothing (dead clicks) on the click map", on: { click: () => this.toggleDead() } }, "Dead clicks");
    mount(this.stageCol, this.progress, h("div", { class: "bg-bar", "data-testid": "bg-bar" }, this.chooser.el, this.placementSlot, this.deadBtn, this.stage.zoomEl), this.notices.el, this.stage.el);
    mount(
      this.root,
      topbar([{ label: "Applications", href: "/" }, { label: this.app.name, href: appUrl(this.app.key) }, { label: "Heatmap" }]),
      this.toolbar.el,
      this.filterBar.el,
      this.compareSlot,
      h("div", { class: "heat-layout" }, this.stageCol, this.panel),
    );
    void this.keep.loadSaved();
    void this.load();
  }

  /** Point maps in another palette: the same heat recoloured, the legend with it. */
  private async choosePalette(name: string): Promise<void> {
    if (this.state.palette === name) return;
    this.state.palette = name;
    this.toolbar.syncPalette();
    replaceQuery(toQuery(this.state));
    await this.applyPalette();
    const hm = this.hm;
    if (!hm || this.cmp || kindInfo(this.state.kind).mode !== "points") return;
    this.stage.recolour(pageImage(gridImage(hm, "points"), hm, true));
    this.renderLegend(hm);
  }

  private async applyPalette(): Promise<void> {
    const tables = await this.tables;
    usePalette(this.state.palette, tables?.[this.state.palette] ?? null);
  }

  /** A render running: the progress bar shows if it lasts past 300 ms (CSS delay). */
  private setBusy(on: boolean): void {
    this.stageCol.classList.toggle("is-loading", on);
  }

  /** Time range, filters, the compare sides: what every request carries besides its own. */
  extra(): Params {
    return scopeParams(this.state.scope);
  }

  /** The sessions page narrowed by `narrow` (selector, area, kind) under this page's
   * view, width, range and filters. */
  sessionsHref(narrow: Record<string, string>): string {
    const q = new URLSearchParams({ view: this.state.view, width: this.state.width });
    writeScope(this.state.scope, q);
    for (const [k, v] of Object.entries(narrow)) if (v !== "") q.set(k, v);
    return sessionsUrl(this.state.key, Object.fromEntries(q));
  }

  /** The stage's zoom, kept in the URL with everything else (zoom=100). */
  zoomed = (): void => replaceQuery(toQuery(this.state));

  /** The heatmap request's parameters: the scope's, and the scale a point map is drawn on. */
  private mapExtra(): Params {
    const absolute = this.state.scale === "absolute" && kindInfo(this.state.kind).mode === "points";
    return { ...this.extra(), scale: absolute ? "absolute" : undefined, goal: kindInfo(this.state.kind).goal ? (this.state.goal ?? undefined) : undefined };
  }

  private filterValues = (name: string) => api.filterValues(this.state.key, name, this.state.view, this.state.width, this.extra());
  private tagKeys = () => api.tags(this.state.key, this.state.view, this.state.width, this.extra());

  /** The range or the filters changed: everything is counted again. */
  private rescope(): void {
    this.compareBar?.rescope(this.state.scope);
    this.cohorts.render();
    this.pushState();
    this.updating();
    void this.load(true);
  }

  /** While a quiet reload runs, what is shown stays and a spinner says it is being redone. */
  private updating(): void {
    if (!this.hm) return;
    this.notices.clear();
    this.notices.add("info", "Counting again for the new range and filters…").dataset.testid = "updating";
  }

  private toggleCompare(to: CompareState | null = this.state.compare ? null : { mode: "period", aFrom: "", aTo: "", seg: "device", segA: "", segB: "" }): void {
    this.state.compare = to;
    if (to && (kindInfo(this.state.kind).mode !== "points" || kindInfo(this.state.kind).goal)) {
      this.state.kind = "click"; // a diff is of point maps
    }
    this.syncCompare();
    this.pushState();
    void this.load();
  }

  private syncCompare(): void {
    const c = this.state.compare;
    this.compareBtn.setAttribute("aria-pressed", String(!!c));
    this.compareBtn.textContent = c ? "Stop comparing" : "Compare";
    this.compareBar = c
      ? new CompareBar(c, this.state.scope, {
          change: () => {
            this.pushState();
            this.updating();
            void this.load(true);
          },
          values: (name) => this.filterValues(name),
          tags: () => this.tagKeys(),
          goals: () => this.goals,
        })
      : null;
    mount(this.compareSlot, this.compareBar?.el ?? null);
    this.toolbar.syncCompare();
  }

  private pushState(): void {
    this.note = null;
    history.pushState(null, "", `${location.pathname}?${toQuery(this.state).toString()}`);
    document.title = `${this.state.view} · ${this.app.name} · pageheat`;
  }

  private async switchApp(key: string): Promise<void> {
    try {
      const views = await api.views(key);
      navigate(views.length ? heatmapUrl(key, views[0].name, this.state.width, undefined, this.state.kind) : appUrl(key));
    } catch (e) {
      this.notices.add("error", `Could not open that app: ${(e as Error).message}`);
    }
  }

  // ----- data ----------------------------------------------------------------------------

  /**
   * The heatmap, the insights and the background list. `quiet` keeps what is shown until
   * the new data is in (a background chosen, a capture finished) instead of spinners;
   * `arrived`: backgrounds new since the last list, pointed out unless drawn over.
   */
  private async load(quiet = false, arrived: Background[] = []): Promise<void> {
    const next = this.seq + 1;
    this.setBusy(true);
    try {
      await this.fetchAndShow(quiet, arrived);
    } finally {
      if (this.seq === next) this.setBusy(false);
    }
  }

  private async fetchAndShow(quiet: boolean, arrived: Background[]): Promise<void> {
    const seq = ++this.seq;
    window.clearTimeout(this.timer);
    const { key, view, width, kind, bg } = this.state;
    if (!quiet || !this.hm) {
      this.hm = null;
      this.bgs = null;
      this.notices.clear();
      mount(this.placementSlot);
      this.chooser.loading();
      this.stage.clear(delayed(loading("Loading heatmap…")));
      mount(this.panel, delayed(loading("Loading insights…")));
    }
    void this.journeys.load(this.extra());
    if (this.state.compare) {
      await this.loadCompare(seq);
      return;
    }
    this.cmp = null;
    const extra = this.extra();
    const [hm, ins, bgs] = await Promise.allSettled([
      api.heatmap(key, view, width, kind, bg, this.mapExtra()),
      api.insights(key, view, width, bg, { ...extra, goal: this.state.goal ?? undefined }),
      api.backgrounds(key, view, width, extra),
      this.applyPalette(),
      this.goals ?? api.goals(key).then((g) => this.cohorts.setGoals((this.goals = g)), () => (this.goals = [])),
    ]);
    if (this.signal.aborted || seq !== this.seq) return;
    if (bg && hm.status === "rejected" && hm.reason instanceof ApiError && hm.reason.status === 404) {
      // A link to a background this view does not have (any more): show the default.
      this.state.bg = null;
      replaceQuery(toQuery(this.state));
      this.note = "The background in the link is not one of this view's page states: showing the default one.";
      void this.load();
      return;
    }
    this.bgs = bgs.status === "fulfilled" ? bgs.value : null;
    if (hm.status === "rejected") {
      this.hm = null;
      mount(this.placementSlot);
      this.chooser.update(null, this.bgs, this.state.bg);
      this.stage.clear(errorBox(`The heatmap could not be loaded: ${(hm.reason as Error).message}`, () => void this.load()));
    } else {
      const unseen = arrived.filter((b) => b.id !== hm.value.background?.id);
      if (unseen.length) {
        const what = unseen.map((b) => bgSource(b)).join(", ");
        this.note =
          unseen.length === 1
            ? `A new background arrived (${what}): pick it under Background to draw over it.`
            : `${unseen.length} new backgrounds arrived (${what}): pick one under Background to draw over it.`;
      }
      this.showHeatmap(hm.value);
    }
    if (ins.status === "rejected") {
      mount(this.panel, errorBox(`Insights could not be loaded: ${(ins.reason as Error).message}`));
    } else {
      this.ins = ins.value;
      if (this.state.action) void this.openAction(this.state.action, false);
      else this.showInsights();
    }
  }

  private showInsights(): void {
    if (!this.ins) return;
    const picker = goalPicker(this.goals, this.state.goal, (goal) => {
      this.state.goal = goal;
      if (!goal && kindInfo(this.state.kind).goal) this.state.kind = "click";
      this.toolbar.syncKind();
      this.cohorts.render();
      this.pushState();
      void this.load(true);
    });
    mount(this.panel, insightsPanel(this.ins, this.legendSlot, { hover: (a) => this.stage.hoverAction(a), locate: (a) => this.stage.locate(a), open: (a) => void this.openAction(a.selector), sessions: (narrow) => this.sessionsHref(narrow) }, picker), this.journeys.el);
  }

  /** The panel shows one action's detail (kept in the URL as action=). */
  private async openAction(selector: string, push = true): Promise<void> {
    const seq = this.seq;
    this.state.action = selector;
    if (push) this.pushState();
    mount(this.panel, loading("Loading the action…"));
    const { key, view, width } = this.state;
    try {
      const detail = await api.actionDetail(key, view, width, selector, this.extra());
      if (this.signal.aborted || seq !== this.seq) return;
      const act = this.ins?.top_actions.find((a) => a.selector === selector);
      const placed = act && act.x !== null && act.y !== null && act.visible !== false ? act : null;
      mount(
        this.panel,
        actionPanel(
          detail,
          () => {
            this.state.action = null;
            this.pushState();
            this.stage.pin(null);
            this.showInsights();
          },
          placed ? () => this.stage.locate(placed) : null,
          { list: this.sessionsHref({ selector }), one: (id, t) => sessionUrl(key, id, t === null ? "" : `t=${t}`) },
          act && this.ins ? { rank: this.ins.top_actions.indexOf(act) + 1, of: this.ins.top_actions.length, share: act.share } : null,
        ),
      );
      if (placed) this.stage.pin(placed);
    } catch (e) {
      if (!this.signal.aborted && seq === this.seq) mount(this.panel, errorBox(`The action could not be loaded: ${(e as Error).message}`, () => void this.openAction(selector, false)));
    }
  }

  /** Compare mode: the diff of side B against side A over one background. */
  private async loadCompare(seq: number): Promise<void> {
    const c = this.state.compare;
    if (!c) return;
    const { key, view, width, kind, bg } = this.state;
    const params = compareParams(c, this.state.scope);
    const bgs = await api.backgrounds(key, view, width, this.extra()).catch(() => null);
    if (this.signal.aborted || seq !== this.seq) return;
    this.bgs = bgs;
    if (typeof params === "string") {
      this.cmp = null;
      this.notices.clear();
      this.notices.add("muted", params).dataset.testid = "compare-empty";
      this.chooser.update(this.hm?.background ?? null, this.bgs, this.state.bg);
      this.stage.clear();
      mount(this.panel, h("div", { class: "panel-inner" }, h("h2", { class: "panel-title" }, "Comparison"), h("p", { class: "muted" }, params)));
      return;
    }
    let cmp: Comparison;
    try {
      cmp = await api.compare(key, view, width, kind, bg, params);
    } catch (e) {
      if (this.signal.aborted || seq !== this.seq) return;
      this.notices.clear();
      this.stage.clear(errorBox(`The comparison could not be loaded: ${(e as Error).message}`, () => void this.load()));
      mount(this.panel);
      return;
    }
    if (this.signal.aborted || seq !== this.seq) return;
    this.cmp = cmp;
    const names = sideNames(c, this.state.scope);
    const info = kindInfo(kind);
    // The stage is drawn like a heatmap whose heat is the diff.
    const asHeat: Heatmap = {
      kind, cell: cmp.cell, width: cmp.width, height: cmp.height, cols: cmp.cols, rows: cmp.rows, grid: cmp.grid, max: cmp.max,
      total: cmp.a.total + cmp.b.total, hotspots: [], background: cmp.background, background_status: cmp.background_status,
      background_error: null, placed: { anchored: 0, positional: 0 }, not_visible: [], warning: cmp.warning, sessions: cmp.a.sessions + cmp.b.sessions,
    };
    this.hm = asHeat;
    this.notices.clear();
    if (cmp.warning) this.notices.add("warn", cmp.warning);
    this.stage.show(asHeat, pageImage(gridImage(cmp, "diverging"), cmp, true));
    this.chooser.update(cmp.background, this.bgs, this.state.bg);
    mount(this.placementSlot);
    mount(this.panel, comparePanel(cmp, names, compareLegend(cmp, names, info.many), info.many));
  }

  /** Draw over another page state (null: the default); kept in the URL as bg=. */
  private chooseBackground(id: string | null): void {
    if (this.state.bg === id) return;
    this.state.bg = id;
    this.pushState();
    this.notices.clear();
    this.notices.add("info", "Loading the heatmap over the chosen background…");
    void this.load(true);
  }

  /** Another heatmap type of the same view: the picture and the insights stay. */
  private async loadKind(): Promise<void> {
    const seq = ++this.seq;
    window.clearTimeout(this.timer);
    const { key, view, width, kind, bg } = this.state;
    if (!this.stage.built || this.state.compare) {
      void this.load(true);
      return;
    }
    this.notices.clear();
    this.notices.add("info", `Loading the ${kindInfo(kind).label.toLowerCase()} map…`);
    this.setBusy(true);
    try {
      const hm = await api.heatmap(key, view, width, kind, bg, this.mapExtra());
      if (this.signal.aborted || seq !== this.seq) return;
      this.showHeatmap(hm);
    } catch (e) {
      if (this.signal.aborted || seq !== this.seq) return;
      this.notices.clear();
      this.notices.add("error", `The ${kindInfo(kind).label.toLowerCase()} map could not be loaded: ${(e as Error).message}`);
    } finally {
      if (seq === this.seq) this.setBusy(false);
    }
  }

  /**
   * While a background is being captured or rendered, ask the background list every 2 s
   * (not the heatmap: asking for one starts a capture again after a failed one). When the
   * work is done, load the heatmap over the new picture; when it failed, say why.
   */
  private poll(): void {
    window.clearTimeout(this.timer);
    const seq = this.seq;
    this.timer = window.setTimeout(async () => {
      const { key, view, width } = this.state;
      let list: Backgrounds;
      try {
        list = await api.backgrounds(key, view, width, this.extra());
      } catch {
        if (!this.signal.aborted && seq === this.seq) this.poll();
        return;
      }
      if (this.signal.aborted || seq !== this.seq) return;
      if (!this.hm) {
        void this.load(); // the heatmap itself had failed: try it again now
        return;
      }
      // Unknown before (the first list failed): nothing can be told new.
      const known = this.bgs ? new Set(this.bgs.backgrounds.map((b) => b.id)) : null;
      this.bgs = list;
      if (busy(list.status) || list.status === "failed") {
        this.bgNews = { status: list.status, error: list.error };
        this.renderNotices(this.hm);
        this.chooser.update(this.hm.background, list, this.state.bg);
        if (busy(list.status)) this.poll();
      } else {
        void this.load(true, known ? list.backgrounds.filter((b) => !known.has(b.id)) : []);
      }
    }, POLL_MS);
  }

  private async recapture(): Promise<void> {
    const { key, view, width } = this.state;
    this.toolbar.refreshBtn.disabled = true;
    try {
      await api.recapture(key, view, width);
      if (this.hm) this.showHeatmap({ ...this.hm, background_status: "capturing", background_error: null });
      else this.poll();
    } catch (e) {
      this.notices.add("error", `Could not start a capture: ${(e as Error).message}`);
    } finally {
      this.toolbar.refreshBtn.disabled = false;
    }
  }

  // ----- the page picture and its heat ---------------------------------------------------

  private showHeatmap(hm: Heatmap): void {
    this.hm = hm;
    this.bgNews = null;
    const points = kindInfo(this.state.kind).mode === "points";
    this.renderNotices(hm);
    this.stage.show(hm, pageImage(gridImage(hm, points ? "points" : "bands"), hm, points));
    this.renderLegend(hm);
    this.chooser.update(hm.background, this.bgs, this.state.bg);
    mount(this.placementSlot, placementLine(hm, kindInfo(this.state.kind)));
    if (busy(hm.background_status)) this.poll();
    this.deadBtn.hidden = this.state.kind !== "click" || !!this.state.compare;
    if (this.state.dead && !this.deadBtn.hidden) void this.loadDead(hm);
  }

  private toggleDead(): void {
    this.state.dead = !this.state.dead;
    this.deadBtn.setAttribute("aria-pressed", String(this.state.dead));
    replaceQuery(toQuery(this.state));
    if (!this.state.dead) this.stage.deadSpots([]);
    else if (this.hm) void this.loadDead(this.hm);
  }

  /** The dead-click overlay: the dead map's hotspots on the click map's background. */
  private async loadDead(hm: Heatmap): Promise<void> {
    const seq = this.seq;
    const { key, view, width } = this.state;
    const dead = await api.heatmap(key, view, width, "dead", hm.background?.id ?? null, this.extra()).catch(() => null);
    if (!dead || this.signal.aborted || seq !== this.seq || this.hm !== hm || !this.state.dead) return;
    this.stage.deadSpots(dead.hotspots);
  }

  private renderLegend(hm: Heatmap): void {
    const points = kindInfo(this.state.kind).mode === "points";
    mount(
      this.legendSlot,
      legendFor(kindInfo(this.state.kind), hm),
      hm.not_visible.length ? notVisibleNote(hm, kindInfo(this.state.kind)) : null,
      points ? h("p", { class: "hint" }, `Drag a rectangle over the page to count the ${kindInfo(this.state.kind).many} inside it.`) : null,
    );
  }

  private renderNotices(hm: Heatmap): void {
    this.notices.forHeatmap(hm, { app: this.app, state: this.state, note: this.note, news: this.bgNews, recapture: () => void this.recapture() });
  }
}
