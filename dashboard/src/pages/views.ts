// One app's views, most viewed first; or, before the tracker has been heard from, the
// install instructions: the script tag to paste and the origins it will accept.

import { api, type App, type View } from "../api";
import { copyText, errorBox, fmtAgo, fmtInt, h, loading, mount } from "../dom";
import { topbar } from "../layout";
import { heatmapUrl, outcomesUrl, settingsUrl } from "../router";

export async function renderViews(root: HTMLElement, key: string, signal: AbortSignal): Promise<void> {
  document.title = "Views · pageheat";
  const body = h("main", { class: "page" }, loading("Loading views…"));
  mount(root, topbar([{ label: "Applications", href: "/" }, { label: key }]), body);
  const load = async () => {
    mount(body, loading("Loading views…"));
    try {
      const [app, views] = await Promise.all([api.app(key), api.views(key)]);
      if (signal.aborted) return;
      document.title = `${app.name} · pageheat`;
      mount(root, topbar([{ label: "Applications", href: "/" }, { label: app.name }]), body);
      mount(body, header(app), views.length ? viewsTable(app, views) : install(app), views.length ? installDetails(app) : null);
    } catch (e) {
      if (!signal.aborted) mount(body, errorBox((e as Error).message, load));
    }
  };
  await load();
}

function header(app: App): HTMLElement {
  return h(
    "div",
    { class: "page-head" },
    h("div", { class: "page-head-row" }, h("h1", null, app.name), h("span", null, h("a", { class: "btn btn-small btn-ghost", href: outcomesUrl(app.key), "data-testid": "app-outcomes" }, "Goals & funnels"), " ", h("a", { class: "btn btn-small", href: settingsUrl(app.key), "data-testid": "app-settings" }, "Settings"))),
    h(
      "p",
      { class: "muted meta-line" },
      h("span", null, "Key ", h("code", { class: "mono" }, app.key)),
      h("span", null, app.last_event ? `Last event ${fmtAgo(app.last_event)}` : "No event received yet"),
    ),
  );
}

function viewsTable(app: App, views: View[]): HTMLElement {
  return h(
    "section",
    { class: "card" },
    h("h2", { class: "card-title" }, "Views, most viewed first"),
    h(
      "table",
      { class: "table", "data-testid": "views" },
      h(
        "thead",
        null,
        h("tr", null, h("th", null, "View"), h("th", { class: "num" }, "Page views"), h("th", { class: "num" }, "Visitors"), h("th", { class: "num" }, "Clicks"), h("th", null, "")),
      ),
      h(
        "tbody",
        null,
        views.map((v) => {
          const href = heatmapUrl(app.key, v.name, "desktop");
          return h(
            "tr",
            null,
            h("td", null, h("a", { class: "strong", href }, v.name), v.url ? h("div", { class: "sub mono" }, v.url) : null),
            h("td", { class: "num" }, fmtInt(v.page_views)),
            h("td", { class: "num" }, fmtInt(v.visitors)),
            h("td", { class: "num" }, fmtInt(v.clicks)),
            h("td", { class: "num" }, h("a", { class: "btn btn-small", href }, "Heatmap")),
          );
        }),
      ),
    ),
  );
}

/** Select the whole text of `el`, for a copy by hand when the clipboard is out of reach. */
export function selectText(el: HTMLElement): void {
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
}

export function scriptBlock(tag: string): HTMLElement {
  const status = h("span", { class: "copy-status", role: "status", "data-testid": "copy-status" });
  const code = h("code", { class: "mono", "data-testid": "script-tag" }, tag);
  const button = h(
    "button",
    {
      class: "btn btn-small",
      type: "button",
      "data-testid": "copy-tag",
      on: {
        click: async () => {
          const ok = await copyText(tag);
          // No clipboard (an http:// dashboard, a refused permission): the tag is
          // selected, so Ctrl+C copies it.
          if (!ok) selectText(code);
          status.textContent = ok ? "Copied" : "Selected: press Ctrl+C (⌘C) to copy";
          window.setTimeout(() => (status.textContent = ""), ok ? 2000 : 6000);
        },
      },
    },
    "Copy",
  );
  return h("div", { class: "codeblock" }, code, h("div", { class: "codeblock-actions" }, status, button));
}

function origins(app: App): HTMLElement {
  return h(
    "div",
    { class: "origins" },
    h("h3", null, "Allowed origins"),
    app.origins.length
      ? h("div", { class: "chips" }, app.origins.map((o) => h("span", { class: "chip" }, o)))
      : h("p", { class: "muted" }, "None yet."),
    h("p", { class: "hint" }, "Events from pages on any other origin are refused, so the tag only counts on these sites."),
  );
}

function install(app: App): HTMLElement {
  return h(
    "section",
    { class: "card empty-install", "data-testid": "empty-state" },
    h("div", { class: "state-icon", "aria-hidden": "true" }),
    h("h2", null, app.last_event ? "No page views yet" : "Tracker not seen yet"),
    h(
      "p",
      { class: "muted" },
      app.last_event
        ? "Events arrived, but no page view has been stored yet. Views appear here as visitors load your pages."
        : "Paste this tag into the <head> of every page you want heatmaps of, on a site whose origin is allowed below. Views appear here as soon as visitors load them.",
    ),
    h(
      "ol",
      { class: "steps" },
      h("li", null, "Copy the tag."),
      h("li", null, "Paste it just before ", h("code", { class: "mono" }, "</head>"), " in your site's layout (or in your tag manager)."),
      h("li", null, "Open one of your pages: this page shows its view within seconds."),
    ),
    scriptBlock(app.script_tag),
    origins(app),
  );
}

function installDetails(app: App): HTMLElement {
  return h("details", { class: "card install-details" }, h("summary", null, "Script tag and allowed origins"), scriptBlock(app.script_tag), origins(app));
}
