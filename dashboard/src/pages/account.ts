// The account page: who is signed in, and their API tokens for the JSON API (list,
// create for every app or chosen ones, revoke). A new token is shown once, with a copy
// button: the server keeps only its hash.

import { api, ApiError, type ApiToken, type App, me } from "../api";
import { copyText, errorBox, fmtAgo, h, loading, mount } from "../dom";
import { confirmDialog } from "../dialog";
import { topbar } from "../layout";

export async function renderAccount(root: HTMLElement, signal: AbortSignal): Promise<void> {
  document.title = "Account · pageheat";
  const who = h("p", { class: "muted" }, "…");
  const list = h("section", { class: "card", "data-testid": "tokens-card" }, loading("Loading API tokens…"));
  const created = h("div", { class: "token-created-slot" });
  const form = h("div", { class: "form-slot" });
  mount(
    root,
    topbar([{ label: "Applications", href: "/" }, { label: "Account" }]),
    h(
      "main",
      { class: "page" },
      h("div", { class: "page-head" }, h("h1", null, "Account"), who),
      h("div", { class: "apps-layout" }, h("div", { class: "stack" }, created, list), form),
    ),
  );
  me()
    .then((m) => mount(who, "Signed in as ", h("strong", { "data-testid": "account-name" }, m.user.name), m.user.admin ? " (admin)" : ""))
    .catch(() => mount(who));

  let apps: App[] = [];
  const load = async () => {
    try {
      const [tokens, appList] = await Promise.all([api.tokens(), api.apps()]);
      if (signal.aborted) return;
      apps = appList;
      mount(list, tokensTable(tokens, apps, load));
      mount(form, newTokenForm(apps, (t) => {
        mount(created, tokenCreated(t));
        void load();
      }));
    } catch (e) {
      if (!signal.aborted) mount(list, errorBox((e as Error).message, load));
    }
  };
  await load();
}

function appsLabel(t: ApiToken, apps: App[]): HTMLElement {
  if (t.apps === null) return h("span", { class: "muted" }, "every app");
  return h(
    "div",
    { class: "chips" },
    t.apps.map((k) => h("span", { class: "chip", title: k }, apps.find((a) => a.key === k)?.name ?? k)),
  );
}

function tokensTable(tokens: ApiToken[], apps: App[], reload: () => void): HTMLElement {
  const title = h("h2", { class: "card-title" }, "API tokens");
  if (tokens.length === 0) {
    return h(
      "div",
      null,
      title,
      h(
        "div",
        { class: "state", "data-testid": "tokens-empty" },
        h("h2", null, "No API tokens yet"),
        h("p", { class: "muted" }, "A token lets a script read the JSON API as you: send it as ", h("code", { class: "mono" }, "Authorization: Bearer <token>"), "."),
      ),
    );
  }
  return h(
    "div",
    null,
    title,
    h(
      "table",
      { class: "table", "data-testid": "tokens" },
      h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, "Apps"), h("th", null, "Created"), h("th", null, "Last used"), h("th", null, ""))),
      h(
        "tbody",
        null,
        tokens.map((t) => {
          const err = h("span", { class: "inline-error", role: "alert" });
          const revoke = h(
            "button",
            {
              class: "btn btn-small btn-danger-ghost",
              type: "button",
              "data-testid": "token-revoke",
              on: {
                click: async () => {
                  if (!(await confirmDialog("Revoke this token?", `Scripts using "${t.name}" stop working at once.`, "Revoke"))) return;
                  revoke.disabled = true;
                  try {
                    await api.revokeToken(t.id);
                    reload();
                  } catch (e) {
                    err.textContent = (e as Error).message;
                    revoke.disabled = false;
                  }
                },
              },
            },
            "Revoke",
          );
          return h(
            "tr",
            { "data-token": t.id },
            h("td", null, h("strong", null, t.name)),
            h("td", null, appsLabel(t, apps)),
            h("td", { title: t.created }, fmtAgo(t.created)),
            h("td", { title: t.last_used ?? "" }, t.last_used ? fmtAgo(t.last_used) : h("span", { class: "muted" }, "never")),
            h("td", { class: "num" }, err, revoke),
          );
        }),
      ),
    ),
  );
}

/** The token just made: shown once, with a copy button. */
function tokenCreated(t: ApiToken): HTMLElement {
  const secret = t.token ?? "";
  const status = h("span", { class: "copy-status", role: "status" });
  return h(
    "section",
    { class: "card token-created", "data-testid": "token-created" },
    h("h2", null, `Token "${t.name}" created`),
    h("p", { class: "muted" }, "Copy it now: it is shown only this once. pageheat keeps only a hash of it."),
    h(
      "div",
      { class: "codeblock" },
      h("code", { class: "mono", "data-testid": "token-secret" }, secret),
      h(
        "div",
        { class: "codeblock-actions" },
        status,
        h("button", { class: "btn btn-small", type: "button", on: { click: async () => (status.textContent = (await copyText(secret)) ? "Copied" : "Select the text and copy it") } }, "Copy"),
      ),
    ),
  );
}

function newTokenForm(apps: App[], done: (t: ApiToken) => void): HTMLElement {
  const name = h("input", { id: "token-name", type: "text", required: true, autocomplete: "off", placeholder: "CI export", maxlength: "200" });
  const every = h("input", { type: "radio", name: "token-scope", value: "all", checked: true });
  const some = h("input", { type: "radio", name: "token-scope", value: "some", "data-testid": "token-some" });
  const boxes = apps.map((a) => h("input", { type: "checkbox", value: a.key, "data-app": a.key }));
  const picker = h(
    "fieldset",
    { class: "app-picker", disabled: true },
    h("legend", { class: "offscreen" }, "Apps this token may read"),
    apps.length ? apps.map((a, i) => h("label", { class: "check" }, boxes[i], a.name)) : h("p", { class: "muted small" }, "No apps yet."),
  );
  const sync = () => (picker.disabled = !some.checked);
  every.addEventListener("change", sync);
  some.addEventListener("change", sync);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Create token");
  return h(
    "form",
    {
      class: "card form",
      "aria-labelledby": "new-token-title",
      on: {
        submit: async (ev: Event) => {
          ev.preventDefault();
          error.hidden = true;
          const n = name.value.trim();
          const chosen = some.checked ? boxes.filter((b) => b.checked).map((b) => b.value) : null;
          if (!n) {
            error.textContent = "Give the token a name (what will use it).";
            error.hidden = false;
            return;
          }
          if (chosen !== null && chosen.length === 0) {
            error.textContent = "Choose at least one app, or let the token read every app.";
            error.hidden = false;
            return;
          }
          submit.disabled = true;
          try {
            const t = await api.createToken(n, chosen);
            name.value = "";
            done(t);
          } catch (e) {
            error.textContent = e instanceof ApiError ? e.message : String(e);
            error.hidden = false;
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    h("h2", { id: "new-token-title" }, "New API token"),
    h("label", { for: "token-name" }, "Name"),
    name,
    h("span", { class: "label" }, "May read"),
    h("label", { class: "check" }, every, "Every app"),
    h("label", { class: "check" }, some, "Only these apps:"),
    picker,
    error,
    submit,
  );
}
