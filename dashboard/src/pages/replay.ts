// The replay player: one session's recording, played by rrweb's Replayer (the lazily
// loaded pageheat-player.js chunk), starting at `?t=` (ms after the session's start)
// with the nearest mark there highlighted. Around it: play/pause, 1–8× speed, skip
// inactivity, a timeline with marks (clicks, rage, dead and error clicks, errors, page
// changes) and the list of those marks, each seeking on click.
//
// Loading: first the replay's span (`?to=0`: its first and last event times, no events),
// then one window from the full snapshot before `t` to a minute after it, which starts
// playing; the rest follows in the background, window by window, appended to the
// playing Replayer. A seek before the first window waits for the session's beginning
// and rebuilds the Replayer from everything loaded.
//
// Marks come from the session's timeline in the event store (page views, clicks with their
// rage, dead and error flags, page errors); a replay without one shows the recording's own
// clicks and page changes.

import { api, type SessionDetail } from "../api";
import { h, loading, mount, setVar } from "../dom";
import { topbar } from "../layout";
import { appUrl } from "../router";

export type MarkKind = "click" | "rage" | "dead" | "error_click" | "error" | "page";
/** A moment of the session: `t` in ms after its start. */
export interface Mark {
  t: number;
  kind: MarkKind;
  label: string;
}

interface ReplayEvent {
  type: number;
  timestamp: number;
  data: any;
}
interface Window {
  events: ReplayEvent[];
  start: number;
  end: number;
}
interface NoReplay {
  reason: "replay_off" | "not_sampled" | "missing";
  retention_days: number;
}

/** The slice of rrweb's Replayer this page drives. */
interface Replayer {
  play(offset?: number): void;
  pause(offset?: number): void;
  getCurrentTime(): number;
  getMetaData(): { startTime: number; endTime: number; totalTime: number };
  setConfig(c: Record<string, unknown>): void;
  addEvent(e: ReplayEvent): void;
  destroy(): void;
  on(event: string, fn: (...a: any[]) => void): void;
  iframe: HTMLIFrameElement;
}
type ReplayerClass = new (events: ReplayEvent[], config: Record<string, unknown>) => Replayer;

const FIRST_WINDOW_MS = 60_000;
const LATER_WINDOW_MS = 5 * 60_000;
const SPEEDS = [1, 2, 4, 8];

let chunk: Promise<ReplayerClass> | null = null;
/** pageheat-player.js and its stylesheet, loaded once (scripts and styles from 'self'). */
export function loadPlayer(): Promise<ReplayerClass> {
  chunk ??= new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: "/static/pageheat-player.css" }));
    const s = h("script", { src: "/static/pageheat-player.js" });
    s.addEventListener("load", () => resolve((window as any).pageheatPlayer.Replayer));
    s.addEventListener("error", () => reject(new Error("The replay player could not be loaded.")));
    document.head.append(s);
  });
  return chunk;
}

async function fetchWindow(key: string, id: string, q: Record<string, number>, signal: AbortSignal): Promise<Window | NoReplay> {
  const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`/api/v1/apps/${encodeURIComponent(key)}/sessions/${encodeURIComponent(id)}/replay?${qs}`, { credentials: "same-origin", signal });
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return new Promise(() => undefined);
  }
  const body = await res.json().catch(() => null);
  if (res.status === 404 && body?.reason) return body as NoReplay;
  if (!res.ok) throw new Error(body?.error ?? `${res.status} ${res.statusText}`);
  return body as Window;
}

/** The marks of the session's timeline in the event store (page views, clicks with their
 * rage, dead and error flags, page errors), placed on the replay's clock: the timeline's
 * offsets run from the session's first page view, the player's from the replay's first
 * event. */
export function timelineMarks(d: SessionDetail, start: number): Mark[] {
  const shift = d.start - start;
  return d.timeline.map((it) => {
    const t = Math.max(0, it.t + shift);
    if (it.type === "view") return { t, kind: "page", label: it.view ?? it.url ?? "page" };
    if (it.type === "error") return { t, kind: "error", label: it.message ?? "error" };
    const kind: MarkKind = it.rage ? "rage" : it.dead ? "dead" : it.error ? "error_click" : "click";
    const what = it.text || it.selector || "";
    return { t, kind, label: what ? `${kind === "click" ? "Click" : kind === "error_click" ? "Error click" : kind === "rage" ? "Rage click" : "Dead click"}: ${what}` : "Click" };
  });
}

