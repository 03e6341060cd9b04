// The heatmap page of one view: selectors and switches on top, the background chooser
// and placement line over the page picture with the heat canvas on it, and the insights
// panel. Every filter (the chosen background too) lives in the query string, so a reload
// or a copied link opens the same heatmap.

import { api, ApiError, exportLinks, palettes, type Action, type App, type Background, type Backgrounds, type BackgroundStatus, type Comparison, type Heatmap, type Insights, type Params, type Saved, type Share, type View } from "../api";
import { copyText, errorBox, fmtAgo, fmtInt, fmtPct, h, loading, mount, setVar } from "../dom";
import { confirmDialog, modal, promptName } from "../dialog";
import { describeRange, FilterBar, filterLabel, readScope, type Scope, scopeParams, writeScope } from "../filters";
import { drawHeat, drawMarks, drawPlaceholder, gridImage, nearest, pageImage, PALETTES, tableOf, usePalette, type Mark } from "../heat";
import { isKind, KINDS, kindInfo, type Kind } from "../kinds";
import { topbar } from "../layout";
import { appUrl, heatmapUrl, navigate, redirect, replaceQuery, settingsUrl } from "../router";
import { actionPanel } from "./action";
import { BackgroundChooser, bgSource, placementLine } from "./backgrounds";
import { CompareBar, compareLegend, comparePanel, compareParams, type CompareState, readCompare, sideNames, writeCompare } from "./compare";
import { insightsPanel, legendFor, notVisibleNote } from "./insights";
import { scriptBlock } from "./views";

export const WIDTHS: [string, string][] = [
  ["desktop", "Desktop"],
  ["tablet", "Tablet"],
  ["mobile", "Mobile"],
];
const POLL_MS = 2000;

/** Background work the page waits for, polling the background list. */
const busy = (s: BackgroundStatus) => s === "capturing" || s === "rendering";

interface State {
  key: string;
  view: string;
  width: string;
  kind: Kind;
  opacity: number;
  /** A background id, or null for the view's default (its most common page state). */
  bg: string | null;
  /** Time range and filters, sent with every request. */
  scope: Scope;
  /** Compare mode's sides, or null outside compare mode. */
  compare: CompareState | null;
  /** The selector of the action whose detail the panel shows, or null for the list. */
  action: string | null;
  /** The colour table point maps are drawn with ("heat" or "colorblind"). */
  palette: string;
  /** The saved heatmap this page was opened from (its id), if any. */
  saved: string | null;
}

function readState(key: string, q: URLSearchParams): State {
  const op = Number.parseFloat(q.get("opacity") ?? "");
  const kind = q.get("kind");
  return {
    key,
    view: q.get("view") ?? "",
    width: q.get("width") || "desktop",
    kind: isKind(kind) ? kind : "click",
    opacity: Number.isFinite(op) ? Math.min(1, Math.max(0, op)) : 0.7,
    bg: q.get("bg") || null,
    scope: readScope(q),
    compare: readCompare(q),
    action: q.get("action") || null,
    palette: PALETTES.some(([p]) => p === q.get("palette")) ? (q.get("palette") as string) : "heat",
    saved: q.get("saved") || null,
  };
}

function toQuery(s: State): URLSearchParams {
  const q = new URLSearchParams({ view: s.view, width: s.width });
  if (s.kind !== "click") q.set("kind", s.kind);
  if (s.opacity !== 0.7) q.set("opacity", String(s.opacity));
  if (s.bg) q.set("bg", s.bg);
  writeScope(s.scope, q);
  writeCompare(s.compare, q);
  if (s.action && !s.compare) q.set("action", s.action);
  if (s.palette !== "heat") q.set("palette", s.palette);
  if (s.saved) q.set("saved", s.saved);
  return q;
}

/** What a saved heatmap or a share link keeps: the page's parameters, without the
 * saved id itself and the open action detail. */
export function keptParams(s: State): Record<string, string> {
  const q = toQuery(s);
  q.delete("saved");
  q.delete("action");
  return Object.fromEntries(q.entries());
}

/** "Desktop", "Mobile", "800–1200 px". */
export function widthLabel(width: string): string {
  return WIDTHS.find(([w]) => w === width)?.[1] ?? width.replace("-", "–") + " px";
}

/** The filters of a heatmap's parameters written out ("Browser: Chrome · Device: mobile"). */
export function describeFilters(params: Record<string, string>): string {
  const parts = Object.entries(readScope(new URLSearchParams(params)).filters).map(([k, v]) => `${filterLabel(k)}: ${v.split(",").join(", ")}`);
  return parts.length ? parts.join(" · ") : "no filters";
}

