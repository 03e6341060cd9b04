/**
 * A trimmed copy of `@medv/finder` 4.0.2 (https://github.com/antonmedv/finder), the
 * same search and the same selectors, without what the tracker never uses (its default
 * filters, other roots, error messages: every failure here is caught by selector.ts),
 * with pageheat's filters and limits built in instead of passed as options, to keep the
 * core script in its size budget. Tag names are element local names: lower case for
 * HTML, as written for SVG (`foreignObject`, which a lower-cased type selector misses).
 *
 * MIT License
 *
 * Copyright (c) 2018 Anton Medvedev
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy
 * of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights
 * to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 * copies of the Software, and to permit persons to whom the Software is
 * furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 * AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 * LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 * OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 * SOFTWARE.
 */

import { now } from "./util";

type Knot = { name_: string; penalty_: number; level_?: number };
type Path = Knot[];

const SEED_MIN_LENGTH = 3;

// pageheat's filters: what survives a deploy (ids, test ids, roles, names, tag and
// position, short semantic class names) stays, what does not (generated class names such
// as `css-1x2y3z`, `sc-abc123`, `_a1b2`, framework ids such as `:r1:` or `ember123`,
// state classes) goes.
const TEST_ATTR = /^data-(testid|test-id|test|cy|qa|pageheat-id)$/;
const NAMED_ATTR = /^(role|name|aria-label|type)$/;
const GENERATED = /^(css|sc|jsx|emotion|styled|svelte|chakra|mui|makestyles)-|^(is-|has-)?(active|open|selected|current|focus(ed)?|hover|disabled|hidden|show|visible|expanded|collapsed|checked)$/i;
/** The search is per click, synchronous (the DOM may change right after): keep it short. */
const TIMEOUT_MS = 20;
const MAX_CHECKS = 400;

/** Whether an id names the same element on every page load (not `:r1:`, `ember123`). */
export const idName = (id: string) => /^[a-z][\w-]{0,63}$/i.test(id) && !/\d{3}|^(ember|radix|headlessui|mui|rc|react)[-\d]/i.test(id);
const className = (c: string) => c.length <= 32 && wordLike(c) && !GENERATED.test(c);
const attrOk = (a: string, value: string) =>
  TEST_ATTR.test(a) ? value.length > 0 && value.length <= 100 : NAMED_ATTR.test(a) && wordLike(value);

/** Check if a name is word-like. */
function wordLike(name: string): boolean {
  if (/^[a-z\-]{3,}$/i.test(name)) {
    for (const word of name.split(/-|[A-Z]/)) {
      if (word.length <= 2 || /[^aeiou]{4,}/i.test(word)) return false;
    }
    return true;
  }
  return false;
}

/** A unique CSS selector of `input` in the document; throws when there is none. */
export function finder(input: Element): string {
  if (input.localName === "html") return "html";
  const start = now();
  let found: Path | undefined;
  let count = 0;
  for (const candidate of search(input)) {
    if (now() - start > TIMEOUT_MS || count >= MAX_CHECKS) {
      const path = fallback(input);
      if (!path) throw 0;
      return selector(path);
    }
    count++;
    if (unique(candidate)) {
      found = candidate;
      break;
    }
  }
  if (!found) throw 0;
  return selector([...optimize(found, input, start)].sort(byPenalty)[0] || found);
}

function* search(input: Element): Generator<Path> {
  const stack: Knot[][] = [];
  let paths: Path[] = [];
  let current: Element | null = input;
  let i = 0;
  while (current) {
    const level = tie(current);
    for (const node of level) node.level_ = i;
    stack.push(level);
    current = current.parentElement;
    i++;
    paths.push(...combinations(stack));
    if (i >= SEED_MIN_LENGTH) {
      paths.sort(byPenalty);
      yield* paths;
      paths = [];
    }
  }
  paths.sort(byPenalty);
  yield* paths;
}

function tie(element: Element): Knot[] {
  const level: Knot[] = [];
  const elementId = element.id;
  if (elementId && idName(elementId)) level.push({ name_: "#" + CSS.escape(elementId), penalty_: 0 });
  for (let i = 0; i < element.classList.length; i++) {
    const name = element.classList[i];
    if (className(name)) level.push({ name_: "." + CSS.escape(name), penalty_: 1 });
  }
  for (let i = 0; i < element.attributes.length; i++) {
    const attr = element.attributes[i];
    if (attrOk(attr.name, attr.value)) {
      level.push({ name_: `[${CSS.escape(attr.name)}="${CSS.escape(attr.value)}"]`, penalty_: 2 });
    }
  }
  const tagName = element.localName;
  level.push({ name_: tagName, penalty_: 5 });
  const index = indexOf(element, tagName);
  if (index !== undefined) level.push({ name_: nth(tagName, "of-type", index), penalty_: 10 });
  const child = indexOf(element);
  if (child !== undefined) level.push({ name_: nth(tagName, "child", child), penalty_: 50 });
  return level;
}

function selector(path: Path): string {
  let node = path[0];
  let query = node.name_;
  for (let i = 1; i < path.length; i++) {
    const level = path[i].level_ || 0;
    query = node.level_ === level - 1 ? `${path[i].name_} > ${query}` : `${path[i].name_} ${query}`;
    node = path[i];
  }
  return query;
}

function penalty(path: Path): number {
  return path.reduce((acc, node) => acc + node.penalty_, 0);
}

function byPenalty(a: Path, b: Path): number {
  return penalty(a) - penalty(b);
}

function indexOf(input: Element, tagName?: string): number | undefined {
  const parent = input.parentNode;
  if (!parent) return undefined;
  let i = 0;
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1 && (!tagName || (child as Element).localName === tagName)) i++;
    if (child === input) break;
  }
  return i;
}

function fallback(input: Element): Path | undefined {
  let i = 0;
  let current: Element | null = input;
  const path: Path = [];
  while (current) {
    const tagName = current.localName;
    const index = indexOf(current, tagName);
    if (index === undefined) return undefined;
    path.push({ name_: nth(tagName, "of-type", index), penalty_: NaN, level_: i });
    current = current.parentElement;
    i++;
  }
  if (unique(path)) return path;
}

/** `tag:nth-child(i)` or `tag:nth-of-type(i)` (`html` alone: there is one). */
function nth(tagName: string, kind: string, index: number): string {
  return tagName === "html" ? "html" : `${tagName}:nth-${kind}(${index})`;
}

function* combinations(stack: Knot[][], path: Knot[] = []): Generator<Knot[]> {
  if (stack.length > 0) {
    for (const node of stack[0]) yield* combinations(stack.slice(1), path.concat(node));
  } else {
    yield path;
  }
}

/** Whether the path selects one element; throws when it selects none. */
function unique(path: Path): boolean {
  const n = document.querySelectorAll(selector(path)).length;
  if (!n) throw 0;
  return n === 1;
}

function* optimize(path: Path, input: Element, start: number): Generator<Path> {
  if (path.length > 2) {
    for (let i = 1; i < path.length - 1; i++) {
      if (now() - start > TIMEOUT_MS) return;
      const newPath = [...path];
      newPath.splice(i, 1);
      if (unique(newPath) && document.querySelector(selector(newPath)) === input) {
        yield newPath;
        yield* optimize(newPath, input, start);
      }
    }
  }
}
