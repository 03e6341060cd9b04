// The heatmap page's toolbar: app, view, heatmap type, width class (or a custom min–max),
// opacity, colours, and the Save / Share / Export / Refresh buttons. It shows the page's
// state and hands every choice to the page, which changes the state and loads.

import type { App, View } from "../api";
import { fmtPct, h } from "../dom";
import { PALETTES } from "../heat";
import { KINDS, kindInfo, type Kind } from "../kinds";
import { outcomesUrl, settingsUrl } from "../router";
import { type State, WIDTHS } from "./heatstate";
import type { SaveShare } from "./save-share";

export interface ToolbarHooks {
  app(key: string): void;
  view(name: string): void;
  width(value: string): void;
  kind(kind: Kind): void;
  /** While the slider moves: the heat is repainted, nothing is fetched. */
  opacity(value: number): void;
  palette(name: string): void;
  scale(scale: "relative" | "absolute"): void;
  recapture(): void;
}

const PALETTE_TITLE: Record<string, string> = {
  colorblind: "Dark blue to yellow: readable with every common colour vision deficiency",
};
const paletteTitle = (name: string) => PALETTE_TITLE[name] ?? "Blue through green and yellow to red";

export class Toolbar {
  readonly el: HTMLElement;
  readonly refreshBtn: HTMLButtonElement;
  private widthButtons: HTMLButtonElement[];
  private customWidth: HTMLElement;
  private kindButtons: HTMLButtonElement[];
  private paletteButtons: HTMLButtonElement[];
  private scaleButtons: HTMLButtonElement[];

