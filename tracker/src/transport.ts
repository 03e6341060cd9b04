/**
 * Batching and delivery to `POST {endpoint}/api/v1/collect` (wire protocol v1).
 *
 * Events wait in memory for at most `flushMs` (5 s by default: a request costs the page's
 * main thread 2–4 ms in Chromium, more than a burst of events does, so it is amortised
 * over 5 s of them, not 1) and leave in batches of ≤ 500 events and < 256 KB, as a `text/plain` body (a "simple" request: no CORS
 * preflight) by `fetch(keepalive)`, or by `sendBeacon` when the page is being hidden.
 * A batch that fails (network error, or any answer but 2xx and the final 400/403/413)
 * is kept byte for byte, same `batch` id, in localStorage (`pageheat_q`) and resent with
 * backoff (2 s, 4 s … 60 s) and on the next page load; the collector counts it once.
 */
import { get, rid, sessionId, set } from "./ids";
import { answered } from "./layout";
import { now } from "./util";

export type Event = { k: string; t: number; v: string; [field: string]: unknown };

const SDK = "pageheat-js/0.1";
const MAX_EVENTS = 500;
const MAX_BYTES = 250_000;
const QUEUE = "pageheat_q";
const QUEUE_BATCHES = 20;
const QUEUE_CHARS = 200_000;
/** Answers that resending cannot change: the batch is dropped. */
const FINAL = [400, 403, 413];

/** The collector's base URL (requests under it are not page activity for dead clicks:
 * frustration.ts), and its collect URL. */
export let base = "";
let url = "";
export let app = "";
export let visitor = "";
let flushMs = 5000;
/** Stopped for good (opt-out). */
export let off = false;
let timer: ReturnType<typeof setTimeout> | 0 = 0;
let retryTimer: ReturnType<typeof setTimeout> | 0 = 0;
let retrying = false;
let backoff = 0;
const pending: Event[] = [];
/** Run first by every flush (`beacon`: the page is going): events kept open for more
 * data (move points, error counts) close, and held clicks leave when the page goes. */
export const hooks: ((beacon?: boolean) => void)[] = [];

export function setup(endpoint: string, appKey: string, visitorId: string, ms: number): void {
  url = (base = endpoint) + "/api/v1/collect";
  app = appKey;
  visitor = visitorId;
  flushMs = ms;
  if (stored().length) later();
}

export function push(event: Event): void {
  if (off) return;
  pending.push(event);
  if (pending.length >= MAX_EVENTS) flush();
  else if (!timer) timer = setTimeout(flush, flushMs);
}

/** Send everything pending now; `beacon` when the page may be gone before a fetch ends. */
export function flush(beacon?: boolean): void {
  hooks.forEach((f) => f(beacon));
  clearTimeout(timer);
  timer = 0;
  while (pending.length && !off) {
    let n = Math.min(pending.length, MAX_EVENTS);
    let body = encode(n);
    while (n > 1 && new Blob([body]).size > MAX_BYTES) body = encode((n >>= 1));
    pending.splice(0, n);
    if (!beacon) post(url, body).catch(() => keep(body));
    else if (!sendBeacon(body)) keep(body);
  }
}

/** Stop for good (opt-out): drop what is pending and what waits for a retry. */
export function stop(): void {
  off = true;
  pending.length = 0;
  set(QUEUE, null);
}

function encode(n: number): string {
  const t = now();
  return JSON.stringify({
    app,
    sdk: SDK,
    batch: rid(),
    visitor,
    session: sessionId(t),
    events: pending.slice(0, n),
  });
}

function sendBeacon(body: string): boolean {
  try {
    return navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
  } catch {
    return false;
  }
}

/** Resolves once the collector has the batch or refused it for good; rejects to retry.
 * Its answer may ask for a snapshot (`need_snapshot`: layout.ts); a beacon's is lost. */
function post(to: string, body: string): Promise<void> {
  return fetch(to, {
    method: "POST",
    body,
    keepalive: body.length < 20_000, // ≤ 60 KB even if all non-ASCII: browsers cap keepalive at 64 KB
    credentials: "omit",
  }).then((r) => {
    if (!r.ok && FINAL.indexOf(r.status) < 0) throw 0; // retried
    // Not chained: an odd answer body must neither fail the batch nor reach the page
    // as an unhandled rejection.
    if (r.ok) r.json().then(answered).catch(() => {});
  });
}

type Stored = [url: string, body: string];

function stored(): Stored[] {
  try {
    const q = JSON.parse(get(QUEUE) || "[]");
    return Array.isArray(q) ? q : [];
  } catch {
    return [];
  }
}

function save(q: Stored[]): void {
  while (q.length > QUEUE_BATCHES || (q.length > 1 && JSON.stringify(q).length > QUEUE_CHARS)) q.shift();
  set(QUEUE, q.length ? JSON.stringify(q) : null);
}

function keep(body: string): void {
  if (off) return;
  const q = stored();
  q.push([url, body]);
  save(q);
  later();
}

function later(): void {
  if (!retryTimer && !retrying) retryTimer = setTimeout(retry, Math.min(60_000, 2000 << backoff));
}

/** Resend the stored batches unchanged, oldest first, one at a time. */
function retry(): void {
  retryTimer = 0;
  const first = stored()[0];
  if (!first || off) return;
  retrying = true;
  const [to, body] = first;
  post(to, body).then(
    () => {
      save(stored().filter((s) => s[1] !== body));
      retrying = false;
      backoff = 0;
      retry();
    },
    () => {
      retrying = false;
      backoff = Math.min(backoff + 1, 5);
      later();
    },
  );
}
