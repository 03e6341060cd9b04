// One app's settings: its script tag to copy, the origins its events may come from, the
// share of visitors recorded, the privacy switch (Do-Not-Track / Global Privacy
// Control), session replay (on or off, and the share of sessions recorded), how long its
// data is kept and whether bots count. Saved with one PATCH; an
// error the server names a field in is shown under that field. Deleting the app (and all
// its data) asks first.

import { api, ApiError, type App, type AppChanges, me } from "../api";
import { errorBox, fmtAgo, h, loading, mount } from "../dom";
import { confirmDialog } from "../dialog";
import { topbar } from "../layout";
import { appUrl, navigate } from "../router";
import { parseOrigins } from "./apps";
import { scriptBlock } from "./views";

export async function renderSettings(root: HTMLElement, key: string, signal: AbortSignal): Promise<void> {
  document.title = "Settings · pageheat";
  const body = h("main", { class: "page" }, loading("Loading the app…"));
  mount(root, topbar([{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Settings" }]), body);
  const load = async () => {
    try {
      const app = await api.app(key);
      if (signal.aborted) return;
      document.title = `Settings · ${app.name} · pageheat`;
      mount(root, topbar([{ label: "Applications", href: "/" }, { label: app.name, href: appUrl(key) }, { label: "Settings" }]), body);
      mount(body, ...settingsPage(app));
    } catch (e) {
      if (!signal.aborted) mount(body, errorBox((e as Error).message, load));
    }
  };
  await load();
}

/** The field a server error names ("origin 'x' must look like…" is about origins). */
export function fieldOf(message: string, fields: string[]): string | null {
  const words: string[] = message.toLowerCase().match(/[a-z_]+/g) ?? [];
  return fields.find((f) => words.includes(f) || words.includes(f.replace(/s$/, ""))) ?? null;
}

/** A form row: label, control, hint, and the slot where the server's error for it goes. */
interface Row {
  el: HTMLElement;
  error: HTMLElement;
}

function row(id: string, label: string, control: HTMLElement, hint?: string | HTMLElement): Row {
  const error = h("p", { class: "field-error", role: "alert", hidden: true, "data-error-for": id });
  const el = h("div", { class: "form-row", "data-field": id }, h("label", { for: `app-${id}` }, label), control, hint ? h("p", { class: "hint" }, hint) : null, error);
  return { el, error };
}

function settingsPage(app: App): HTMLElement[] {
  const tagSlot = h("div", null, scriptBlock(app.script_tag));
  const name = h("input", { id: "app-name", type: "text", value: app.name, maxlength: "200", required: true });
  const origins = h("textarea", { id: "app-origins", rows: "3", spellcheck: "false", class: "mono" });
  origins.value = app.origins.join("\n");
  const rate = h("input", { id: "app-sample_rate", type: "number", min: "0", max: "100", step: "any", value: String(Math.round((app.sample_rate ?? 1) * 1000) / 10), class: "num-input" });
  const dnt = h("input", { id: "app-respect_dnt", type: "checkbox", checked: !!app.respect_dnt });
  const replay = h("input", { id: "app-replay", type: "checkbox", checked: !!app.replay });
  const replayRate = h("input", { id: "app-replay_sample", type: "number", min: "0", max: "100", step: "any", value: String(Math.round((app.replay_sample ?? 1) * 1000) / 10), class: "num-input" });
  const def = app.default_retention_days;
  const defText = def === null || def === undefined ? "the instance default" : def === 0 ? "the instance default (forever)" : `the instance default (${def} days)`;
  const retention = h("input", { id: "app-retention_days", type: "number", min: "0", step: "1", value: app.retention_days === null || app.retention_days === undefined ? "" : String(app.retention_days), placeholder: def ? String(def) : "", class: "num-input" });
  const bots = h(
    "select",
    { id: "app-keep_bots" },
    h("option", { value: "", selected: app.keep_bots === null || app.keep_bots === undefined }, app.default_keep_bots === undefined || app.default_keep_bots === null ? "Instance default" : `Instance default (${app.default_keep_bots ? "keep" : "drop"})`),
    h("option", { value: "true", selected: app.keep_bots === true }, "Keep: count bots' events"),
    h("option", { value: "false", selected: app.keep_bots === false }, "Drop: ignore bots"),
  );

  const rows: Record<string, Row> = {
    name: row("name", "Name", name),
    origins: row("origins", "Allowed origins", origins, "One per line (or comma-separated): scheme, host and port. Events from any other origin are refused."),
    sample_rate: row("sample_rate", "Sampling rate (%)", h("div", { class: "inline" }, rate, h("span", { class: "muted" }, "% of visitors recorded")), "Lower it on a busy site: heatmaps keep their shape, storage shrinks. Applied by the tag (data-sample)."),
    respect_dnt: row("respect_dnt", "Privacy", h("label", { class: "check", for: "app-respect_dnt" }, dnt, "Honour Do-Not-Track and Global Privacy Control"), "Visitors whose browser sends DNT: 1 or Sec-GPC: 1 are not recorded at all."),
    replay: row("replay", "Session replay", h("label", { class: "check", for: "app-replay" }, replay, "Record sessions to watch them later"), "Inputs are masked and never sent; data-pageheat-mask text is masked, data-pageheat-block elements are left out."),
    replay_sample: row("replay_sample", "Sessions recorded (%)", h("div", { class: "inline" }, replayRate, h("span", { class: "muted" }, "% of sessions")), "A session is recorded whole or not at all; heatmaps still count every visitor."),
    retention_days: row("retention_days", "Data retention (days)", retention, `Empty: ${defText}. 0 keeps events forever. Older events are deleted every night.`),
    keep_bots: row("keep_bots", "Bots", bots, "Headless browsers and crawlers are dropped unless kept."),
  };
  // The privacy row's label is the checkbox's own: the row label names the group only.
  rows.respect_dnt.el.querySelector("label[for=app-respect_dnt]")?.removeAttribute("for");
  rows.replay.el.querySelector("label[for=app-replay]")?.removeAttribute("for");

  const status = h("span", { class: "save-status", role: "status", "data-testid": "settings-status" });
  const general = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Save settings");

  const clearErrors = () => {
    for (const r of Object.values(rows)) r.error.hidden = true;
    general.hidden = true;
  };
  const showError = (field: string | null, message: string) => {
    const r = field ? rows[field] : null;
    const target = r ? r.error : general;
    target.textContent = message;
    target.hidden = false;
    r?.el.querySelector<HTMLElement>("input, textarea, select")?.focus();
  };

  const form = h(
    "form",
    {
      class: "card form settings-form",
      "data-testid": "app-settings-form",
      novalidate: true,
      on: {
        submit: async (ev: Event) => {
          ev.preventDefault();
          clearErrors();
          status.textContent = "";
          const changes: AppChanges = {};
          const n = name.value.trim();
          if (!n) return showError("name", "Give the app a name.");
          changes.name = n;
          changes.origins = parseOrigins(origins.value);
          const pct = Number(rate.value);
          if (rate.value.trim() === "" || !Number.isFinite(pct) || pct < 0 || pct > 100) return showError("sample_rate", "A percentage from 0 to 100.");
          changes.sample_rate = Math.round(pct * 10) / 1000;
          changes.respect_dnt = dnt.checked;
          changes.replay = replay.checked;
          const rpct = Number(replayRate.value);
          if (replayRate.value.trim() === "" || !Number.isFinite(rpct) || rpct < 0 || rpct > 100) return showError("replay_sample", "A percentage from 0 to 100.");
          changes.replay_sample = Math.round(rpct * 10) / 1000;
          if (retention.value.trim() === "") changes.retention_days = null;
          else {
            const d = Number(retention.value);
            if (!Number.isInteger(d) || d < 0) return showError("retention_days", "A whole number of days (0 = forever), or empty for the default.");
            changes.retention_days = d;
          }
          changes.keep_bots = bots.value === "" ? null : bots.value === "true";
          submit.disabled = true;
          try {
            const saved = await api.updateApp(app.key, changes);
            Object.assign(app, saved);
            mount(tagSlot, scriptBlock(saved.script_tag));
            status.textContent = "Saved";
          } catch (e) {
            const msg = e instanceof ApiError ? e.message : String(e);
            // The server's message names the field it refuses.
            const field = fieldOf(msg, Object.keys(rows));
            showError(field, msg);
          } finally {
            submit.disabled = false;
          }
        },
      },
    },
    h("h2", null, "Settings"),
    Object.values(rows).map((r) => r.el),
    general,
    h("div", { class: "form-actions" }, submit, status),
  );

  // Only admins change apps (the server says 403 to others): a viewer reads the settings.
  me()
    .then((m) => {
      if (m.user.admin) return;
      for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | HTMLButtonElement>("input, select, textarea, button")) el.disabled = true;
      del.disabled = true;
      status.textContent = `${m.user.name} may read these settings; an admin changes them.`;
      status.classList.add("muted");
    })
    .catch(() => undefined);

  const del = h(
    "button",
    {
      class: "btn btn-danger",
      type: "button",
      "data-testid": "delete-app",
      on: {
        click: async () => {
          const ok = await confirmDialog(`Delete ${app.name}?`, "Its script tag stops being accepted, and every event, background and saved heatmap of it is deleted. This cannot be undone.", "Delete the app");
          if (!ok) return;
          del.disabled = true;
          try {
            await api.deleteApp(app.key);
            navigate("/");
          } catch (e) {
            del.disabled = false;
            showError(null, (e as Error).message);
          }
        },
      },
    },
    "Delete app",
  );

  return [
    h(
      "div",
      { class: "page-head" },
      h("h1", null, `${app.name} settings`),
      h(
        "p",
        { class: "muted meta-line" },
        h("span", null, "Key ", h("code", { class: "mono" }, app.key)),
        h("span", null, app.last_event ? `Last event ${fmtAgo(app.last_event)}` : "Tracker not seen yet"),
      ),
    ),
    h(
      "section",
      { class: "card card-pad", "data-testid": "install" },
      h("h2", null, "Script tag"),
      h("p", { class: "muted" }, "Paste it into the ", h("code", { class: "mono" }, "<head>"), " of every page to measure. It changes when the sampling rate or the privacy switch does: paste it again then."),
      tagSlot,
    ),
    form,
    h(
      "section",
      { class: "card card-pad danger-zone" },
      h("h2", null, "Delete this app"),
      h("p", { class: "muted" }, "Removes the app and all its data."),
      del,
    ),
  ];
}
