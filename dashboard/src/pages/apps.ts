// Applications: every app with its key, origins and when its tracker was last heard
// from, and the form that makes a new one.

import { api, ApiError, type App } from "../api";
import { errorBox, fmtAgo, h, loading, mount } from "../dom";
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
  mount(
    root,
    topbar([{ label: "Applications" }]),
    h(
      "main",
      { class: "page" },
      h("div", { class: "page-head" }, h("h1", null, "Applications"), h("p", { class: "muted" }, "Each app is one site (or a family of origins) with its own script tag.")),
      h("div", { class: "apps-layout" }, list, newAppForm()),
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
  await load();
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
