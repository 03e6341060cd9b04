// One session: who, how long, where it began and ended, and its timeline (page views,
// clicks with their element and rage/dead/error marks, page errors) in time from its
// start. "Watch replay" opens the player 3 s before the moment the list was narrowed to
// (`t=` in the URL); a session without a replay says so.

import { api, type SessionDetail, type TimelineItem } from "../api";
import { errorBox, fmtInt, h, loading, mount } from "../dom";
import { topbar } from "../layout";
import { appUrl, replayUrl, sessionsUrl } from "../router";
import { fmtMs, fmtOffset } from "./sessions";

/** Seconds before a moment the player starts, so the click is seen coming. */
const LEAD_MS = 3000;

export async function renderSession(root: HTMLElement, key: string, id: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  document.title = "Session · pageheat";
  const back = new URLSearchParams(query);
  back.delete("t");
  const listHref = sessionsUrl(key, Object.fromEntries(back));
  const crumbs = [{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: "Sessions", href: listHref }, { label: id.slice(0, 8) }];
  const body = h("main", { class: "page" }, loading("Loading the session…"));
  mount(root, topbar(crumbs), body);
  const t = Number.parseInt(query.get("t") ?? "", 10);
  const moment = Number.isFinite(t) ? t : null;
  const load = async () => {
    let s: SessionDetail;
    try {
      s = await api.session(key, id);
    } catch (e) {
      if (!signal.aborted) mount(body, errorBox((e as Error).message, () => void load()));
      return;
    }
    if (signal.aborted) return;
    mount(body, header(key, s, moment), timeline(key, s, moment));
  };
  await load();
}

function header(key: string, s: SessionDetail, moment: number | null): HTMLElement {
  const tile = (label: string, value: string, stat: string) => h("div", { class: "tile", "data-stat": stat }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
  return h(
    "div",
    { class: "page-head", "data-testid": "session", "data-session": s.id },
    h(
      "div",
      { class: "page-head-row" },
      h("h1", null, `Session of ${s.user?.name ?? s.user?.id ?? s.visitor.slice(0, 8)}`),
      s.has_replay
        ? h("a", { class: "btn", href: replayUrl(key, s.id, moment === null ? 0 : moment - LEAD_MS), "data-testid": "watch-replay" }, "Watch replay")
        : h("span", { class: "muted", "data-testid": "no-replay" }, "No replay of this session"),
    ),
    h(
      "p",
      { class: "muted meta-line" },
      h("span", { title: new Date(s.start).toISOString() }, new Date(s.start).toISOString().replace("T", " ").slice(0, 19) + " UTC"),
      h("span", null, [s.device, s.browser, s.os, s.country].filter(Boolean).join(" · ")),
      s.user ? h("span", { class: "mono", title: "user id (the site's, from pageheat.identify)", "data-testid": "session-user" }, `user ${s.user.id}`) : null,
      h("span", { class: "mono", title: "visitor id" }, s.visitor),
    ),
    h(
      "div",
      { class: "tiles" },
      tile("Length", fmtMs(s.duration_ms), "length"),
      tile("Pages", fmtInt(s.pages), "pages"),
      tile("Clicks", fmtInt(s.clicks), "clicks"),
      tile("Rage · dead · errors", `${fmtInt(s.rage)} · ${fmtInt(s.dead)} · ${fmtInt(s.errors)}`, "frustration"),
    ),
  );
}

function what(i: TimelineItem): (HTMLElement | string)[] {
  if (i.type === "view") return [h("strong", null, i.view ?? "page"), " ", h("span", { class: "sub mono" }, i.url ?? "")];
  if (i.type === "error") return [h("span", { class: "badge badge-error" }, "error"), ` ${i.message ?? ""}${(i.count ?? 1) > 1 ? ` (×${i.count})` : ""}`];
  const label = (i.text ?? "").trim();
  return [
    "Clicked ",
    label ? h("strong", null, label.slice(0, 60)) : `<${i.tag ?? "element"}>`,
    " ",
    h("code", { class: "mono small" }, i.selector ?? ""),
    i.rage ? h("span", { class: "badge badge-rage" }, `rage ×${i.rage}`) : "",
    i.dead ? h("span", { class: "badge badge-dead" }, "dead") : "",
    i.error ? h("span", { class: "badge badge-error" }, "error") : "",
  ];
}

function timeline(key: string, s: SessionDetail, moment: number | null): HTMLElement {
  return h(
    "section",
    { class: "card" },
    h("h2", { class: "card-title" }, "Timeline"),
    h(
      "ol",
      { class: "timeline", "data-testid": "timeline" },
      s.timeline.map((i) =>
        h(
          "li",
          { class: ["timeline-item", `timeline-${i.type}`, moment === i.t && "timeline-moment"], "data-type": i.type, "data-t": String(i.t) },
          h("span", { class: "timeline-t mono" }, fmtOffset(i.t)),
          h("span", { class: "timeline-what" }, what(i)),
          s.has_replay && i.type === "click" ? h("a", { class: "small", href: replayUrl(key, s.id, i.t - LEAD_MS) }, "watch") : null,
        ),
      ),
    ),
  );
}
