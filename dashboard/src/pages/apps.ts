// Home: every app with its key, origins and when its tracker was last heard from, the
// form that makes a new one, and the saved heatmaps across the apps (open, rename,
// delete, copy link).

import { api, ApiError, type App, me, type Saved } from "../api";
import { copyText, errorBox, fmtAgo, h, loading, mount } from "../dom";
import { confirmDialog, promptName } from "../dialog";
import { kindInfo } from "../kinds";
import { topbar } from "../layout";
import { appUrl, navigate } from "../router";

export function parseOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function renderApps(root: HTMLElement, signal: AbortSignal): Promise<void> {
  document.title = "Applications · pageheat";
  const list = h("section", { class: "card" }, loading("Loading applications…"));
  // Only admins change apps: others see why there is no form.
  const side = h("div", { class: "side-slot" }, newAppForm());
  me()
    .then((m) => {
      if (!m.user.admin) mount(side, h("section", { class: "card card-pad" }, h("h2", null, "New app"), h("p", { class: "muted" }, `${m.user.name} may read every app but not create or change apps: ask an admin.`)));
    })
    .catch(() => undefined);
  const saved = h("section", { class: "card saved-card", "data-testid": "saved-card" }, h("h2", { class: "card-title" }, "Saved heatmaps"), loading("Loading saved heatmaps…"));
  mount(
    root,
    topbar([{ label: "Applications" }]),
    h(
      "main",
      { class: "page" },
      h("div", { class: "page-head" }, h("h1", null, "Applications"), h("p", { class: "muted" }, "Each app is one site (or a family of origins) with its own script tag.")),
      h("div", { class: "apps-layout" }, h("div", { class: "stack" }, list, saved), side),
    ),
  );
  const load = async () => {
    mount(list, loading("Loading applications…"));
    try {
      const apps = await api.apps();
      if (signal.aborted) return;
      mount(list, appsTable(apps));
    } catch (e) {
      if (!signal.aborted) mount(list, errorBox((e as Error).message, load));
    }
  };
  const loadSaved = async () => {
    try {
      const items = await api.saved();
      if (signal.aborted) return;
      mount(saved, h("h2", { class: "card-title" }, "Saved heatmaps"), savedTable(items, loadSaved));
    } catch (e) {
      if (!signal.aborted) mount(saved, h("h2", { class: "card-title" }, "Saved heatmaps"), errorBox((e as Error).message, loadSaved));
    }
  };
  await Promise.all([load(), loadSaved()]);
}

/** The saved heatmaps, newest first, each with its open / rename / delete / copy link. */
export function savedTable(items: Saved[], reload: () => void): HTMLElement {
  if (items.length === 0) {
    return h(
      "div",
      { class: "state state-compact", "data-testid": "saved-empty" },
      h("p", null, "No saved heatmaps yet."),
      h("p", { class: "muted small" }, "On a heatmap, set the range and filters you care about and press Save: it comes back here with the same view."),
    );
  }
  return h(
    "table",
    { class: "table", "data-testid": "saved" },
    h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, "App"), h("th", null, "View"), h("th", null, "Type"), h("th", null, "Updated"), h("th", null, ""))),
    h(
      "tbody",
      null,
      items.map((s) => {
        const status = h("span", { class: "copy-status-inline", role: "status" });
        const act = (label: string, testid: string, run: () => void, danger = false) =>
          h("button", { class: ["btn btn-small btn-ghost", danger && "btn-danger-ghost"], type: "button", "data-testid": testid, on: { click: run } }, label);
        return h(
          "tr",
          { "data-saved": s.id },
          h("td", null, h("a", { class: "strong", href: s.url, "data-testid": "saved-open" }, s.name), h("div", { class: "sub" }, `by ${s.created_by}`)),
          h("td", null, h("a", { href: appUrl(s.app) }, s.app_name)),
          h("td", null, h("code", { class: "mono" }, s.params.view ?? "")),
          h("td", null, kindInfo(s.params.kind ?? "click").label),
          h("td", { title: s.updated }, fmtAgo(s.updated)),
          h(
            "td",
            { class: "num row-actions" },
            status,
            act("Copy link", "saved-copy", async () => {
              const ok = await copyText(new URL(s.url, location.href).href);
              status.textContent = ok ? "Copied" : "Copy failed";
              window.setTimeout(() => (status.textContent = ""), 2000);
            }),
            act("Rename", "saved-rename", () =>
              promptName("Rename the saved heatmap", "Name", s.name, [
                {
                  label: "Rename",
                  primary: true,
                  testid: "name-save",
                  run: async (name) => {
                    await api.updateSaved(s.app, s.id, { name });
                    reload();
                    return null;
                  },
                },
              ]),
            ),
            act(
              "Delete",
              "saved-delete",
              async () => {
                if (!(await confirmDialog(`Delete "${s.name}"?`, "The saved heatmap goes; its data stays.", "Delete"))) return;
                try {
                  await api.deleteSaved(s.app, s.id);
                } catch (e) {
                  status.textContent = (e as Error).message;
                  return;
                }
                reload();
              },
              true,
            ),
          ),
        );
      }),
    ),
  );
}

