// The dashboard's entry: one bundle for every page. login.html carries
// data-page="login", share.html data-page="share" (a public read-only link, which loads
// nothing that needs a login); index.html is the single-page app routed on
// location.pathname.

import { h, mount } from "./dom";
import { loadRegistry } from "./kinds";
import { initLogin } from "./login";
import { topbar } from "./layout";
import { renderAccount } from "./pages/account";
import { renderApps } from "./pages/apps";
import { renderFunnel } from "./pages/funnel";
import { renderHeatmap } from "./pages/heatmap";
import { renderOutcomes } from "./pages/outcomes";
import { renderReplay } from "./pages/replay";
import { renderSession } from "./pages/session";
import { renderSessions } from "./pages/sessions";
import { renderSettings } from "./pages/settings";
import { renderShare } from "./pages/share";
import { renderViews } from "./pages/views";
import { interceptLinks, onNavigate, parse } from "./router";

/** Each render gets its own controller; leaving the page aborts pending polls. */
let current: AbortController | null = null;

let rendered = 0;

function render(root: HTMLElement): void {
  rendered += 1;
  current?.abort();
  const ctl = new AbortController();
  current = ctl;
  const route = parse(location.pathname, location.search);
  switch (route.name) {
    case "apps":
      renderApps(root, ctl.signal);
      break;
    case "views":
      renderViews(root, route.key!, ctl.signal);
      break;
    case "heatmap":
      renderHeatmap(root, route.key!, route.query, ctl.signal);
      break;
    case "settings":
      renderSettings(root, route.key!, ctl.signal);
      break;
    case "sessions":
      void renderSessions(root, route.key!, route.query, ctl.signal);
      break;
    case "session":
      void renderSession(root, route.key!, route.id!, route.query, ctl.signal);
      break;
    case "replay":
      // The player needs the replay page's own CSP (web/pages.py REPLAY_CSP), which only
      // a page load of its URL gets: reached from another page, load it.
      if (rendered > 1) {
        location.reload();
        return;
      }
      void renderReplay(root, route.key!, route.id!, route.query, ctl.signal);
      break;
    case "outcomes":
      void renderOutcomes(root, route.key!, ctl.signal);
      break;
    case "funnel":
      void renderFunnel(root, route.key!, route.id!, route.query, ctl.signal);
      break;
    case "account":
      renderAccount(root, ctl.signal);
      break;
    default:
      document.title = "Not found · pageheat";
      mount(
        root,
        topbar([{ label: "Applications", href: "/" }]),
        h(
          "main",
          { class: "page" },
          h("div", { class: "state" }, h("h2", null, "Page not found"), h("p", null, h("a", { href: "/" }, "Back to the applications"))),
        ),
      );
  }
}

function start(): void {
  if (document.body.dataset.page === "login") {
    initLogin();
    return;
  }
  const root = document.getElementById("app");
  if (!root) return;
  loadRegistry().then(() => route(root), (e: Error) => mount(root, h("main", { class: "page" }, h("div", { class: "state" }, h("h2", null, "pageheat could not start"), h("p", null, e.message)))));
}

/** The first render, once the server's kinds, filters and colour tables are in. */
function route(root: HTMLElement): void {
  if (document.body.dataset.page === "share") {
    const token = decodeURIComponent(location.pathname.replace(/\/+$/, "").split("/").pop() ?? "");
    void renderShare(root, token);
    return;
  }
  interceptLinks(root);
  onNavigate(() => render(root));
  render(root);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
