// A tiny element helper: the dashboard builds its DOM with this, never with innerHTML,
// so captured or user-given text can never become markup, and no inline style or
// script is ever needed (the dashboard runs under a strict CSP).

export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (ev: any) => void;
export interface Props {
  class?: string | (string | false | null | undefined)[];
  on?: Record<string, Handler>;
  [attr: string]: unknown;
}

/** `h("a", {href: "/x", class: "link"}, "text", child…)` → an element. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") {
        const list = Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value);
        if (list) el.className = list;
      } else if (name === "on") {
        for (const [ev, fn] of Object.entries(value as Record<string, Handler>)) {
          el.addEventListener(ev, fn);
        }
      } else if (name in el && typeof value !== "string") {
        (el as any)[name] = value; // properties such as value, checked, disabled
      } else {
        el.setAttribute(name, value === true ? "" : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace every child of `el`. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Sets a CSS custom property (CSSOM, which a strict style-src CSP allows). */
export function setVar(el: HTMLElement, name: string, value: string | number): void {
  el.style.setProperty(name, String(value));
}

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : Math.round(n).toLocaleString("en-US");
}

export function fmtPct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined) return "—";
  return `${(share * 100).toFixed(digits)} %`;
}

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return "—";
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** "3 minutes ago" style, falling back to the date for old times; ISO text or ms since the epoch. */
export function fmtAgo(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === "") return "never";
  const t = typeof iso === "number" ? iso : Date.parse(iso);
  if (!Number.isFinite(t)) return String(iso);
  const s = Math.max(0, (Date.now() - t) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 30 * 86400) return `${Math.floor(s / 86400)} d ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** A loading placeholder, an error box, an empty state. */
export function loading(what = "Loading…"): HTMLElement {
  return h("div", { class: "state state-loading", role: "status" }, h("span", { class: "spinner" }), what);
}

export function errorBox(message: string, retry?: () => void): HTMLElement {
  return h(
    "div",
    { class: "state state-error", role: "alert" },
    h("p", null, message),
    retry && h("button", { class: "btn", type: "button", on: { click: retry } }, "Try again"),
  );
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context: fall back to a hidden textarea.
    const ta = h("textarea", { class: "offscreen", readonly: true });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}