function appsTable(apps: App[]): HTMLElement {
  if (apps.length === 0) {
    return h(
      "div",
      { class: "state" },
      h("h2", null, "No applications yet"),
      h("p", { class: "muted" }, "Create one with the form: you get a script tag to paste into your pages."),
    );
  }
  return h(
    "table",
    { class: "table", "data-testid": "apps" },
    h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, "Key"), h("th", null, "Allowed origins"), h("th", null, "Last event"))),
    h(
      "tbody",
      null,
      apps.map((a) =>
        h(
          "tr",
          null,
          h("td", null, h("a", { class: "strong", href: appUrl(a.key) }, a.name)),
          h("td", null, h("code", { class: "mono" }, a.key)),
          h("td", null, a.origins.length ? h("div", { class: "chips" }, a.origins.map((o) => h("span", { class: "chip" }, o))) : h("span", { class: "muted" }, "none — every event is refused")),
          h(
            "td",
            null,
            a.last_event
              ? h("span", { class: "status status-ok", title: a.last_event }, fmtAgo(a.last_event))
              : h("span", { class: "status status-idle" }, "Tracker not seen yet"),
          ),
        ),
      ),
    ),
  );
}

function newAppForm(): HTMLElement {
  const name = h("input", { id: "new-app-name", name: "name", type: "text", required: true, autocomplete: "off", placeholder: "My shop", maxlength: "200" });
  const origins = h("input", { id: "new-app-origins", name: "origins", type: "text", autocomplete: "off", placeholder: "https://shop.example, https://www.shop.example" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Create app");
  const form = h(
    "form",
    {
      class: "card form",
      "aria-labelledby": "new-app-title",
      on: {
        submit: async (ev: Event) => {
          ev.preventDefault();
          error.hidden = true;
          const n = name.value.trim();
          if (!n) {
            error.textContent = "Give the app a name.";
            error.hidden = false;
            return;
          }
          submit.disabled = true;
          try {
            const app = await api.createApp(n, parseOrigins(origins.value));
            navigate(appUrl(app.key));
          } catch (e) {
            error.textContent = e instanceof ApiError ? e.message : String(e);
            error.hidden = false;
            submit.disabled = false;
          }
        },
      },
    },
    h("h2", { id: "new-app-title" }, "New app"),
    h("label", { for: "new-app-name" }, "Name"),
    name,
    h("label", { for: "new-app-origins" }, "Allowed origins"),
    origins,
    h("p", { class: "hint" }, "Comma-separated, scheme and host (and port): events from any other origin are refused."),
    error,
    submit,
  );
  return form;
}
