/**
 * Stable CSS selectors for click targets, by `@medv/finder` (a trimmed copy: finder.ts,
 * with the filters that keep what survives a deploy and drop what does not).
 */
import { finder, idName } from "./finder";
import { cut } from "./util";

/** The element's own id, when it names it alone: the stable answer, found without a
 * search, so a busy page cannot time finder out into a positional path. */
function direct(el: Element): string {
  const sel = idName(el.id) ? "#" + CSS.escape(el.id) : "";
  return sel && document.querySelectorAll(sel).length === 1 ? sel : "";
}

/** Selectors found, per element, since the DOM last changed (nodes added or removed,
 * attributes set): in an unchanged DOM the search would find the same selector again,
 * and it costs a click about a millisecond on a page of 400 elements, most of it in
 * querySelectorAll (docs/performance.md). Text changes never change a selector. */
let found = new WeakMap<Element, string>();
const changes = new MutationObserver(() => (found = new WeakMap()));

/** A selector that `document.querySelector` resolves to `el` (≤ 1024 characters). */
export function selectorOf(el: Element): string {
  // changes made in this task, not yet delivered to the observer, count too; watching
  // starts with the first click (observing again is the same registration)
  if (changes.takeRecords().length) found = new WeakMap();
  changes.observe(document, { subtree: true, childList: true, attributes: true });
  let sel = found.get(el) || direct(el);
  try {
    sel = sel || finder(el);
  } catch {}
  sel = sel && sel.length <= 1024 ? sel : cut(el.localName, 64);
  found.set(el, sel);
  return sel;
}