/** The marks a recording itself shows: clicks (rrweb MouseInteraction Click) and page changes (Meta). */
export function marksOf(events: ReplayEvent[], start: number): Mark[] {
  const out: Mark[] = [];
  for (const e of events) {
    if (e.type === 4) out.push({ t: e.timestamp - start, kind: "page", label: String(e.data?.href ?? "page") });
    else if (e.type === 3 && e.data?.source === 2 && e.data?.type === 2) out.push({ t: e.timestamp - start, kind: "click", label: "Click" });
  }
  return out;
}

const EMPTY: Record<NoReplay["reason"], [string, string]> = {
  replay_off: ["Replay is off for this app", "Turn session replay on in the app's settings to record sessions from now on."],
  not_sampled: ["This session was not sampled", "Only a share of sessions is recorded (the app's replay sample); this one was outside it."],
  missing: ["No replay for this session", "It has expired, was deleted, or the visitor left before anything was recorded."],
};

export async function renderReplay(root: HTMLElement, key: string, id: string, query: URLSearchParams, signal: AbortSignal): Promise<void> {
  document.title = "Replay · pageheat";
  const body = h("main", { class: "page replay-page" }, loading("Loading the replay…"));
  mount(root, topbar([{ label: "Applications", href: "/" }, { label: key, href: appUrl(key) }, { label: `Session ${id}` }, { label: "Replay" }]), body);
  const at = Math.max(0, Number(query.get("t") ?? 0) || 0);
  try {
    // the session's timeline gives the rage, dead and error marks; without it (a replay
    // whose events were deleted or never stored) the recording's own clicks and pages do
    const [Replayer, span, detail] = await Promise.all([
      loadPlayer(),
      fetchWindow(key, id, { to: 0 }, signal),
      api.session(key, id).catch(() => null),
    ]);
    if (signal.aborted) return;
    if ("reason" in span) {
      const [title, text] = EMPTY[span.reason];
      const days = span.reason === "missing" && span.retention_days ? ` Replays are kept ${span.retention_days} days.` : "";
      mount(body, h("div", { class: "state replay-empty", "data-reason": span.reason }, h("h2", null, title), h("p", null, text + days)));
      return;
    }
    const given = detail && detail.timeline.length ? timelineMarks(detail, span.start) : undefined;
    await renderPlayer(body, Replayer, key, id, span.start, span.end, at, signal, given);
  } catch (e) {
    if (!signal.aborted) mount(body, h("div", { class: "state" }, h("h2", null, "The replay could not be shown"), h("p", null, (e as Error).message)));
  }
}

