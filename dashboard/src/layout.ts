// The frame around every dashboard page: top bar with the brand, breadcrumbs, who is
// signed in (their account page) and sign out.

import { logout, me } from "./api";
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
    h("div", { class: "topbar-right" }, right, account(), signOut()),
  );
}

/** The signed-in user's name, linking to their account page (filled in once /me answers). */
function account(): HTMLElement {
  const link = h("a", { class: "user-link", href: "/account", "data-testid": "user-name", title: "Your account and API tokens" }, h("span", { class: "avatar", "aria-hidden": "true" }), h("span", { class: "user-name" }, "Account"));
  me()
    .then((m) => {
      const name = link.querySelector(".user-name");
      if (name) name.textContent = m.user.name;
      const av = link.querySelector(".avatar");
      if (av) av.textContent = (m.user.name[0] ?? "?").toUpperCase();
      if (m.user.admin) link.title = `${m.user.name} (admin): your account and API tokens`;
    })
    .catch(() => undefined);
  return link;
}

function signOut(): HTMLElement {
  return h(
    "button",
    {
      class: "btn btn-ghost btn-small",
      type: "button",
      "data-testid": "sign-out",
      on: {
        click: async () => {
          await logout();
          location.assign("/login");
        },
      },
    },
    "Sign out",
  );
}
