// Behaviour cohorts as the dashboard names them (`cohort=` of the API, pageheat.outcomes):
// the sessions that reached a goal or not, had a rage or dead click or an error, clicked
// a selector, or reached (or dropped at) a funnel step.

import type { Goal } from "../api";

/** The app's goals once the page has them, so a cohort names its goal. */
let known: Goal[] | null = null;
export function useGoals(goals: Goal[]): void {
  known = goals;
}

/** The cohorts that need no definition (`cohort=` of the API). */
const PLAIN: [string, string][] = [
  ["rage", "Sessions with a rage click"],
  ["dead", "Sessions with a dead click"],
  ["error", "Sessions with an error"],
];

/** A cohort in words ("Converted: Order", "Dropped at step 2 of funnel F1"). */
export function cohortLabel(cohort: string, goals: Goal[] | null = known): string {
  const plain = PLAIN.find(([c]) => c === cohort);
  if (plain) return plain[1];
  const [kind, ...rest] = cohort.split(":");
  const arg = rest.join(":");
  const goal = (id: string) => goals?.find((g) => g.id === id)?.name ?? id;
  if (kind === "converted") return `Converted: ${goal(arg)}`;
  if (kind === "not_converted") return `Not converted: ${goal(arg)}`;
  if (kind === "clicked") return `Clicked ${arg}`;
  if (kind === "funnel" && rest.length === 3) return `${rest[2] === "dropped" ? "Dropped at" : "Reached"} step ${rest[1]} of funnel ${rest[0]}`;
  return cohort;
}

/** Every cohort the chooser offers (value, label): the plain ones, each goal's two sides. */
export function cohortOptions(goals: Goal[] | null): [string, string][] {
  const out = [...PLAIN];
  for (const g of goals ?? []) out.push([`converted:${g.id}`, `Converted: ${g.name}`], [`not_converted:${g.id}`, `Not converted: ${g.name}`]);
  return out;
}
