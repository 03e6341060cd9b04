// Keeping a heatmap: save it under a name (shown on the home page), share it read-only
// by a revocable link, or export it (PNG, top actions CSV, heat grid CSV). Each keeps the
// page's parameters as they are (keptParams), so what is kept is what is shown.

import { api, exportLinks, type App, type Params, type Saved, type Share } from "../api";
import { copyText, errorBox, fmtAgo, h, loading, mount } from "../dom";
import { confirmDialog, modal, promptName } from "../dialog";
import { kindInfo } from "../kinds";
import { replaceQuery } from "../router";
import { describeFilters, describeParamsRange, keptParams, type State, toQuery, widthLabel } from "./heatstate";

/** What saving and sharing read from the page. */
export interface KeepHost {
  readonly app: App;
  readonly state: State;
  readonly signal: AbortSignal;
  /** Time range and filters, as every request carries them. */
  extra(): Params;
}

/** The Save, Share and Export controls of the toolbar, with the saved heatmap's name. */
export class SaveShare {
  readonly savedSlot = h("div", { class: "saved-slot" });
  readonly saveBtn: HTMLButtonElement;
  readonly shareBtn: HTMLButtonElement;
  /** The Export button with its menu. */
  readonly exportAnchor: HTMLElement;
  private savedItem: Saved | null = null;
  private exportPop = h("div", { class: "popover popover-right export-menu", role: "menu", hidden: true, "data-testid": "export-menu" });
  private exportBtn: HTMLButtonElement;

  constructor(private host: KeepHost) {
    this.saveBtn = h("button", { class: "btn", type: "button", "data-testid": "save", title: "Save this heatmap with its range and filters under a name", on: { click: () => this.openSave() } }, host.state.saved ? "Save…" : "Save");
    this.shareBtn = h("button", { class: "btn", type: "button", "data-testid": "share", title: "A read-only link to this heatmap that opens without signing in", on: { click: () => this.openShare() } }, "Share");
    this.exportBtn = h("button", { class: "btn", type: "button", "data-testid": "export", "aria-haspopup": "menu", "aria-expanded": "false", on: { click: () => this.toggleExport() } }, "Export", h("span", { class: "bg-caret", "aria-hidden": "true" }));
    this.exportAnchor = h("div", { class: "popover-anchor export-anchor" }, this.exportBtn, this.exportPop);
    document.addEventListener(
      "click",
      (ev) => {
        if (!this.exportPop.hidden && !(ev.target as Element).closest(".export-anchor")) this.closeExport();
      },
      { signal: host.signal },
    );
    document.addEventListener(
      "keydown",
      (ev) => {
        if (ev.key === "Escape" && !this.exportPop.hidden) {
          this.closeExport();
          this.exportBtn.focus();
        }
      },
      { signal: host.signal },
    );
  }

  /** Opened from a saved heatmap (saved= in the URL): find its name. */
  async loadSaved(): Promise<void> {
    const id = this.host.state.saved;
    if (!id) return this.renderSaved();
    try {
      const list = await api.saved(this.host.app.key);
      if (this.host.signal.aborted) return;
      this.savedItem = list.find((s) => s.id === id) ?? null;
      if (!this.savedItem) {
        // Deleted since the link was made: the heatmap stays, the link to it goes.
        this.host.state.saved = null;
        replaceQuery(toQuery(this.host.state));
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
    this.saveBtn.textContent = s ? "Save…" : "Save";
    document.title = `${s ? `${s.name} · ` : ""}${this.host.state.view} · ${this.host.app.name} · pageheat`;
  }

  private defaultName(): string {
    return `${this.host.state.view} · ${widthLabel(this.host.state.width)} · ${kindInfo(this.host.state.kind).label}`;
  }

  /** What a saved heatmap or a share link of this page will show, in words. */
  private summary(): HTMLElement {
    const p = keptParams(this.host.state);
    return h(
      "dl",
      { class: "facts facts-compact" },
      h("dt", null, "View"),
      h("dd", null, this.host.state.view),
      h("dt", null, "Type · width"),
      h("dd", null, `${kindInfo(this.host.state.kind).label} · ${widthLabel(this.host.state.width)}`),
      h("dt", null, "Range"),
      h("dd", null, describeParamsRange(p)),
      h("dt", null, "Filters"),
      h("dd", null, describeFilters(p)),
    );
  }

  private openSave(): void {
    const key = this.host.app.key;
    const s = this.savedItem;
    const done = (saved: Saved) => {
      this.savedItem = saved;
      this.host.state.saved = saved.id;
      replaceQuery(toQuery(this.host.state));
      this.renderSaved();
      return null;
    };
    const buttons = s
      ? [
          { label: "Save as new", testid: "save-new", run: async (name: string) => done(await api.save(key, name, keptParams(this.host.state))) },
          { label: "Save changes", primary: true, testid: "save-changes", run: async (name: string) => done(await api.updateSaved(key, s.id, { name, params: keptParams(this.host.state) })) },
        ]
      : [{ label: "Save", primary: true, testid: "save-confirm", run: async (name: string) => done(await api.save(key, name, keptParams(this.host.state))) }];
    promptName(
      s ? `Save "${s.name}"` : "Save this heatmap",
      "Name",
      s ? s.name : this.defaultName(),
      buttons,
      h("div", null, h("p", { class: "muted" }, s ? "Keep this heatmap's current settings under its name (or a new one), or save them as a new heatmap." : "It appears on the home page with these settings, for everyone who can read this app:"), this.summary()),
    );
  }

  private openShare(): void {
    const key = this.host.app.key;
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
              const sh = await api.createShare(key, keptParams(this.host.state), name.value.trim() || null, expiry.value ? Number(expiry.value) : null);
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
    const { view, width, kind, bg, goal } = this.host.state;
    // the conversion map is drawn towards the picked goal
    return { ...this.host.extra(), view, width, kind, background: bg ?? undefined, goal: kindInfo(kind).goal ? (goal ?? undefined) : undefined };
  }

  private toggleExport(): void {
    if (!this.exportPop.hidden) return this.closeExport();
    const links = exportLinks(this.host.app.key, this.apiParams());
    const png = `${links.png}${links.png.includes("?") ? "&" : "?"}palette=${encodeURIComponent(this.host.state.palette)}`;
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
