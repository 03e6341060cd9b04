// The frame around every dashboard page: top bar with the brand, breadcrumbs, sign out.

import { h, type Child } from "./dom";

export interface Crumb {
  label: string;
  href?: string;
}

export function topbar(crumbs: Crumb[], right?: Child): HTMLElement {
  return h(
    "header",
    { class: "topbar" },
    h("a", { class: "brand", href: "/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "pageheat"),
    h(
      "nav",
      { class: "crumbs", "aria-label": "Breadcrumb" },
      crumbs.map((c, i) => [
        i > 0 && h("span", { class: "crumb-sep", "aria-hidden": "true" }, "/"),
        c.href ? h("a", { href: c.href }, c.label) : h("span", { class: "crumb-current", "aria-current": "page" }, c.label),
      ]),
    ),
    h("div", { class: "topbar-right" }, right, signOut()),
  );
}

function signOut(): HTMLElement {
  return h(
    "button",
    {
      class: "btn btn-ghost btn-small",
      type: "button",
      on: {
        click: async () => {
          await fetch("/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
          location.assign("/login");
        },
      },
    },
    "Sign out",
  );
}
