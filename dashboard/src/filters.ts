// What a heatmap is about beyond its view and width: the time range and the filters.
// Both live in the query string under the API's own names (`range` or `from`/`to`,
// `browser=Chrome,Firefox`), so a copied link opens the same slice of the data, and the
// same mapping is sent with every request (heatmap, insights, backgrounds, exports).

import type { FilterDef, FilterValues, Params } from "./api";
import { fmtInt, h, mount } from "./dom";

/** The API's filters, in the order the picker lists them: the server's (GET
 * /api/v1/kinds, src/pageheat/filters.py), filled by `useFilters` before the first render. */
export const FILTER_DEFS: { name: string; label: string }[] = [];
export const filterLabel = (name: string) => (isTag(name) ? `Tag ${name.slice(4)}` : (FILTER_DEFS.find((d) => d.name === name)?.label ?? name));

/** `tag.KEY`: a filter by one of the site's own `pageheat.tag(KEY, value)` tags. */
export const isTag = (name: string) => name.startsWith("tag.") && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(name.slice(4));

/** Every filter a scope has, the registry's first (in its order), then the tags. */
export const filterNames = (filters: Record<string, string>) => [...FILTER_DEFS.map((d) => d.name).filter((n) => filters[n]), ...Object.keys(filters).filter((n) => isTag(n) && filters[n]).sort()];

/** Take the server's filters. */
export function useFilters(defs: FilterDef[]): void {
  FILTER_DEFS.splice(0, FILTER_DEFS.length, ...defs.map((d) => ({ name: d.name, label: d.label })));
}

const DAY_MS = 86_400_000;
/** Preset ranges end now; `all` is every stored event, `custom` the from/to dates. */
export const RANGES: [string, string, number][] = [
  ["24h", "Last 24 hours", DAY_MS],
  ["7d", "Last 7 days", 7 * DAY_MS],
  ["30d", "Last 30 days", 30 * DAY_MS],
  ["90d", "Last 90 days", 90 * DAY_MS],
  ["all", "All time", 0],
  ["custom", "Custom dates", 0],
];

export interface Scope {
  range: string;
  /** Custom range: first and last day, inclusive (YYYY-MM-DD, UTC). */
  from: string;
  to: string;
  filters: Record<string, string>;
  /** A behaviour cohort (`cohort=` of the API: `converted:GOAL`, `rage`,
   * `funnel:ID:STEP:dropped`…), "" for every session. It narrows every read as a filter
   * does, so it rides with the range and filters into every request and link. */
  cohort: string;
}

/** A day as the date inputs and the URL write it (YYYY-MM-DD). */
export const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readScope(q: URLSearchParams): Scope {
  const from = q.get("from") ?? "";
  const to = q.get("to") ?? "";
  let range = q.get("range") ?? "";
  if (!RANGES.some(([r]) => r === range)) range = DATE.test(from) || DATE.test(to) ? "custom" : "all";
  const filters: Record<string, string> = {};
  for (const { name } of FILTER_DEFS) {
    const v = q.getAll(name).join(",");
    if (v) filters[name] = v;
  }
  for (const name of new Set(q.keys())) {
    const v = isTag(name) ? q.getAll(name).join(",") : "";
    if (v) filters[name] = v;
  }
  return { range, from: DATE.test(from) ? from : "", to: DATE.test(to) ? to : "", filters, cohort: (q.get("cohort") ?? "").trim() };
}

export function writeScope(s: Scope, q: URLSearchParams): void {
  if (s.range === "custom") {
    if (s.from) q.set("from", s.from);
    if (s.to) q.set("to", s.to);
  } else if (s.range !== "all") {
    q.set("range", s.range);
  }
  for (const name of filterNames(s.filters)) q.set(name, s.filters[name]);
  if (s.cohort) q.set("cohort", s.cohort);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Where a day (YYYY-MM-DD, UTC) starts, and where the day after it starts. */
export const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);
export const dayEnd = (day: string) => dayStart(day) + DAY_MS;

