/**
 * A trimmed copy of `@medv/finder` 4.0.2 (https://github.com/antonmedv/finder), the
 * same search and the same selectors, without what the tracker never uses (its default
 * filters, other roots, error messages: every failure here is caught by selector.ts),
 * to keep the core script in its size budget.
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

export type Options = {
  idName_: (name: string) => boolean;
  className_: (name: string) => boolean;
  attr_: (name: string, value: string) => boolean;
  timeoutMs_: number;
  maxChecks_: number;
};

type Knot = { name_: string; penalty_: number; level_?: number };
type Path = Knot[];

const SEED_MIN_LENGTH = 3;

/** Check if a name is word-like. */
export function wordLike(name: string): boolean {
  if (/^[a-z\-]{3,}$/i.test(name)) {
    for (const word of name.split(/-|[A-Z]/)) {
      if (word.length <= 2 || /[^aeiou]{4,}/i.test(word)) return false;
    }
    return true;
  }
  return false;
}

/** A unique CSS selector of `input` in the document; throws when there is none. */
export function finder(input: Element, config: Options): string {
  if (input.tagName.toLowerCase() === "html") return "html";
  const start = now();
  let found: Path | undefined;
  let count = 0;
  for (const candidate of search(input, config)) {
    if (now() - start > config.timeoutMs_ || count >= config.maxChecks_) {
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
  return selector([...optimize(found, input, config, start)].sort(byPenalty)[0] || found);
}

function* search(input: Element, config: Options): Generator<Path> {
  const stack: Knot[][] = [];
  let paths: Path[] = [];
  let current: Element | null = input;
  let i = 0;
  while (current) {
    const level = tie(current, config);
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

function tie(element: Element, config: Options): Knot[] {
  const level: Knot[] = [];
  const elementId = element.id;
  if (elementId && config.idName_(elementId)) level.push({ name_: "#" + CSS.escape(elementId), penalty_: 0 });
  for (let i = 0; i < element.classList.length; i++) {
    const name = element.classList[i];
    if (config.className_(name)) level.push({ name_: "." + CSS.escape(name), penalty_: 1 });
  }
  for (let i = 0; i < element.attributes.length; i++) {
    const attr = element.attributes[i];
    if (config.attr_(attr.name, attr.value)) {
      level.push({ name_: `[${CSS.escape(attr.name)}="${CSS.escape(attr.value)}"]`, penalty_: 2 });
    }
  }
  const tagName = element.tagName.toLowerCase();
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
    if (child.nodeType === 1 && (!tagName || (child as Element).tagName.toLowerCase() === tagName)) i++;
    if (child === input) break;
  }
  return i;
}

function fallback(input: Element): Path | undefined {
  let i = 0;
  let current: Element | null = input;
  const path: Path = [];
  while (current) {
    const tagName = current.tagName.toLowerCase();
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

function* optimize(path: Path, input: Element, config: Options, start: number): Generator<Path> {
  if (path.length > 2) {
    for (let i = 1; i < path.length - 1; i++) {
      if (now() - start > config.timeoutMs_) return;
      const newPath = [...path];
      newPath.splice(i, 1);
      if (unique(newPath) && document.querySelector(selector(newPath)) === input) {
        yield newPath;
        yield* optimize(newPath, input, config, start);
      }
    }
  }
}