/** The player in `body`, for a replay spanning `start`..`end` (ms since the epoch), from `at` ms after `start`; `given` marks replace the recording's own. */
export async function renderPlayer(
  body: HTMLElement, Replayer: ReplayerClass, key: string, id: string, start: number, end: number, at: number, signal: AbortSignal, given?: Mark[],
): Promise<void> {
  const total = Math.max(1, end - start);
  const target = start + Math.min(at, total);
  const first = (await fetchWindow(key, id, { from: target, to: target + FIRST_WINDOW_MS }, signal)) as Window;
  if (signal.aborted) return;
  let loaded = first.events; // contiguous, time-ordered
  let loadedTo = target + FIRST_WINDOW_MS;
  let fromStart = loaded.length > 0 && loaded[0].timestamp <= start;
  const stage = h("div", { class: "replay-stage" });
  const playBtn = h("button", { class: "btn", type: "button" }, "Pause");
  const speed = h("select", { class: "replay-speed", "aria-label": "Speed" }, SPEEDS.map((s) => h("option", { value: String(s) }, `${s}×`)));
  const skip = h("input", { type: "checkbox", checked: true });
  const clock = h("span", { class: "replay-clock" }, "");
  const bar = h("div", { class: "replay-bar", role: "slider", "aria-label": "Timeline" });
  const progress = h("div", { class: "replay-progress" });
  const list = h("ol", { class: "replay-marks" });
  bar.append(progress);
  const player = h("div", { class: "replay", "data-start-ms": String(target - start) },
    h("div", { class: "replay-main" }, stage,
      h("div", { class: "replay-controls" }, playBtn, speed, h("label", { class: "replay-skip" }, skip, " Skip inactivity"), clock), bar),
    h("aside", { class: "replay-side" }, h("h3", null, "Events"), list));
  mount(body, player);
  if (loaded.length < 2) {
    mount(stage, h("div", { class: "state" }, h("p", null, "Nothing was recorded at this moment.")));
    return;
  }

  let replayer: Replayer | null = null;
  let playing = true;
  let builtFrom = loaded[0].timestamp; // the playing Replayer's first event
  const build = (offsetMs: number) => {
    replayer?.destroy();
    builtFrom = loaded[0].timestamp;
    const r = new Replayer(loaded, { root: stage, skipInactive: skip.checked, speed: Number(speed.value), mouseTail: false, showWarning: false });
    replayer = r;
    r.on("finish", () => { playing = false; playBtn.textContent = "Play"; });
    const base = r.getMetaData().startTime;
    if (playing) r.play(Math.max(0, start + offsetMs - base));
    else r.pause(Math.max(0, start + offsetMs - base));
    return r;
  };
  // The session before the first window (once, whoever asks first: a seek or the background).
  let earlier: Promise<void> | null = null;
  const loadEarlier = () =>
    (earlier ??= (async () => {
      if (fromStart) return;
      const w = (await fetchWindow(key, id, { to: loaded[0].timestamp - 1 }, signal)) as Window;
      loaded = [...w.events, ...loaded];
      fromStart = true;
    })());
  const now = () => replayer!.getMetaData().startTime + replayer!.getCurrentTime() - start;
  /** Where the player is: the clock, the progress bar, and `data-at` (ms after the session's start). */
  const show = () => {
    const t = Math.max(0, now());
    player.dataset.at = String(Math.round(t));
    setVar(progress, "--at", `${(100 * t) / total}%`);
    clock.textContent = `${fmt(t)} / ${fmt(total)}`;
  };
  const seek = async (offsetMs: number) => {
    const ts = start + offsetMs;
    if (ts < builtFrom) {
      // before the playing window: rebuild from the session's beginning
      await loadEarlier();
      build(offsetMs);
    } else {
      const base = replayer!.getMetaData().startTime;
      if (playing) replayer!.play(ts - base);
      else replayer!.pause(ts - base);
    }
    show();
  };

  let marks: Mark[] = given ?? marksOf(loaded, start);
  const drawMarks = () => {
    bar.querySelectorAll(".replay-mark").forEach((m) => m.remove());
    const here = marks.reduce<Mark | null>((best, m) => (best === null || Math.abs(m.t - at) < Math.abs(best.t - at) ? m : best), null);
    const rows = marks.map((m) => {
      const tick = h("button", { class: ["replay-mark", `mark-${m.kind}`, m === here && "is-here"], type: "button", title: `${fmt(m.t)} ${m.label}`, on: { click: () => void seek(m.t) } });
      setVar(tick, "--at", `${(100 * m.t) / total}%`);
      bar.append(tick);
      return h("li", { class: ["replay-event", `mark-${m.kind}`, m === here && "is-here"], "data-t": String(m.t) },
        h("button", { type: "button", class: "linklike", on: { click: () => void seek(m.t) } }, h("span", { class: "replay-event-time" }, fmt(m.t)), " ", kindName(m.kind), " ", h("span", { class: "muted" }, m.label)));
    });
    mount(list, ...rows);
  };
  drawMarks();

  build(target - start);
  playBtn.addEventListener("click", () => {
    playing = !playing;
    if (playing) replayer!.play(replayer!.getCurrentTime());
    else replayer!.pause();
    playBtn.textContent = playing ? "Pause" : "Play";
  });
  speed.addEventListener("change", () => replayer!.setConfig({ speed: Number(speed.value) }));
  skip.addEventListener("change", () => replayer!.setConfig({ skipInactive: skip.checked }));
  bar.addEventListener("click", (ev) => {
    if ((ev.target as Element).closest(".replay-mark")) return;
    const r = bar.getBoundingClientRect();
    void seek(((ev.clientX - r.left) / r.width) * total);
  });
  const tick = window.setInterval(show, 200);
  signal.addEventListener("abort", () => {
    window.clearInterval(tick);
    replayer!.destroy();
  });

  // The rest of the session, in the background: later windows appended to the player.
  while (loadedTo < end && !signal.aborted) {
    const next = (await fetchWindow(key, id, { from: loadedTo + 1, to: loadedTo + LATER_WINDOW_MS }, signal)) as Window;
    const fresh = next.events.filter((e) => e.timestamp > loadedTo);
    loadedTo += LATER_WINDOW_MS;
    loaded = loaded.concat(fresh);
    for (const e of fresh) replayer!.addEvent(e);
    if (!given && fresh.length) {
      marks = marks.concat(marksOf(fresh, start));
      drawMarks();
    }
  }
  if (!signal.aborted) {
    await loadEarlier();
    if (!given) {
      marks = marksOf(loaded, start);
      drawMarks();
    }
  }
  player.dataset.loaded = "all";
}

function kindName(k: MarkKind): string {
  return { click: "Click", rage: "Rage click", dead: "Dead click", error_click: "Error click", error: "Error", page: "Page" }[k];
}

function fmt(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
