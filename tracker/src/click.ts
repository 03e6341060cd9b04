/**
 * The `click` event: where (page x/y, offset inside the element), on what (selector,
 * tag, trimmed text, href), how (pointer type) and whether the element is interactive
 * or fixed on screen. Clicks are attributed to the nearest interactive ancestor within
 * a few levels (a click on a span inside a button is a click on the button), and held
 * a second for their frustration flags (frustration.ts).
 *
 * Nothing in the handler reads style or layout: a click's own state changes (:active,
 * :focus) leave both stale, and reading a box then makes the browser bring them up to
 * date at once, in the handler (0.1–0.25 ms a click on a 400-element page; docs/performance.md). The
 * element's box (for the offset), the viewport and document size and the fixed flag are
 * read once the next frame is drawn, when they are up to date anyway, or when the click
 * leaves, if no frame comes first (hidden tab); a scroll in between is allowed for. An
 * element that the click's own handlers move has its offset measured where it is drawn
 * after the click (clamped to 0..1); one they remove has no box left: the middle.
 * Keyboard activations, which have no pointer position, read the box at once: its centre
 * is their position.
 */
import { hold } from "./frustration";
import type { Event } from "./transport";
import { selectorOf } from "./selector";
import { cut, now, on, px, unit } from "./util";
import { sizes, view } from "./view";

const EDITABLE = "[contenteditable]:not([contenteditable=false])";
const INTERACTIVE = "a,button,input,select,textarea,label,summary,area,option,[onclick],[tabindex]:not([tabindex='-1'])," + EDITABLE;
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

/** From attributes (`isContentEditable` would bring style up to date): inside any
 * contenteditable element, even one turned off again within it (no text sent). */
function editable(el: Element): boolean {
  return NO_TEXT.test(el.tagName) || !!el.closest(EDITABLE);
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
  // Keyboard activation (detail 0) has no position: the element's centre.
  const key = !e.detail;
  const { clientX, clientY } = e;
  const link = target.closest("a[href],area[href]") as HTMLAnchorElement | null;
  const type = (e as PointerEvent).pointerType || pointer;
  const c: Event = {
    k: "click",
    t: now(),
    v: view,
    x: px(e.pageX),
    y: px(e.pageY),
    sel: selectorOf(el),
    tag: cut(el.localName, 64),
    text: textOf(el),
    href: link ? cut(link.href, 2048) : undefined,
    interactive: !!hit,
    pointer: POINTERS.test(type) ? type : "mouse",
  };
  const box = () => {
    if (c.vw) return;
    const b = el.getBoundingClientRect();
    const fixed = fixedOf(el);
    // where the pointer was, in the viewport as it is now: scrolling since the click has
    // moved the box, unless it is fixed
    const x = fixed ? clientX : (c.x as number) - scrollX;
    const y = fixed ? clientY : (c.y as number) - scrollY;
    Object.assign(c, sizes(), {
      rx: key ? 0.5 : unit((x - b.left) / b.width),
      ry: key ? 0.5 : unit((y - b.top) / b.height),
      fixed,
    });
    if (key) (c.x = px(b.left + b.width / 2 + scrollX)), (c.y = px(b.top + b.height / 2 + scrollY));
  };
  // after the next frame's rendering, not in its callbacks (which run before it)
  key ? box() : requestAnimationFrame(() => setTimeout(box));
  hold(c, el, editable(target) || target.tagName === "CANVAS", box);
}

/** Listen (capture phase: before the page's own handlers change the DOM). */
export function watchClicks(): void {
  on("pointerdown pointerup", onPointer, 1);
  on("click", onClick, 1);
}
