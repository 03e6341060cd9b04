// The heatmap page's background chooser and placement line. A view can have several
// backgrounds: page states rendered from visitors' DOM snapshots (with or without a
// banner, say) and screenshots of the live page. The chooser shows the one the heat is
// drawn over and lists the others with their thumbnails; the placement line says how
// many points sit on their elements in that picture and how many by position alone.

import type { Background, Backgrounds, Heatmap } from "../api";
import { fmtAgo, fmtInt, h, mount } from "../dom";
import type { KindInfo } from "../kinds";

const plural = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** "snapshot · 12 page views" or "live page screenshot". */
export function bgSource(b: Background): string {
  if (b.source === "snapshot") {
    return b.page_views === undefined ? "snapshot" : `snapshot · ${plural(b.page_views, "page view")}`;
  }
  return "live page screenshot";
}

/** "1440 × 2380 px · captured 3 min ago". */
export function bgDetails(b: Background): string {
  const when = b.captured === null || b.captured === undefined ? "" : ` · captured ${fmtAgo(b.captured)}`;
  return `${fmtInt(b.width)} × ${fmtInt(b.height)} px${when}`;
}

function bgTitle(b: Background): string {
  const lines = [
    b.source === "snapshot" ? "Rendered from a visitor's DOM snapshot" : "Screenshot of the live page",
    b.layout_hash ? `Page state ${b.layout_hash}` : null,
    b.page_views !== undefined ? `${plural(b.page_views, "page view")} settled in this state` : null,
    typeof b.captured === "number" ? `Captured ${new Date(b.captured).toLocaleString()}` : null,
  ];
  return lines.filter(Boolean).join("\n");
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function thumb(b: Background | null, cls: string): HTMLElement {
  if (!b) return h("span", { class: [cls, "bg-thumb-none"], "aria-hidden": "true" });
  return h("img", { class: cls, src: b.thumbnail ?? b.url, alt: "", loading: "lazy", draggable: "false" });
}

/**
 * A button showing the background in use, and a menu of the page states captured for
 * this view and width. `choose(null)` goes back to the default (the most common state).
 */
export class BackgroundChooser {
  readonly el: HTMLElement;
  private button: HTMLButtonElement;
  private menu: HTMLElement;
  private items: HTMLButtonElement[] = [];
  private open = false;
  private onDoc = (ev: Event) => {
    if (!this.el.contains(ev.target as Node)) this.close(false);
  };

  constructor(private choose: (id: string | null) => void, signal: AbortSignal) {
    this.button = h("button", {
      type: "button",
      class: "bg-current",
      id: "bg-button",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": "bg-menu",
      "data-testid": "bg-current",
      on: {
        click: () => (this.open ? this.close(false) : this.show(false)),
        keydown: (ev: KeyboardEvent) => {
          if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            ev.preventDefault();
            this.show(true);
          }
        },
      },
    });
    this.menu = h("div", {
      class: "bg-menu",
      id: "bg-menu",
      role: "menu",
      "aria-labelledby": "bg-label",
      "data-testid": "bg-menu",
      hidden: true,
      on: { keydown: (ev: KeyboardEvent) => this.menuKey(ev) },
    });
    this.el = h(
      "div",
      { class: "bg-chooser", "data-testid": "bg-chooser" },
      h("span", { class: "field-label", id: "bg-label" }, "Background"),
      this.button,
      this.menu,
    );
    signal.addEventListener("abort", () => document.removeEventListener("mousedown", this.onDoc, true));
  }

  /** While the heatmap and the list load. */
  loading(): void {
    this.close(false);
    mount(this.button, thumb(null, "bg-thumb"), h("span", { class: "bg-current-text" }, h("strong", null, "Loading…")));
    this.button.disabled = true;
    this.button.removeAttribute("title");
  }

  /**
   * `current`: what the heat is drawn over (null: nothing yet); `list`: the view's
   * backgrounds at this width (null while unknown); `chosen`: the id asked for in the URL.
   */
  update(current: Background | null, list: Backgrounds | null, chosen: string | null): void {
    const all = list ? [...list.backgrounds] : [];
    // The most common state first; among equals the newest.
    all.sort((a, b) => (b.page_views ?? 0) - (a.page_views ?? 0) || capturedMs(b) - capturedMs(a));
    const listed = current ? all.find((b) => b.id === current.id) : undefined;
    const shown = current ? { ...current, page_views: current.page_views ?? listed?.page_views } : null;
    const choosable = all.length > 1 || (chosen !== null && all.length > 0);

    const count = all.length;
    mount(
      this.button,
      thumb(shown, "bg-thumb"),
      h(
        "span",
        { class: "bg-current-text" },
        h("strong", { class: "bg-current-source", "data-testid": "bg-source" }, shown ? cap(bgSource(shown)) : "No background yet"),
        h(
          "span",
          { class: "bg-current-sub" },
          shown ? bgDetails(shown) : "the heat is drawn on a blank page of the right size",
        ),
      ),
      h(
        "span",
        { class: "bg-current-more" },
        count > 1 ? `${count} page states` : count === 1 ? "the only page state" : "",
        choosable ? h("span", { class: "bg-caret", "aria-hidden": "true" }) : null,
      ),
    );
    this.button.disabled = !choosable;
    this.button.title = choosable
      ? "Choose the page state the heat is drawn over"
      : shown
        ? `${bgTitle(shown)}\nThe only page state captured for this view and width`
        : "No background captured for this view and width yet";
    this.button.dataset.bgId = shown?.id ?? "";
    this.button.classList.toggle("bg-current-chosen", chosen !== null);

    const def = list?.default ? all.find((b) => b.id === list.default) ?? null : null;
    this.items = [
      this.item(
        null,
        chosen === null,
        thumb(def, "bg-option-thumb"),
        "Default (most common state)",
        def ? `now: ${bgSource(def)}` : "whichever state most page views settled in",
        null,
      ),
      ...all.map((b) =>
        this.item(
          b.id,
          chosen === b.id,
          thumb(b, "bg-option-thumb"),
          cap(bgSource(b)),
          bgDetails(b),
          b.id === list?.default ? h("span", { class: "badge badge-default" }, "most common") : null,
          bgTitle(b),
        ),
      ),
    ];
    mount(this.menu, h("p", { class: "bg-menu-head" }, "Page states captured for this view and width"), this.items);
    if (!choosable) this.close(false);
  }

  private item(id: string | null, checked: boolean, pic: HTMLElement, label: string, sub: string, badge: HTMLElement | null, title?: string): HTMLButtonElement {
    return h(
      "button",
      {
        type: "button",
        role: "menuitemradio",
        class: ["bg-option", checked && "bg-option-checked"],
        "aria-checked": String(checked),
        "data-bg-id": id ?? "",
        "data-testid": id === null ? "bg-default" : "bg-option",
        tabindex: "-1",
        title,
        on: {
          click: () => {
            this.close(true);
            this.choose(id);
          },
        },
      },
      pic,
      h("span", { class: "bg-option-text" }, h("strong", null, label, badge ? " " : null, badge), h("span", { class: "bg-option-sub" }, sub)),
      h("span", { class: "bg-check", "aria-hidden": "true" }),
    );
  }

  private show(focusItem: boolean): void {
    if (this.button.disabled || this.items.length === 0) return;
    this.open = true;
    this.menu.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    document.addEventListener("mousedown", this.onDoc, true);
    const checked = this.items.find((i) => i.getAttribute("aria-checked") === "true") ?? this.items[0];
    if (focusItem) checked.focus();
    else checked.scrollIntoView({ block: "nearest" });
  }

  private close(focusButton: boolean): void {
    if (!this.open) return;
    this.open = false;
    this.menu.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    document.removeEventListener("mousedown", this.onDoc, true);
    if (focusButton) this.button.focus();
  }

  private menuKey(ev: KeyboardEvent): void {
    const at = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number) => this.items[(i + this.items.length) % this.items.length]?.focus();
    switch (ev.key) {
      case "ArrowDown":
        go(at + 1);
        break;
      case "ArrowUp":
        go(at < 0 ? -1 : at - 1);
        break;
      case "Home":
        go(0);
        break;
      case "End":
        go(-1);
        break;
      case "Escape":
        this.close(true);
        break;
      case "Tab":
        this.close(false);
        return;
      default:
        return;
    }
    ev.preventDefault();
  }
}

