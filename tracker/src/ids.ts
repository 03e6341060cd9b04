/**
 * Random ids, and the two ids kept in the visitor's browser: the visitor id
 * (`pageheat_vid`, localStorage) and the session id (`pageheat_sid`, localStorage,
 * shared by the site's tabs, renewed after 30 minutes without activity: the server's
 * `session_idle_min` setting, `pageheatConfig.i`).
 */
import { cfg } from "./config";

const SESSION_IDLE_MS = (cfg.i || 30) * 6e4;
/** Used when localStorage is unavailable (sandboxed frames, some private modes). */
const memory: Record<string, string> = {};

/** 24 random hex digits (96 bits) from the platform's CSPRNG (in every browser the
 * bundle's ES2019 target runs in, secure context or not). */
export function rid(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  let s = "";
  for (let i = 0; i < 12; i++) s += (b[i] + 256).toString(16).slice(1);
  return s;
}

export function get(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return key in memory ? memory[key] : null;
  }
}

/** Store `value` under `key`, or remove the key when `value` is null. */
export function set(key: string, value: string | null): void {
  try {
    value == null ? localStorage.removeItem(key) : localStorage.setItem(key, value);
  } catch {
    value == null ? delete memory[key] : (memory[key] = value);
  }
}

/** An id or app key as the collector accepts it. */
export const valid = (id: string | undefined | null): id is string => !!id && /^[\w-]{1,64}$/.test(id);

export function visitorId(): string {
  let id = get("pageheat_vid");
  if (!valid(id)) set("pageheat_vid", (id = rid()));
  return id;
}

/** The session id at time `t`, recording `t` as the session's last activity (at most
 * every 10 s: a localStorage write costs a batch more than the rest of its sending). */
export function sessionId(t: number): string {
  let [id, last] = (get("pageheat_sid") || "").split(":");
  if (!valid(id) || !(t - +last < SESSION_IDLE_MS)) (id = rid()), (last = "0");
  if (t - +last > 1e4) set("pageheat_sid", id + ":" + t);
  return id;
}