/** The range as [start, end) ms, either end null when open. */
export function rangeMs(s: Scope, now = Date.now()): [number | null, number | null] {
  if (s.range === "custom") {
    return [s.from ? dayStart(s.from) : null, s.to ? dayEnd(s.to) : null];
  }
  const span = RANGES.find(([r]) => r === s.range)?.[2] ?? 0;
  return span ? [now - span, null] : [null, null];
}

/** The API parameters of a scope: `from`/`to` (the end exclusive) and the filters. */
export function scopeParams(s: Scope, now = Date.now()): Params {
  const [start, end] = rangeMs(s, now);
  return { ...s.filters, cohort: s.cohort || undefined, from: start === null ? undefined : iso(start), to: end === null ? undefined : iso(end) };
}

/** The period of the same length just before the scope's range, for "compare with the
 * previous period"; null when the range is open at its start. */
export function previousPeriod(s: Scope, now = Date.now()): [number, number] | null {
  const [start, end] = rangeMs(s, now);
  if (start === null) return null;
  const stop = end ?? now;
  return [start - (stop - start), start];
}

export function describeRange(s: Scope): string {
  if (s.range === "custom") {
    if (s.from && s.to) return s.from === s.to ? s.from : `${s.from} – ${s.to}`;
    if (s.from) return `since ${s.from}`;
    if (s.to) return `until ${s.to}`;
    return "All time";
  }
  return RANGES.find(([r]) => r === s.range)?.[1] ?? "All time";
}

export interface FilterHooks {
  /** The scope changed (range or filters): reload what depends on it. */
  change(scope: Scope): void;
  /** The values a filter takes under the rest of the scope. */
  values(name: string): Promise<FilterValues>;
  /** The tag keys the page views carry (each a `tag.KEY` filter), most page views first. */
  tags?(): Promise<{ key: string; page_views: number }[]>;
}

/**
 * The bar under the toolbar: the time widget, one chip per active filter and "+ Filter",
 * which opens a picker of dimensions, then of that dimension's values with their page
 * views (any of the checked values matches; different filters must all match).
 */
export class FilterBar {
  readonly el: HTMLElement;
  private chips = h("div", { class: "filter-chips", "data-testid": "filter-chips" });
  private pop = h("div", { class: "popover", role: "dialog", hidden: true, "data-testid": "filter-picker" });
  private rangeSelect: HTMLSelectElement;
  private custom: HTMLElement;
  private fromInput: HTMLInputElement;
  private toInput: HTMLInputElement;
  private addBtn: HTMLButtonElement;
  private seq = 0;