  constructor(app: App, apps: App[], views: View[], private state: State, keep: SaveShare, hooks: ToolbarHooks) {
    const appSelect = h(
      "select",
      { id: "app-select", "aria-label": "Application", on: { change: () => hooks.app(appSelect.value) } },
      apps.map((a) => h("option", { value: a.key, selected: a.key === app.key }, a.name)),
    );
    const names = views.map((v) => v.name);
    if (!names.includes(state.view)) names.unshift(state.view);
    const viewSelect = h(
      "select",
      { id: "view-select", "aria-label": "View", on: { change: () => hooks.view(viewSelect.value) } },
      names.map((n) => h("option", { value: n, selected: n === state.view }, n)),
    );
    const setWidth = (value: string) => {
      if (this.state.width !== value) hooks.width(value);
    };
    this.widthButtons = [...WIDTHS, ["custom", "Custom"]].map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          class: "seg",
          "data-width": value,
          "aria-pressed": String(value === state.width),
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
    const [lo, hi] = /^\d+-\d+$/.test(state.width) ? state.width.split("-") : ["", ""];
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
          "aria-pressed": String(k.value === state.kind),
          title: `Show ${k.counted}`,
          on: { click: () => this.state.kind !== k.value && hooks.kind(k.value) },
        },
        k.label,
      ),
    );
    const opacityOut = h("output", { class: "opacity-value", for: "opacity" }, fmtPct(state.opacity, 0));
    const opacity = h("input", {
      id: "opacity",
      type: "range",
      min: "0",
      max: "1",
      step: "0.05",
      value: String(state.opacity),
      on: {
        input: () => {
          opacityOut.textContent = fmtPct(Number(opacity.value), 0);
          hooks.opacity(Number(opacity.value));
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
          "aria-pressed": String(value === state.palette),
          title: paletteTitle(value),
          on: { click: () => hooks.palette(value) },
        },
        label,
      ),
    );
    this.scaleButtons = (
      [
        ["relative", "Relative", "Coloured by this page's own peak"],
        ["absolute", "Per 1 000 views", "Points per 1 000 page views: the same colour means the same rate on any period or segment"],
      ] as const
    ).map(([value, label, title]) =>
      h("button", { type: "button", class: "seg", "data-scale": value, "aria-pressed": String(value === state.scale), title, on: { click: () => value !== this.state.scale && hooks.scale(value) } }, label),
    );
    this.refreshBtn = h(
      "button",
      { class: "btn", type: "button", title: "Take a new screenshot of the live page (snapshots of visitors' page states arrive by themselves)", on: { click: () => hooks.recapture() } },
      "Refresh background",
    );
    this.el = h(
      "div",
      { class: "toolbar" },
      h("label", { class: "field" }, h("span", { class: "field-label" }, "App"), appSelect),
      h("label", { class: "field field-grow" }, h("span", { class: "field-label" }, "View"), viewSelect),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "kind-label" }, "Type"), h("div", { class: "segmented", role: "group", "aria-labelledby": "kind-label", "data-testid": "kind-switch" }, this.kindButtons)),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "width-label" }, "Width"), h("div", { class: "width-row" }, h("div", { class: "segmented", role: "group", "aria-labelledby": "width-label" }, this.widthButtons), this.customWidth)),
      h("div", { class: "field" }, h("label", { class: "field-label", for: "opacity" }, "Opacity"), h("div", { class: "opacity" }, opacity, opacityOut)),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "scale-label" }, "Scale"), h("div", { class: "segmented", role: "group", "aria-labelledby": "scale-label", "data-testid": "scale-switch" }, this.scaleButtons)),
      h("div", { class: "field" }, h("span", { class: "field-label", id: "palette-label" }, "Colours"), h("div", { class: "segmented", role: "group", "aria-labelledby": "palette-label", "data-testid": "palette-switch" }, this.paletteButtons)),
      h(
        "div",
        { class: "toolbar-end" },
        keep.savedSlot,
        keep.saveBtn,
        keep.shareBtn,
        keep.exportAnchor,
        this.refreshBtn,
        h("a", { class: "btn btn-ghost", href: outcomesUrl(app.key), "data-testid": "outcomes-link", title: "Goals (conversion) and funnels of this app" }, "Goals & funnels"),
        h("a", { class: "btn btn-ghost", href: settingsUrl(app.key), title: "Script tag, origins, sampling, privacy, retention" }, "Settings"),
      ),
    );
  }

  /** Press the button of the width shown; `custom`: the custom inputs are being edited. */
  syncWidth(custom = false): void {
    const isCustom = custom || /^\d+-\d+$/.test(this.state.width);
    for (const b of this.widthButtons) b.setAttribute("aria-pressed", String(b.dataset.width === "custom" ? isCustom : !isCustom && b.dataset.width === this.state.width));
    this.customWidth.hidden = !isCustom;
  }

  /** Compare mode draws point maps only: the band kinds wait outside it. */
  syncCompare(): void {
    const c = this.state.compare;
    for (const b of this.kindButtons) {
      const band = kindInfo(b.dataset.kind as Kind).mode !== "points";
      const goal = kindInfo(b.dataset.kind as Kind).goal;
      b.disabled = !!c && (band || goal);
      b.title = b.disabled ? "Compare draws point maps (clicks, moves, frustration)" : `Show ${kindInfo(b.dataset.kind as Kind).counted}`;
    }
    this.syncKind();
  }

  syncKind(): void {
    for (const b of this.kindButtons) {
      b.setAttribute("aria-pressed", String(b.dataset.kind === this.state.kind));
      // a map towards a goal (conversion) is there once a goal is picked
      b.hidden = kindInfo(b.dataset.kind as Kind).goal && !this.state.goal;
    }
    // The palettes colour point maps; scroll and attention bands and compare's diff keep
    // their own scales.
    const own = kindInfo(this.state.kind).mode !== "points" || !!this.state.compare;
    for (const b of this.scaleButtons) {
      b.disabled = own;
      b.setAttribute("aria-pressed", String(b.dataset.scale === this.state.scale));
    }
    for (const b of this.paletteButtons) {
      b.disabled = own;
      b.title = own ? "Scroll, attention and compare maps keep their own colour scale" : paletteTitle(b.dataset.palette ?? "");
    }
  }

  syncPalette(): void {
    for (const b of this.paletteButtons) b.setAttribute("aria-pressed", String(b.dataset.palette === this.state.palette));
  }
}