function capturedMs(b: Background): number {
  if (typeof b.captured === "number") return b.captured;
  const t = b.captured ? Date.parse(b.captured) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/**
 * "12 clicks anchored to their elements, 3 placed by position": how the points were put
 * on this background (point kinds only; scroll and attention are bands).
 */
export function placementLine(hm: Heatmap, kind: KindInfo): HTMLElement | null {
  if (kind.mode !== "points" || !hm.placed || hm.total === 0) return null;
  const { anchored, positional } = hm.placed;
  const missing = hm.not_visible.reduce((a, b) => a + b.count, 0);
  const noun = anchored === 1 ? kind.one : kind.many;
  return h(
    "p",
    {
      class: "placement",
      "data-testid": "placement",
      "data-anchored": String(anchored),
      "data-positional": String(positional),
      title:
        "Anchored: drawn at the same spot of the element the visitor clicked, wherever this background shows it.\n" +
        "By position: the page position scaled to this background's width (the element is unknown or not in this background).",
    },
    h("strong", null, `${fmtInt(anchored)} ${noun}`),
    " anchored to their elements, ",
    h("strong", null, fmtInt(positional)),
    " placed by position",
    missing > 0 ? h("span", { class: "placement-missing" }, ` (${fmtInt(missing)} on elements not in this background)`) : null,
  );
}