  constructor(private scope: Scope, private hooks: FilterHooks, end: HTMLElement | null = null) {
    this.rangeSelect = h(
      "select",
      { id: "range-select", "aria-label": "Time range", on: { change: () => this.pickRange() } },
      RANGES.map(([value, label]) => h("option", { value, selected: value === scope.range }, label)),
    );
    const today = new Date().toISOString().slice(0, 10);
    this.fromInput = h("input", { type: "date", id: "range-from", "aria-label": "From (first day)", max: today, value: scope.from, on: { change: () => this.pickDates() } });
    this.toInput = h("input", { type: "date", id: "range-to", "aria-label": "To (last day)", max: today, value: scope.to, on: { change: () => this.pickDates() } });
    this.custom = h("div", { class: "range-custom", hidden: scope.range !== "custom" }, this.fromInput, h("span", { class: "muted" }, "–"), this.toInput);
    this.addBtn = h("button", { type: "button", class: "btn btn-small", "data-testid": "add-filter", "aria-haspopup": "dialog", on: { click: () => this.openMenu() } }, "+ Filter");
    this.el = h(
      "div",
      { class: "filter-bar", "data-testid": "filter-bar" },
      h("div", { class: "range" }, h("span", { class: "field-label" }, "Range"), this.rangeSelect, this.custom),
      h("div", { class: "filter-list" }, this.chips, h("div", { class: "popover-anchor" }, this.addBtn, this.pop)),
      end ? h("div", { class: "filter-bar-end" }, end) : null,
    );
    document.addEventListener("mousedown", (ev) => {
      if (!this.pop.hidden && !this.el.querySelector(".popover-anchor")?.contains(ev.target as Node) && !this.chips.contains(ev.target as Node)) this.close();
    });
    this.pop.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        this.close();
        this.addBtn.focus();
      }
    });
    this.renderChips();
  }

  private emit(): void {
    this.renderChips();
    this.hooks.change(this.scope);
  }

  private pickRange(): void {
    this.scope.range = this.rangeSelect.value;
    this.custom.hidden = this.scope.range !== "custom";
    if (this.scope.range === "custom") {
      if (!this.fromInput.value) {
        this.fromInput.value = new Date(Date.now() - 7 * DAY_MS).toISOString().slice(0, 10);
        this.toInput.value = new Date().toISOString().slice(0, 10);
      }
      this.scope.from = this.fromInput.value;
      this.scope.to = this.toInput.value;
    }
    this.emit();
  }

  private pickDates(): void {
    let [from, to] = [this.fromInput.value, this.toInput.value];
    if (from && to && from > to) [from, to] = [to, from];
    this.fromInput.value = from;
    this.toInput.value = to;
    this.scope.from = from;
    this.scope.to = to;
    this.emit();
  }

  private renderChips(): void {
    mount(
      this.chips,
      filterNames(this.scope.filters).map((name) => {
        const d = { name, label: filterLabel(name) };
        const values = this.scope.filters[d.name].split(",");
        return h(
          "span",
          { class: "filter-chip", "data-filter": d.name },
          h(
            "button",
            { type: "button", class: "filter-chip-label", title: "Change this filter", on: { click: () => void this.openValues(d.name) } },
            h("span", { class: "muted" }, `${d.label}: `),
            values.join(" or "),
          ),
          h("button", { type: "button", class: "filter-chip-x", "aria-label": `Remove the ${d.label} filter`, on: { click: () => this.remove(d.name) } }, "×"),
        );
      }),
    );
  }

  private remove(name: string): void {
    delete this.scope.filters[name];
    this.close();
    this.emit();
  }

  private close(): void {
    this.seq++;
    this.pop.hidden = true;
    this.addBtn.setAttribute("aria-expanded", "false");
  }

  private openMenu(): void {
    if (!this.pop.hidden) {
      this.close();
      return;
    }
    this.seq++;
    mount(
      this.pop,
      h("div", { class: "popover-title" }, "Filter by"),
      h(
        "ul",
        { class: "menu" },
        FILTER_DEFS.map((d) =>
          h("li", null, h("button", { type: "button", class: "menu-item", "data-filter": d.name, on: { click: () => void this.openValues(d.name) } }, d.label, this.scope.filters[d.name] ? h("span", { class: "menu-on" }, "on") : null)),
        ),
      ),
    );
    this.show();
    (this.pop.querySelector("button") as HTMLButtonElement | null)?.focus();
    void this.listTags(this.seq);
  }

  /** The menu's "Tags" part: the site's own tag keys, once the server has listed them. */
  private async listTags(seq: number): Promise<void> {
    let tags: { key: string; page_views: number }[] = [];
    try {
      tags = (await this.hooks.tags?.()) ?? [];
    } catch {
      return; // the registry's filters are still there
    }
    if (seq !== this.seq || !tags.length) return;
    this.pop.append(
      h("div", { class: "popover-title" }, "Tags", h("span", { class: "muted small" }, " · pageheat.tag")),
      h(
        "ul",
        { class: "menu", "data-testid": "filter-tags" },
        tags.map((t) => {
          const name = `tag.${t.key}`;
          return h("li", null, h("button", { type: "button", class: "menu-item", "data-filter": name, title: `${fmtInt(t.page_views)} page views carry it`, on: { click: () => void this.openValues(name) } }, t.key, this.scope.filters[name] ? h("span", { class: "menu-on" }, "on") : null));
        }),
      ),
    );
  }

  private show(): void {
    this.pop.hidden = false;
    this.addBtn.setAttribute("aria-expanded", "true");
  }

  /** The value list of one filter: checkboxes with page views, a search, free text. */
  private async openValues(name: string): Promise<void> {
    const seq = ++this.seq;
    const label = filterLabel(name);
    mount(this.pop, h("div", { class: "popover-title" }, label), h("div", { class: "state-loading small" }, h("span", { class: "spinner" }), "Loading values…"));
    this.show();
    let list: FilterValues;
    try {
      list = await this.hooks.values(name);
    } catch (e) {
      if (seq === this.seq) mount(this.pop, h("div", { class: "popover-title" }, label), h("p", { class: "form-error" }, `Could not list the values: ${(e as Error).message}`));
      return;
    }
    if (seq !== this.seq) return;
    const chosen = new Set((this.scope.filters[name] ?? "").split(",").filter(Boolean));
    const counts = new Map(list.values.map((v) => [v.value, v.page_views]));
    // Fixed sets (device, visitor) offer every value; a chosen value missing from the
    // data stays listed so it can be unticked.
    const values = [...list.values.map((v) => v.value), ...list.fixed.filter((v) => !counts.has(v)), ...[...chosen].filter((v) => !counts.has(v) && !list.fixed.includes(v))];
    const boxes = values.map((v) =>
      h(
        "label",
        { class: "value-row", "data-value": v },
        h("input", { type: "checkbox", value: v, checked: chosen.has(v) }),
        h("span", { class: "value-name" }, v),
        h("span", { class: "value-count muted" }, counts.has(v) ? fmtInt(counts.get(v)) : "0"),
      ),
    );
    const search = h("input", {
      type: "text",
      class: "value-search",
      placeholder: list.fixed.length ? "Filter the list" : "Filter the list or type a value",
      "aria-label": `Search ${label} values`,
      on: {
        input: () => {
          const needle = search.value.trim().toLowerCase();
          for (const b of boxes) b.hidden = !!needle && !(b.dataset.value ?? "").toLowerCase().includes(needle);
        },
        keydown: (ev: KeyboardEvent) => {
          if (ev.key === "Enter") {
            ev.preventDefault();
            apply();
          }
        },
      },
    });
    const apply = () => {
      const picked = boxes.filter((b) => (b.querySelector("input") as HTMLInputElement).checked).map((b) => b.dataset.value ?? "");
      const typed = search.value.trim();
      if (typed && !list.fixed.length && !values.some((v) => v.toLowerCase() === typed.toLowerCase())) picked.push(typed);
      if (picked.length) this.scope.filters[name] = picked.join(",");
      else delete this.scope.filters[name];
      this.close();
      this.emit();
    };
    mount(
      this.pop,
      h("div", { class: "popover-title" }, label, h("span", { class: "muted small" }, " · page views")),
      values.length > 6 || !list.fixed.length ? search : null,
      values.length
        ? h("div", { class: "value-list", "data-testid": "filter-values" }, boxes)
        : h("p", { class: "muted small" }, name === "country" || name === "city" ? "No locations: they need a GeoLite2 database (the geoip_db setting)." : "No values in this range yet. Type one to filter by it."),
      h(
        "div",
        { class: "popover-actions" },
        h("button", { type: "button", class: "btn btn-small btn-ghost", on: { click: () => this.close() } }, "Cancel"),
        h("button", { type: "button", class: "btn btn-small btn-primary", "data-testid": "apply-filter", on: { click: apply } }, "Apply"),
      ),
    );
    (values.length > 6 || !list.fixed.length ? search : (this.pop.querySelector("input") as HTMLInputElement | null))?.focus();
  }
}
