/**
 * Stable CSS selectors for click targets, by `@medv/finder` (a trimmed copy: finder.ts)
 * with filters that keep what survives a deploy (ids, test ids, roles, names, tag and
 * position, short semantic class names) and drop what does not (generated class names
 * such as `css-1x2y3z`, `sc-abc123`, `_a1b2`, framework ids such as `:r1:` or
 * `ember123`, state classes).
 */
import { finder, type Options, wordLike } from "./finder";
import { cut } from "./util";

const TEST_ATTR = /^data-(testid|test-id|test|cy|qa|pageheat-id)$/;
const NAMED_ATTR = /^(role|name|aria-label|type)$/;
const GENERATED = /^(css|sc|jsx|emotion|styled|svelte|chakra|mui|makestyles)-|^(is-|has-)?(active|open|selected|current|focus(ed)?|hover|disabled|hidden|show|visible|expanded|collapsed|checked)$/i;

/** Whether an id names the same element on every page load (not `:r1:`, `ember123`). */
export const idName = (id: string) => /^[a-z][\w-]{0,63}$/i.test(id) && !/\d{3}|^(ember|radix|headlessui|mui|rc|react)[-\d]/i.test(id);

const options: Options = {
  idName_: idName,
  className_: (c: string) => c.length <= 32 && wordLike(c) && !GENERATED.test(c),
  attr_: (a: string, value: string) =>
    TEST_ATTR.test(a) ? value.length > 0 && value.length <= 100 : NAMED_ATTR.test(a) && wordLike(value),
  // The search is per click, synchronous (the DOM may change right after): keep it short.
  timeoutMs_: 20,
  maxChecks_: 400,
};

/** The element's own id, when it names it alone: the stable answer, found without a
 * search, so a busy page cannot time finder out into a positional path. */
function direct(el: Element): string {
  const sel = idName(el.id) ? "#" + CSS.escape(el.id) : "";
  return sel && document.querySelectorAll(sel).length === 1 ? sel : "";
}

/** Selectors found, per element, since the DOM last changed (nodes added or removed,
 * attributes set): in an unchanged DOM the search would find the same selector again,
 * and it costs a click about a millisecond on a page of 400 elements, most of it in
 * querySelectorAll (issue 9's profile). Text changes never change a selector. */
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
    sel = sel || finder(el, options);
  } catch {}
  sel = sel && sel.length <= 1024 ? sel : cut(el.tagName.toLowerCase(), 64);
  found.set(el, sel);
  return sel;
}
