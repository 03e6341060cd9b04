// "N sessions →": how many sessions a spot, an element or an area of the heatmap stands
// for, as a link to the Sessions page narrowed the same way.

import { api, type Params } from "../api";
import { fmtInt, h } from "../dom";

/** The line for `narrow` (empty values left out) under the heatmap's own `scope`; `href`
 * makes the Sessions page's address of it. */
export async function sessionsLine(
  key: string, scope: Params, narrow: Record<string, string>, href?: (narrow: Record<string, string>) => string,
): Promise<HTMLElement> {
  const params = Object.fromEntries(Object.entries(narrow).filter(([, v]) => v !== ""));
  try {
    const n = (await api.sessions(key, { ...scope, ...params, limit: "1" })).total;
    if (!n || !href) return h("span", { class: "tip-sub", "data-testid": "sessions-none", "data-count": "0" }, "No session in this range");
    return h("a", { class: "tip-link", href: href(params), "data-testid": "sessions-link", "data-count": String(n) }, `${fmtInt(n)} session${n === 1 ? "" : "s"} →`);
  } catch (e) {
    return h("span", { class: "tip-sub" }, `Could not list the sessions: ${(e as Error).message}`);
  }
}
