/**
 * The `click` event: where (page x/y, offset inside the element), on what (selector,
 * tag, trimmed text, href), how (pointer type) and whether the element is interactive
 * or fixed on screen. Clicks are attributed to the nearest interactive ancestor within
 * a few levels (a click on a span inside a button is a click on the button), and held
 * a second for their frustration flags (frustration.ts).
 */
import { hold } from "./frustration";
import { selectorOf } from "./selector";
import { cut, now, on, px, unit } from "./util";
import { sizes, view } from "./view";

const INTERACTIVE =
  "a,button,input,select,textarea,label,summary,area,option,[onclick],[tabindex]:not([tabindex='-1'])," +
  "[contenteditable]:not([contenteditable=false])";
const ROLES = /^(button|link|checkbox|radio|switch|tab|menuitem\w*|option|combobox|slider|treeitem)$/;
/** How far up from the clicked node an interactive element may be. */
const LEVELS = 6;
const MASK = "[data-pageheat-mask],[data-pageheat-block]";
/** Elements whose text is a value the visitor typed or chose, or is not text at all. */
const NO_TEXT = /^(INPUT|TEXTAREA|SELECT|OPTION|SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/;
const POINTERS = /^(mouse|touch|pen)$/;

let pointer = "mouse";
/** A click is being handled in this task: ignore the click a label forwards to its input. */
let busy = false;

function interactiveOf(el: Element): Element | null {
  for (let e: Element | null = el, i = 0; e && i < LEVELS; e = e.parentElement, i++) {
    if (e.matches(INTERACTIVE) || ROLES.test(e.getAttribute("role") || "")) return e;
  }
  return null;
}

function editable(el: Element): boolean {
  return NO_TEXT.test(el.tagName) || (el as HTMLElement).isContentEditable;
}

/** The element's visible words, collapsed and cut; "" for fields and masked parts. */
function textOf(el: Element): string {
  if (el.closest(MASK) || editable(el)) return "";
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let text = "";
  let node: Node | null;
  // Bounded: a click on a large container reads its first words only.
  for (let i = 0; text.length < 512 && i < 300 && (node = walker.nextNode()); i++) {
    const parent = node.parentElement;
    if (parent && !editable(parent) && !parent.closest(MASK)) text += " " + node.nodeValue;
  }
  if (!text.trim()) text = el.getAttribute("aria-label") || el.getAttribute("title") || "";
  return cut(text.replace(/\s+/g, " ").trim(), 256);
}

function fixedOf(el: Element | null): boolean {
  for (; el && el !== document.documentElement; el = el.parentElement) {
    if (/^(fixed|sticky)$/.test(getComputedStyle(el).position)) return true;
  }
  return false;
}

function onPointer(e: PointerEvent): void {
  pointer = e.pointerType;
}

function onClick(e: MouseEvent): void {
  const target = e.target;
  if (!e.isTrusted || busy || !(target instanceof Element) || !view) return;
  busy = true;
  setTimeout(() => (busy = false));
  const hit = interactiveOf(target);
  const el = hit || target;
  const box = el.getBoundingClientRect();
  // Keyboard activation (detail 0) has no position: use the element's centre.
  const key = !e.detail;
  const rx = key ? 0.5 : unit((e.clientX - box.left) / box.width);
  const ry = key ? 0.5 : unit((e.clientY - box.top) / box.height);
  const link = target.closest("a[href],area[href]") as HTMLAnchorElement | null;
  const type = (e as PointerEvent).pointerType || pointer;
  const c = {
    k: "click",
    t: now(),
    v: view,
    x: px(key ? box.left + box.width / 2 + scrollX : e.pageX),
    y: px(key ? box.top + box.height / 2 + scrollY : e.pageY),
    ...sizes(),
    sel: selectorOf(el),
    rx,
    ry,
    tag: cut(el.tagName.toLowerCase(), 64),
    text: textOf(el),
    href: link ? cut(link.href, 2048) : undefined,
    interactive: !!hit,
    pointer: POINTERS.test(type) ? type : "mouse",
    fixed: fixedOf(el),
  };
  hold(c, el, editable(target) || target.tagName === "CANVAS");
}

/** Listen (capture phase: before the page's own handlers change the DOM). */
export function watchClicks(): void {
  on("pointerdown pointerup", onPointer, 1);
  on("click", onClick, 1);
}