/** The range of a heatmap's parameters in words ("Last 7 days"). */
export function describeParamsRange(params: Record<string, string>): string {
  return describeRange(readScope(new URLSearchParams(params)));
}

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
  private savedSlot = h("div", { class: "saved-slot" });
  private savedItem: Saved | null = null;
  private paletteButtons: HTMLButtonElement[] = [];
  private exportPop = h("div", { class: "popover popover-right export-menu", role: "menu", hidden: true, "data-testid": "export-menu" });
  private exportBtn!: HTMLButtonElement;
  /** The server's colour tables, once fetched (null: the built-in ramp). */
  private tables: Promise<Record<string, Uint8ClampedArray | null> | null>;
  private notices = h("div", { class: "notices", "aria-live": "polite" });
  private scroller = h("div", { class: "page-scroll", "data-testid": "page-area" });
  private panel = h("aside", { class: "panel", "aria-label": "Insights" });
  private legendSlot = h("div", { class: "legend-slot" });
  private placementSlot = h("div", { class: "placement-slot" });
  private chooser: BackgroundChooser;
  /** The view's backgrounds at this width (null until listed, or when listing failed). */
  private bgs: Backgrounds | null = null;
  /** What polling the background list last said, when newer than the heatmap's word. */
  private bgNews: { status: BackgroundStatus; error: string | null } | null = null;
  /** A one-off explanation shown over the next heatmap (e.g. an unknown bg= in a link). */
  private note: string | null = null;
  private widthButtons: HTMLButtonElement[] = [];
  private customWidth!: HTMLElement;
  private kindButtons: HTMLButtonElement[] = [];
  private refreshBtn!: HTMLButtonElement;
  private hm: Heatmap | null = null;
  private ins: Insights | null = null;
  private big: HTMLCanvasElement | null = null;
  private heatCanvas: HTMLCanvasElement | null = null;
  private marksCanvas: HTMLCanvasElement | null = null;
  private guides: HTMLElement | null = null;
  private tooltip: HTMLElement | null = null;
  private pinned: Mark | null = null;
  private seq = 0;
  private timer = 0;
  private shownBg: string | null | undefined = undefined;
  private filterBar!: FilterBar;
  private compareSlot = h("div", { class: "compare-slot" });
  private compareBar: CompareBar | null = null;
  private compareBtn!: HTMLButtonElement;
  /** The diff shown in compare mode (instead of `hm`'s heat). */
  private cmp: Comparison | null = null;
  /** A rectangle being dragged over the page, or the last one counted (page px). */
  private drag: { x0: number; y0: number; x: number; y: number; w: number; h: number; done: boolean } | null = null;
  private areaSeq = 0;

  constructor(
    private root: HTMLElement,
    private app: App,
    private apps: App[],
    private views: View[],
    private state: State,
    private signal: AbortSignal,
  ) {
    signal.addEventListener("abort", () => window.clearTimeout(this.timer));
    this.chooser = new BackgroundChooser((id) => this.chooseBackground(id), signal);
    this.tables = palettes()
      .then((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tableOf(v)])))
      .catch(() => null);
    document.addEventListener(
      "click",
      (ev) => {
        if (!this.exportPop.hidden && !(ev.target as Element).closest(".export-anchor")) this.closeExport();
      },
      { signal },
    );
    document.addEventListener(
      "keydown",
      (ev) => {
        if (ev.key === "Escape" && !this.exportPop.hidden) {
          this.closeExport();
          this.exportBtn.focus();
        }
      },
      { signal },
    );
  }

  start(): void {
    this.compareBtn = h(
      "button",
      { type: "button", class: "btn btn-small", "data-testid": "compare-toggle", "aria-pressed": String(!!this.state.compare), title: "Compare two periods or two segments of this view", on: { click: () => this.toggleCompare() } },
      "Compare",
    );
    this.filterBar = new FilterBar(this.state.scope, { change: () => this.rescope(), values: (name) => this.filterValues(name) }, this.compareBtn);
    const toolbar = this.toolbar();
    this.syncCompare();
    mount(this.stageCol, this.progress, h("div", { class: "bg-bar", "data-testid": "bg-bar" }, this.chooser.el, this.placementSlot), this.notices, this.scroller);
    mount(
      this.root,
      topbar([{ label: "Applications", href: "/" }, { label: this.app.name, href: appUrl(this.app.key) }, { label: "Heatmap" }]),
      toolbar,
      this.filterBar.el,
      this.compareSlot,
      h("div", { class: "heat-layout" }, this.stageCol, this.panel),
    );
    void this.loadSaved();
    void this.load();
  }

  // ----- saved heatmaps, share links, exports -----------------------------------------

  /** Opened from a saved heatmap (saved= in the URL): find its name. */
  private async loadSaved(): Promise<void> {
    const id = this.state.saved;
    if (!id) return this.renderSaved();
    try {
      const list = await api.saved(this.app.key);
      if (this.signal.aborted) return;
      this.savedItem = list.find((s) => s.id === id) ?? null;
      if (!this.savedItem) {
        // Deleted since the link was made: the heatmap stays, the link to it goes.
        this.state.saved = null;
        replaceQuery(toQuery(this.state));
      }
    } catch {
      this.savedItem = null;
    }
    this.renderSaved();
  }

  private renderSaved(): void {
    const s = this.savedItem;
    mount(
      this.savedSlot,
      s
        ? h(
            "span",
            { class: "saved-name", "data-testid": "saved-name", title: `Saved by ${s.created_by}, updated ${fmtAgo(s.updated)}` },
            h("span", { class: "saved-star", "aria-hidden": "true" }, "★"),
            s.name,
          )
        : null,
    );
    if (this.saveBtn) this.saveBtn.textContent = s ? "Save…" : "Save";
    document.title = `${s ? `${s.name} · ` : ""}${this.state.view} · ${this.app.name} · pageheat`;
  }

  private saveBtn: HTMLButtonElement | null = null;

  private defaultName(): string {
    return `${this.state.view} · ${widthLabel(this.state.width)} · ${kindInfo(this.state.kind).label}`;
  }

  /** What a saved heatmap or a share link of this page will show, in words. */
  private summary(): HTMLElement {
    const p = keptParams(this.state);
    return h(
      "dl",
      { class: "facts facts-compact" },
      h("dt", null, "View"),
      h("dd", null, this.state.view),
      h("dt", null, "Type · width"),
      h("dd", null, `${kindInfo(this.state.kind).label} · ${widthLabel(this.state.width)}`),
      h("dt", null, "Range"),
      h("dd", null, describeParamsRange(p)),
      h("dt", null, "Filters"),
      h("dd", null, describeFilters(p)),
    );
  }

  private openSave(): void {
    const key = this.app.key;
    const s = this.savedItem;
    const done = (saved: Saved) => {
      this.savedItem = saved;
      this.state.saved = saved.id;
      replaceQuery(toQuery(this.state));
      this.renderSaved();
      return null;
    };
    const buttons = s
      ? [
          { label: "Save as new", testid: "save-new", run: async (name: string) => done(await api.save(key, name, keptParams(this.state))) },
          { label: "Save changes", primary: true, testid: "save-changes", run: async (name: string) => done(await api.updateSaved(key, s.id, { name, params: keptParams(this.state) })) },
        ]
      : [{ label: "Save", primary: true, testid: "save-confirm", run: async (name: string) => done(await api.save(key, name, keptParams(this.state))) }];
    promptName(
      s ? `Save "${s.name}"` : "Save this heatmap",
      "Name",
      s ? s.name : this.defaultName(),
      buttons,
      h("div", null, h("p", { class: "muted" }, s ? "Keep this heatmap's current settings under its name (or a new one), or save them as a new heatmap." : "It appears on the home page with these settings, for everyone who can read this app:"), this.summary()),
    );
  }

  private openShare(): void {
    const key = this.app.key;
    const expiry = h(
      "select",
      { id: "share-expiry", "data-testid": "share-expiry" },
      h("option", { value: "" }, "Never"),
      h("option", { value: "1" }, "In 1 day"),
      h("option", { value: "7", selected: true }, "In 7 days"),
      h("option", { value: "30" }, "In 30 days"),
    );
    const name = h("input", { id: "share-name", type: "text", maxlength: "200", autocomplete: "off", value: this.savedItem?.name ?? this.defaultName() });
    const result = h("div", { class: "share-result" });
    const list = h("div", { class: "share-list" }, loading("Loading this app's links…"));
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const create = h("button", { class: "btn btn-primary", type: "submit", "data-testid": "share-create" }, "Create link");
    const loadList = async () => {
      try {
        mount(list, shareList(await api.shares(key), key, loadList));
      } catch (e) {
        mount(list, errorBox((e as Error).message, loadList));
      }
    };
    const form = h(
      "form",
      {
        class: "form dialog-form",
        on: {
          submit: async (ev: Event) => {
            ev.preventDefault();
            error.hidden = true;
            create.disabled = true;
            try {
              const sh = await api.createShare(key, keptParams(this.state), name.value.trim() || null, expiry.value ? Number(expiry.value) : null);
              mount(result, linkBlock(new URL(sh.url, location.href).href, "share-url", sh.expires ? `Expires ${sh.expires.slice(0, 10)}.` : "Never expires (revoke it below when done)."));
              void loadList();
            } catch (e) {
              error.textContent = (e as Error).message;
              error.hidden = false;
            } finally {
              create.disabled = false;
            }
          },
        },
      },
      h("p", { class: "muted" }, "Anyone with the link sees this one heatmap, read-only and without signing in: no other view, app, action detail or session."),
      this.summary(),
      h("div", { class: "form-grid" }, h("div", null, h("label", { for: "share-name" }, "Name"), name), h("div", null, h("label", { for: "share-expiry" }, "Link expires"), expiry)),
      error,
      h("div", { class: "dialog-actions" }, create),
      result,
    );
    modal("Share a read-only link", [form, h("h3", { class: "dialog-section" }, "Links to this app"), list], "share-dialog");
    void loadList();
  }

  /** The API parameters of what is shown: the export files are made of exactly these. */
  private apiParams(): Params {
    const { view, width, kind, bg } = this.state;
    return { ...this.extra(), view, width, kind, background: bg ?? undefined };
  }

  private toggleExport(): void {
    if (!this.exportPop.hidden) return this.closeExport();
    const links = exportLinks(this.app.key, this.apiParams());
    const png = `${links.png}${links.png.includes("?") ? "&" : "?"}palette=${encodeURIComponent(this.state.palette)}`;
    const item = (href: string, kind: string, label: string, sub: string) =>
      h("a", { class: "menu-item menu-item-stack", role: "menuitem", href, download: "", "data-export": kind, on: { click: () => this.closeExport() } }, h("strong", null, label), h("span", { class: "muted small" }, sub));
    mount(
      this.exportPop,
      h("p", { class: "popover-title" }, "Export this heatmap"),
      item(png, "png", "PNG image", "The heat on its background, with the legend and the filters written on it"),
      item(links.actions, "actions", "Top actions (CSV)", "Rank, element, clicks, share, visitors, frustration"),
      item(links.grid, "grid", "Heat grid (CSV)", "Each cell's value, in page pixels"),
      h("p", { class: "hint" }, "JSON: the same parameters on ", h("code", { class: "mono" }, "/api/v1/apps/…/heatmap"), "."),
    );
    this.exportPop.hidden = false;
    this.exportBtn.setAttribute("aria-expanded", "true");
  }

  private closeExport(): void {
    this.exportPop.hidden = true;
    this.exportBtn.setAttribute("aria-expanded", "false");
  }

  /** Point maps in another palette: the same heat recoloured, the legend with it. */
  private async choosePalette(name: string): Promise<void> {
    if (this.state.palette === name) return;
    this.state.palette = name;
    for (const b of this.paletteButtons) b.setAttribute("aria-pressed", String(b.dataset.palette === name));
    replaceQuery(toQuery(this.state));
    await this.applyPalette();
    const hm = this.hm;
    if (!hm || this.cmp || kindInfo(this.state.kind).mode !== "points") return;
    this.big = pageImage(gridImage(hm, "points"), hm, true);
    this.paintHeat();
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
            this.state.bg = null; // backgrounds belong to one view
            this.pushState();
            void this.load();
          },
        },
      },
      names.map((n) => h("option", { value: n, selected: n === this.state.view }, n)),
    );
    const setWidth = (value: string) => {
      if (this.state.width === value) return;
      this.state.width = value;
      this.state.bg = null; // and to one width range
      this.syncWidth();
      this.pushState();
      void this.load();
    };
    this.widthButtons = [...WIDTHS, ["custom", "Custom"]].map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          class: "seg",
          "data-width": value,
          "aria-pressed": String(value === this.state.width),
          title: value === "custom" ? "Any range of viewport widths, in CSS px" : undefined,
          on: {
            click: () => {
              if (value !== "custom") setWidth(value);
              else this.customWidth.hidden = false;
              if (value === "custom") this.syncWidth(true);
            },
          },
        },
        label,
      ),
    );
    const [lo, hi] = /^\d+-\d+$/.test(this.state.width) ? this.state.width.split("-") : ["", ""];
    const minIn = h("input", { type: "number", min: "0", max: "10000", step: "1", value: lo, placeholder: "min", "aria-label": "Narrowest viewport (px)", "data-testid": "width-min" });
    const maxIn = h("input", { type: "number", min: "0", max: "10000", step: "1", value: hi, placeholder: "max", "aria-label": "Widest viewport (px)", "data-testid": "width-max" });
    const applyWidth = () => {
      const a = Math.round(Number(minIn.value));
      const b = Math.round(Number(maxIn.value));
      if (!minIn.value || !maxIn.value || !Number.isFinite(a) || !Number.isFinite(b)) return;
      setWidth(`${Math.min(a, b)}-${Math.max(a, b)}`);
    };
    for (const el of [minIn, maxIn]) el.addEventListener("change", applyWidth);
    this.customWidth = h("span", { class: "width-custom", hidden: !lo }, minIn, h("span", { class: "muted" }, "–"), maxIn, h("span", { class: "muted small" }, "px"));
    this.kindButtons = KINDS.map((k) =>
      h(
        "button",
        {
          type: "button",
          class: "seg",
          "data-kind": k.value,
          "aria-pressed": String(k.value === this.state.kind),
          title: `Show ${k.counted}`,
          on: {
            click: () => {
              if (this.state.kind === k.value) return;
              this.state.kind = k.value;
              this.syncKind();
              this.pushState();
              void this.loadKind();
            },
          },
        },
        k.label,
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
    this.paletteButtons = PALETTES.map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          class: "seg",
          "data-palette": value,
          "aria-pressed": String(value === this.state.palette),
          title: value === "colorblind" ? "Dark blue to yellow: readable with every common colour vision deficiency" : "Blue through green and yellow to red",
          on: { click: () => void this.choosePalette(value) },
        },
        label,
      ),
    );
    this.saveBtn = h("button", { class: "btn", type: "button", "data-testid": "save", title: "Save this heatmap with its range and filters under a name", on: { click: () => this.openSave() } }, this.state.saved ? "Save…" : "Save");
    const shareBtn = h("button", { class: "btn", type: "button", "data-testid": "share", title: "A read-only link to this heatmap that opens without signing in", on: { click: () => this.openShare() } }, "Share");
    this.exportBtn = h("button", { class: "btn", type: "button", "data-testid": "export", "aria-haspopup": "menu", "aria-expanded": "false", on: { click: () => this.toggleExport() } }, "Export", h("span", { class: "bg-caret", "aria-hidden": "true" }));
    this.refreshBtn = h(
      "button",
      { class: "btn", type: "button", title: "Take a new screenshot of the live page (snapshots of visitors' page states arrive by themselves)", on: { click: () => void this.recapture() } },
      "Refresh background",
    );
    return h(
      "div",
      { class: "toolbar" },
      h("label", { class: "field" }, h("span", { class: "field-label" }, "App"), appSelect),
      h("label", { class: "field field-grow" }, h("span", { class: "field-label" }, "View"), viewSelect),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "kind-label" }, "Type"), h("div", { class: "segmented", role: "group", "aria-labelledby": "kind-label", "data-testid": "kind-switch" }, this.kindButtons)),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "width-label" }, "Width"), h("div", { class: "width-row" }, h("div", { class: "segmented", role: "group", "aria-labelledby": "width-label" }, this.widthButtons), this.customWidth)),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "opacity" }, "Opacity"), h("div", { class: "opacity" }, opacity, opacityOut)),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "palette-label" }, "Colours"), h("div", { class: "segmented", role: "group", "aria-labelledby": "palette-label", "data-testid": "palette-switch" }, this.paletteButtons)),
      h(
        "div",
        { class: "toolbar-end" },
        this.savedSlot,
        this.saveBtn,
        shareBtn,
        h("div", { class: "popover-anchor export-anchor" }, this.exportBtn, this.exportPop),
        this.refreshBtn,
        h("a", { class: "btn btn-ghost", href: settingsUrl(this.app.key), title: "Script tag, origins, sampling, privacy, retention" }, "Settings"),
      ),
    );
  }

  /** Time range, filters, the compare sides: what every request carries besides its own. */
  private extra(): Params {
    return scopeParams(this.state.scope);
  }

  private filterValues(name: string) {
    return api.filterValues(this.state.key, name, this.state.view, this.state.width, this.extra());
  }

  /** The range or the filters changed: everything is counted again. */
  private rescope(): void {
    this.compareBar?.rescope(this.state.scope);
    this.pushState();
    this.updating();
    void this.load(true);
  }

  /** While a quiet reload runs, what is shown stays and a spinner says it is being redone. */
  private updating(): void {
    if (!this.hm) return;
    mount(this.notices);
    this.notice("info", "Counting again for the new range and filters…").dataset.testid = "updating";
  }

  private toggleCompare(): void {
    this.state.compare = this.state.compare ? null : { mode: "period", aFrom: "", aTo: "", seg: "device", segA: "", segB: "" };
    if (this.state.compare && kindInfo(this.state.kind).mode !== "points") {
      this.state.kind = "click"; // a diff is of point maps
      this.syncKind();
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
        })
      : null;
    mount(this.compareSlot, this.compareBar?.el ?? null);
    for (const b of this.kindButtons) {
      const band = kindInfo(b.dataset.kind as Kind).mode !== "points";
      b.disabled = !!c && band;
      b.title = b.disabled ? "Compare draws point maps (clicks, moves, frustration)" : `Show ${kindInfo(b.dataset.kind as Kind).counted}`;
    }
    this.syncKind();
  }

  /** Press the button of the width shown; `custom`: the custom inputs are being edited. */
  private syncWidth(custom = false): void {
    const isCustom = custom || /^\d+-\d+$/.test(this.state.width);
    for (const b of this.widthButtons) b.setAttribute("aria-pressed", String(b.dataset.width === "custom" ? isCustom : !isCustom && b.dataset.width === this.state.width));
    this.customWidth.hidden = !isCustom;
  }

  private syncKind(): void {
    for (const b of this.kindButtons) b.setAttribute("aria-pressed", String(b.dataset.kind === this.state.kind));
    // The palettes colour point maps; scroll and attention bands and compare's diff keep
    // their own scales.
    const own = kindInfo(this.state.kind).mode !== "points" || !!this.state.compare;
    for (const b of this.paletteButtons) {
      b.disabled = own;
      b.title = own ? "Scroll, attention and compare maps keep their own colour scale" : b.dataset.palette === "colorblind" ? "Dark blue to yellow: readable with every common colour vision deficiency" : "Blue through green and yellow to red";
    }
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
      this.notice("error", `Could not open that app: ${(e as Error).message}`);
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
      mount(this.notices);
      mount(this.placementSlot);
      this.chooser.loading();
      this.clearStage(delayed(loading("Loading heatmap…")));
      mount(this.panel, delayed(loading("Loading insights…")));
    }
    if (this.state.compare) {
      await this.loadCompare(seq);
      return;
    }
    this.cmp = null;
    const extra = this.extra();
    const [hm, ins, bgs] = await Promise.allSettled([
      api.heatmap(key, view, width, kind, bg, extra),
      api.insights(key, view, width, bg, extra),
      api.backgrounds(key, view, width, extra),
      this.applyPalette(),
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
      this.clearStage(errorBox(`The heatmap could not be loaded: ${(hm.reason as Error).message}`, () => void this.load()));
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
    mount(this.panel, insightsPanel(this.ins, this.legendSlot, { hover: (a) => this.hoverAction(a), locate: (a) => this.locate(a), open: (a) => void this.openAction(a.selector) }));
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
            this.pinned = null;
            this.paintMarks(null);
            this.showInsights();
          },
          placed ? () => this.locate(placed) : null,
        ),
      );
      if (placed) {
        this.pinned = this.markOf(placed);
        this.paintMarks(null);
      }
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
      mount(this.notices);
      this.notice("muted", params).dataset.testid = "compare-empty";
      this.chooser.update(this.hm?.background ?? null, this.bgs, this.state.bg);
      this.clearStage();
      mount(this.panel, h("div", { class: "panel-inner" }, h("h2", { class: "panel-title" }, "Comparison"), h("p", { class: "muted" }, params)));
      return;
    }
    let cmp: Comparison;
    try {
      cmp = await api.compare(key, view, width, kind, bg, params);
    } catch (e) {
      if (this.signal.aborted || seq !== this.seq) return;
      mount(this.notices);
      this.clearStage(errorBox(`The comparison could not be loaded: ${(e as Error).message}`, () => void this.load()));
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
    this.pinned = null;
    this.drag = null;
    this.big = pageImage(gridImage(cmp, "diverging"), cmp, true);
    mount(this.notices);
    if (cmp.warning) this.notice("warn", cmp.warning);
    const bgKey = cmp.background ? cmp.background.id : null;
    if (this.shownBg !== bgKey || !this.heatCanvas || this.heatCanvas.width !== cmp.width || this.heatCanvas.height !== cmp.height) {
      this.buildStage(asHeat);
      this.shownBg = bgKey;
    }
    this.paintHeat();
    this.paintMarks(null);
    if (this.guides) mount(this.guides);
    this.chooser.update(cmp.background, this.bgs, this.state.bg);
    mount(this.placementSlot);
    mount(this.panel, comparePanel(cmp, names, compareLegend(cmp, names, info.many), info.many));
  }

  /** Draw over another page state (null: the default); kept in the URL as bg=. */
  private chooseBackground(id: string | null): void {
    if (this.state.bg === id) return;
    this.state.bg = id;
    this.pushState();
    mount(this.notices);
    this.notice("info", "Loading the heatmap over the chosen background…");
    void this.load(true);
  }

  /** Another heatmap type of the same view: the picture and the insights stay. */
  private async loadKind(): Promise<void> {
    const seq = ++this.seq;
    window.clearTimeout(this.timer);
    const { key, view, width, kind, bg } = this.state;
    if (!this.heatCanvas || this.state.compare) {
      void this.load(true);
      return;
    }
    mount(this.notices);
    this.notice("info", `Loading the ${kindInfo(kind).label.toLowerCase()} map…`);
    this.setBusy(true);
    try {
      const hm = await api.heatmap(key, view, width, kind, bg, this.extra());
      if (this.signal.aborted || seq !== this.seq) return;
      this.showHeatmap(hm);
    } catch (e) {
      if (this.signal.aborted || seq !== this.seq) return;
      mount(this.notices);
      this.notice("error", `The ${kindInfo(kind).label.toLowerCase()} map could not be loaded: ${(e as Error).message}`);
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
    this.bgNews = null;
    this.pinned = null;
    this.drag = null;
    const points = kindInfo(this.state.kind).mode === "points";
    this.big = pageImage(gridImage(hm, points ? "points" : "bands"), hm, points);
    this.renderNotices(hm);
    const bgKey = hm.background ? hm.background.id : null;
    if (this.shownBg !== bgKey || !this.heatCanvas || this.heatCanvas.width !== hm.width || this.heatCanvas.height !== hm.height) {
      this.buildStage(hm);
      this.shownBg = bgKey;
    }
    this.paintHeat();
    this.paintMarks(null);
    this.renderGuides(hm);
    this.renderLegend(hm);
    this.chooser.update(hm.background, this.bgs, this.state.bg);
    mount(this.placementSlot, placementLine(hm, kindInfo(this.state.kind)));
    if (busy(hm.background_status)) this.poll();
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

  private buildStage(hm: Heatmap): void {
    const { scrollTop, scrollLeft } = this.scroller;
    let base: HTMLElement;
    if (hm.background) {
      base = h("img", {
        class: "stage-bg",
        src: hm.background.url,
        width: String(hm.width),
        height: String(hm.height),
        alt: `Picture of ${this.state.view} at ${this.state.width} width (${hm.background.source === "snapshot" ? "a page state from a visitor's snapshot" : "the live page"})`,
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
    this.tooltip = h("div", { class: "tip", role: "tooltip", hidden: true });
    const stage = h(
      "div",
      {
        class: "stage",
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
    );
    mount(this.scroller, stage);
    this.scroller.scrollTop = scrollTop;
    this.scroller.scrollLeft = scrollLeft;
  }

  /**
   * Put something else where the stage was (a spinner, an error, nothing) and forget the
   * stage, so the next heatmap or diff builds a new one: a quiet load keeps a stage whose
   * background and size match, and one kept after it left the page is never seen again.
   */
  private clearStage(...content: HTMLElement[]): void {
    this.shownBg = undefined;
    this.heatCanvas = null;
    this.marksCanvas = null;
    this.guides = null;
    this.tooltip = null;
    mount(this.scroller, ...content);
  }

  private paintHeat(): void {
    if (this.heatCanvas && this.big) drawHeat(this.heatCanvas, this.big, this.state.opacity);
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
    if (this.state.kind !== "scroll" || !sc || hm.total === 0) return;
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
    const hm = this.hm;
    const info = kindInfo(this.state.kind);
    if (info.mode !== "points") {
      const frac = Math.min(1, Math.max(0, y / Math.max(1, hm.height)));
      let body: HTMLElement[] | null = null;
      if (info.mode === "scroll" && hm.scroll && hm.scroll.reach.length && hm.total > 0) {
        const reach = hm.scroll.reach;
        const pct = Math.min(reach.length - 1, Math.round(frac * (reach.length - 1)));
        body = [
          h("strong", null, `${fmtPct(reach[pct], 0)} of page views`),
          h("span", null, " reached this depth"),
          h("span", { class: "tip-sub" }, `${pct} % down the page`),
        ];
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
    if (this.cmp) {
      this.hoverDiff(x, y);
      return;
    }
    const el = this.elementAt(x, y);
    if (el) {
      const rect = el.rect as [number, number, number, number];
      mount(
        tip,
        h("strong", null, el.name),
        h("span", { class: "tip-sub" }, `${fmtInt(el.count)} ${el.count === 1 ? "click" : "clicks"} · ${fmtPct(el.share)} of this page's clicks`),
        h("code", { class: "mono tip-sel" }, el.selector),
      );
      tip.dataset.testid = "element-tip";
      this.placeTip(Math.min(rect[0] + rect[2], x + 12), y);
      this.paintMarks({ x: rect[0] + rect[2] / 2, y: rect[1] + rect[3] / 2, rect });
      return;
    }
    delete tip.dataset.testid;
    const spot = nearest(hm.hotspots, x, y, 30);
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
  private elementAt(x: number, y: number): (Action & { rect: [number, number, number, number] }) | null {
    if (this.state.kind !== "click" || !this.ins) return null;
    let best: (Action & { rect: [number, number, number, number] }) | null = null;
    for (const e of this.ins.top_elements as (Action & { rect?: [number, number, number, number] | null })[]) {
      const r = e.rect;
      if (!r || e.visible === false || r[2] <= 0 || r[3] <= 0) continue;
      if (x < r[0] || y < r[1] || x > r[0] + r[2] || y > r[1] + r[3]) continue;
      if (!best || r[2] * r[3] < best.rect[2] * best.rect[3]) best = e as Action & { rect: [number, number, number, number] };
    }
    return best;
  }

  /** Compare mode: the change under the pointer, per 1 000 page views. */
  private hoverDiff(x: number, y: number): void {
    const c = this.cmp;
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
    const info = kindInfo(this.state.kind);
    mount(tip, h("strong", null, `${per > 0 ? "+" : "−"}${Math.abs(per).toFixed(1)} ${info.many}`), h("span", null, " per 1 000 page views"), h("span", { class: "tip-sub" }, per > 0 ? "more in B than in A" : "fewer in B than in A"));
    tip.dataset.testid = "diff-tip";
    this.placeTip(x, y);
    this.paintMarks(null);
  }

  // ----- area: drag a rectangle, read how many points it holds -------------------------

  private pagePoint(ev: MouseEvent): [number, number] | null {
    if (!this.heatCanvas) return null;
    const r = this.heatCanvas.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  }

  private dragStart(ev: MouseEvent): void {
    if (ev.button !== 0 || this.cmp || kindInfo(this.state.kind).mode !== "points") return;
    const p = this.pagePoint(ev);
    if (!p) return;
    ev.preventDefault();
    this.areaSeq++;
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
    if (d.w < 6 || d.h < 6) {
      this.clearArea(); // a plain click: no area, and the one counted before is gone
      return;
    }
    d.done = true;
    void this.countArea(d);
  }

  private clearArea(): void {
    this.drag = null;
    this.areaSeq++;
    if (this.tooltip) this.tooltip.hidden = true;
    this.paintMarks(null);
  }

  private async countArea(d: { x: number; y: number; w: number; h: number }): Promise<void> {
    const seq = ++this.areaSeq;
    const tip = this.tooltip;
    if (!tip) return;
    const info = kindInfo(this.state.kind);
    mount(tip, h("span", { class: "spinner" }), h("span", null, " Counting…"));
    tip.dataset.testid = "area-tip";
    this.placeTip(d.x + d.w, d.y);
    const { key, view, width, kind, bg } = this.state;
    try {
      const n = await api.area(key, view, width, kind, this.hm?.background?.id ?? bg, d, this.extra());
      if (seq !== this.areaSeq || this.signal.aborted) return;
      mount(
        tip,
        h("strong", { "data-count": String(n.count) }, `${fmtInt(n.count)} ${n.count === 1 ? info.one : info.many}`),
        h("span", null, ` in this area · ${fmtPct(n.share)} of ${fmtInt(n.total)}`),
        h("span", { class: "tip-sub" }, `${Math.round(d.w)} × ${Math.round(d.h)} px · click to clear`),
      );
    } catch (e) {
      if (seq === this.areaSeq) mount(tip, h("span", null, `Could not count this area: ${(e as Error).message}`));
    }
  }

  private placeTip(x: number, y: number): void {
    if (!this.tooltip || !this.hm) return;
    const tip = this.tooltip;
    setVar(tip, "--x", `${Math.round(x)}px`);
    setVar(tip, "--y", `${Math.round(y)}px`);
    tip.classList.toggle("tip-left", x > this.hm.width - 300);
    tip.hidden = false;
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

  private notice(kind: "info" | "ok" | "warn" | "error" | "muted", text: string, ...extra: (HTMLElement | null)[]): HTMLElement {
    const el = h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, kind === "info" && extra.length === 0 ? h("span", { class: "spinner" }) : null, h("span", null, text), ...extra);
    this.notices.appendChild(el);
    return el;
  }

  /** The empty state while a view has no background: why, and what happens next. */
  private noBackground(status: BackgroundStatus, error: string | null, capture: (label: string) => HTMLElement): HTMLElement {
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
      next =
        "One is on its way: the next visitor whose browser runs the tracker sends a snapshot of the page state they see, or pageheat takes a screenshot of the live page.";
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

  private renderNotices(hm: Heatmap): void {
    mount(this.notices);
    if (this.note) this.notice("muted", this.note).dataset.testid = "bg-note";
    const { status, error } = this.bgNews ?? { status: hm.background_status, error: hm.background_error };
    const capture = (label: string) =>
      h("button", { class: "btn btn-small", type: "button", "data-testid": "bg-capture", on: { click: () => void this.recapture() } }, label);
    if (hm.background === null) {
      this.notices.appendChild(this.noBackground(status, error, capture));
    } else if (status === "capturing") {
      this.notice("info", "Taking a fresh screenshot of the live page…");
    } else if (status === "rendering") {
      this.notice("info", "Rendering a new page state from a visitor's snapshot…");
    } else if (status === "failed") {
      this.notice("error", `A fresh screenshot of the live page failed: ${error || "unknown reason"}. The heat stays drawn over the background below.`, capture("Retry"));
    }
    if (hm.total === 0 && !hm.sessions && !this.app.last_event) {
      // Nothing has ever arrived: the tag is not on the site yet.
      this.notices.appendChild(
        h(
          "div",
          { class: "notice notice-muted tracker-missing", role: "status", "data-testid": "tracker-not-seen" },
          h(
            "div",
            { class: "bg-empty-text" },
            h("strong", { class: "bg-empty-title" }, "Tracker not seen yet"),
            h("span", null, "No event has arrived from this app. Paste its tag just before ", h("code", { class: "mono" }, "</head>"), " on every page to measure, on an allowed origin; the heatmap fills in as visitors click."),
            scriptBlock(this.app.script_tag),
          ),
        ),
      );
    } else if (hm.total === 0) {
      const info = kindInfo(this.state.kind);
      const others = WIDTHS.filter(([w]) => w !== this.state.width);
      const frustration = info.value === "rage" || info.value === "dead" || info.value === "error";
      const why = frustration && !hm.sessions ? "No page views in this width class yet, so no frustration to show." : info.empty;
      const el = this.notice(
        frustration && hm.sessions ? "ok" : "muted",
        why,
        frustration && hm.sessions ? null : h(
          "span",
          { class: "notice-links" },
          " Try ",
          others.map(([w, label], i) => [
            i > 0 ? " or " : "",
            h("a", { href: heatmapUrl(this.state.key, this.state.view, w, this.state.opacity !== 0.7 ? String(this.state.opacity) : undefined, this.state.kind) }, label),
          ]),
          ".",
        ),
      );
      el.dataset.testid = "kind-empty";
    }
    // With nothing drawn, the empty state above says it all.
    if (hm.warning && hm.total > 0) this.notices.appendChild(notEnoughData(hm, kindInfo(this.state.kind).label.toLowerCase()));
  }
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

/** A link with a copy button (select-all when the clipboard is out of reach). */
export function linkBlock(url: string, testid: string, note?: string): HTMLElement {
  const status = h("span", { class: "copy-status", role: "status" });
  const input = h("input", { type: "text", readonly: true, value: url, class: "mono link-input", "data-testid": testid, "aria-label": "Link" });
  return h(
    "div",
    { class: "link-block" },
    h(
      "div",
      { class: "link-row" },
      input,
      h(
        "button",
        {
          class: "btn",
          type: "button",
          on: {
            click: async () => {
              const ok = await copyText(url);
              if (!ok) input.select();
              status.textContent = ok ? "Copied" : "Selected: press Ctrl+C to copy";
            },
          },
        },
        "Copy",
      ),
    ),
    h("p", { class: "hint" }, note ?? "", " ", status),
  );
}

/** This app's share links: where each points, when it expires, revoke. */
function shareList(shares: Share[], key: string, reload: () => void): HTMLElement {
  if (shares.length === 0) return h("p", { class: "muted small", "data-testid": "shares-empty" }, "No links yet.");
  return h(
    "table",
    { class: "table compact", "data-testid": "shares" },
    h("thead", null, h("tr", null, h("th", null, "Link"), h("th", null, "View"), h("th", null, "Expires"), h("th", null, ""))),
    h(
      "tbody",
      null,
      shares.map((sh) => {
        const expired = sh.expires !== null && Date.parse(sh.expires) < Date.now();
        const state = sh.revoked ? "revoked" : expired ? "expired" : "active";
        const revoke = h(
          "button",
          {
            class: "btn btn-small btn-danger-ghost",
            type: "button",
            "data-testid": "share-revoke",
            disabled: state !== "active",
            on: {
              click: async () => {
                if (!(await confirmDialog("Revoke this link?", "Whoever has it sees a \"revoked\" page from now on.", "Revoke"))) return;
                revoke.disabled = true;
                try {
                  await api.revokeShare(key, sh.id);
                } catch (e) {
                  revoke.title = (e as Error).message;
                }
                reload();
              },
            },
          },
          state === "active" ? "Revoke" : state,
        );
        return h(
          "tr",
          { "data-share": sh.id, "data-state": state },
          h("td", null, state === "active" ? h("a", { href: sh.url, target: "_blank", rel: "noopener" }, sh.name || "Link") : h("span", { class: "muted" }, sh.name || "Link"), h("div", { class: "sub" }, `created ${fmtAgo(sh.created)}`)),
          h("td", null, h("code", { class: "mono" }, sh.params.view ?? "")),
          h("td", null, sh.expires ? sh.expires.slice(0, 10) : "never"),
          h("td", { class: "num" }, revoke),
        );
      }),
    ),
  );
}
