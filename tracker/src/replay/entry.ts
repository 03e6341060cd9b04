/**
 * pageheat-replay.js — session replay's recorder, loaded by pageheat.js only for the
 * sessions the collector's answer says are recorded (`"replay": true`: the app has
 * replay on and the session id's hash falls in its replay sample), from the tracker's
 * own endpoint. It records the page with rrweb's `record` (rrweb 2.2.2, the line of the
 * rrweb-snapshot the snapshot code bundles) and posts what it recorded to
 * `POST /api/v1/replay` (docs/protocol.md, "Session replay") every `pageheatConfig.r`
 * seconds (setting replay_chunk_s, 10 by default), when the page is hidden, and with a
 * beacon at pagehide, as `{app, sdk, visitor, session, view, seq, events}`, gzipped by
 * the browser's CompressionStream where it exists, always as text/plain (no preflight).
 * `view` is the tracker's current page view id (SPA routes start a new one: its chunks
 * count `seq` from 0 again and start with a full snapshot); a chunk that fails is sent
 * again unchanged (the server keeps one copy of each (session, view, seq)).
 *
 * What leaves the page, and what does not:
 * - the DOM as rrweb serialises it and its changes, stylesheets inlined, scroll and
 *   viewport changes, mouse positions and clicks, media play/pause;
 * - never: input, textarea and select values (rrweb's maskAllInputs, each value
 *   replaced by "", so not even its length leaves) nor any input event (checkbox and
 *   radio changes included), keystrokes (rrweb records none), canvas pixels
 *   (recordCanvas off), cross-origin frames, fonts, scripts, comments and head meta
 *   (slimDOM); elements under `data-pageheat-block` are an empty box of their size,
 *   text under `data-pageheat-mask` and in contenteditable elements is masked.
 * A final refusal (any 4xx but 429: replay turned off, the session outside the sample
 * or at its cap, opt-out) stops the recorder for this page.
 */
import { record } from "rrweb";

type State = () => false | [view: string, session: string];
type Ev = { type: number; timestamp: number; data: any };

const SDK = "pageheat-replay/0.1";
const cfg = (self as any).pageheatConfig || {};
const EVERY_MS = (cfg.r || 10) * 1000;
/** A chunk leaves early past this many events (a busy page between two ticks). */
const MAX_EVENTS = 5000;
/** A full snapshot every 5 minutes on a page that stays: a player seeking into a long
 * session starts from the nearest one instead of the session's start. */
const CHECKOUT_MS = 300_000;
/** Largest body sent with keepalive (its in-flight total is capped at 64 KB). */
const KEEPALIVE_BYTES = 50_000;
/** rrweb's IncrementalSnapshot event, and its Input source (never sent). */
const INCREMENTAL = 3;
const INPUT = 5;

function start(base: string, app: string, visitor: string, state: State): void {
  const url = base + "/api/v1/replay";
  let events: Ev[] = [];
  let at = state();
  let seq = 0;
  let done = false;
  let stopRecording: (() => void) | undefined;

  const stop = () => {
    done = true;
    events = [];
    stopRecording && stopRecording();
    clearInterval(timer);
  };

  /** Retries: 2, 4, 8, 16 s, then the chunk is given up (the page has moved on). A
   * small body may outlive the page (keepalive: browsers cap those at 64 KB in flight),
   * so a chunk sent as the page is hidden still arrives if it is then closed. */
  const deliver = (body: Blob, beacon?: boolean, tries = 0): void => {
    if (beacon && navigator.sendBeacon(url, body)) return;
    fetch(url, { method: "POST", body, credentials: "omit", keepalive: body.size < KEEPALIVE_BYTES }).then(
      (r) => {
        if (r.status >= 400 && r.status < 500 && r.status !== 429) stop();
        else if (!r.ok) throw 0;
      },
    ).catch(() => !done && tries < 4 && setTimeout(() => deliver(body, false, tries + 1), 2000 << tries));
  };

  /** Send what is pending as one chunk of the view it was recorded in. */
  const send = (beacon?: boolean): void => {
    if (!events.length || !at || done) return;
    const json = JSON.stringify({ app, sdk: SDK, visitor, session: at[1], view: at[0], seq: seq++, events });
    events = [];
    const text = new Blob([json], { type: "text/plain" });
    if (beacon || !(self as any).CompressionStream) return deliver(text, beacon);
    new Response(text.stream().pipeThrough(new (self as any).CompressionStream("gzip")))
      .blob()
      .then(
        (gz) => deliver(new Blob([gz], { type: "text/plain" })),
        () => deliver(text),
      );
  };

  const timer = setInterval(send, EVERY_MS);
  addEventListener("pagehide", () => send(true));
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && send());

  stopRecording = record({
    emit(e: Ev) {
      if (done) return;
      const now = state();
      if (!now) return stop(); // the visitor opted out
      if (at && (now[0] !== at[0] || now[1] !== at[1])) {
        // a new page view (SPA route) or session: its own chunks, from a full snapshot
        send();
        seq = 0;
        setTimeout(() => !done && record.takeFullSnapshot(true));
      }
      at = now;
      if (e.type === INCREMENTAL && e.data.source === INPUT) return;
      events.push(e);
      if (events.length >= MAX_EVENTS) send();
    },
    maskAllInputs: true,
    maskInputFn: () => "",
    maskTextSelector: "[data-pageheat-mask],[contenteditable]:not([contenteditable=false])",
    blockSelector: "[data-pageheat-block]",
    recordCanvas: false,
    recordCrossOriginIframes: false,
    collectFonts: false,
    inlineImages: false,
    inlineStylesheet: true,
    slimDOMOptions: "all",
    sampling: { mousemove: 50, scroll: 150, media: 800, input: "last" },
    checkoutEveryNms: CHECKOUT_MS,
  });
}

/** Called by pageheat.js (layout.ts) with its endpoint, app key, visitor id and a
 * function giving the current page view and session ids (false once opted out). Never
 * throws: an exception here would reach the page's error handlers. */
(self as any).pageheatReplay = (base: string, app: string, visitor: string, state: State) => {
  try {
    start(base, app, visitor, state);
  } catch {}
};
