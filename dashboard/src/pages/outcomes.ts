// An app's goals and funnels: what conversion is counted towards and which ordered steps
// a funnel follows. Reading them is a reader's right, defining or deleting them a
// writer's (the server says so with a 403, shown under the form). A goal is a view
// reached, an element clicked on a view, or a custom event (`pageheat.goal(name)`); a
// funnel is 2 to 10 steps, each a view, an element clicked on a view, or a goal.

import { api, type Funnel, type FunnelStepDefinition, type Goal, type NewGoal, type View } from "../api";
import { confirmDialog } from "../dialog";
import { errorBox, h, loading, mount } from "../dom";
import { topbar } from "../layout";
import { appUrl, funnelUrl, heatmapUrl } from "../router";

const MAX_STEPS = 10;

/** A goal in words: "reached /order", "clicked #buy on /shop", "event order". */
export function goalWhat(g: Goal): string {
  if (g.kind === "event") return `event ${g.event ?? ""}`;
  if (g.kind === "click") return `clicked ${g.selector ?? ""} on ${g.view ?? ""}`;
  return `reached ${g.view ?? ""}`;
}

/** A funnel step in words, the goal named when it is one. */
export function stepWhat(s: FunnelStepDefinition, goals: Goal[]): string {
  if (s.goal) return `goal ${goals.find((g) => g.id === s.goal)?.name ?? s.goal}`;
  if (s.selector) return `clicked ${s.selector} on ${s.view ?? ""}`;
  return `viewed ${s.view ?? ""}`;
}

export async function renderOutcomes(root: HTMLElement, key: string, signal: AbortSignal): Promise<void> {
  document.title = "Goals and funnels · pageheat";
  const body = h("main", { class: "page outcomes-page" }, loading("Loading goals and funnels…"));
  const crumbs = (name: string) => topbar([{ label: "Applications", href: "/" }, { label: name, href: appUrl(key) }, { label: "Goals and funnels" }]);
  mount(root, crumbs(key), body);
  const load = async () => {
    try {
      const [app, goals, funnels, views] = await Promise.all([api.app(key), api.goals(key), api.funnels(key), api.views(key).catch(() => [] as View[])]);
      if (signal.aborted) return;
      document.title = `Goals and funnels · ${app.name} · pageheat`;
      mount(root, crumbs(app.name), body);
      mount(
        body,
        h("div", { class: "page-head" }, h("h1", null, "Goals and funnels"), h("p", { class: "muted" }, "Goals give the heatmap its conversion column and map; funnels follow sessions through ordered steps.")),
        h("datalist", { id: "outcome-views" }, views.map((v) => h("option", { value: v.name }))),
        goalSection(key, goals, load),
        funnelSection(key, goals, funnels, load),
      );
    } catch (e) {
      if (!signal.aborted) mount(body, errorBox((e as Error).message, () => void load()));
    }
  };
  await load();
}

/** A delete button that asks first, then reloads the page's lists. */
function deleteButton(what: string, text: string, run: () => Promise<unknown>, done: () => void, error: HTMLElement): HTMLButtonElement {
  const btn = h("button", { type: "button", class: "btn btn-small btn-danger", "data-testid": "delete" }, "Delete");
  btn.addEventListener("click", async () => {
    if (!(await confirmDialog(`Delete ${what}?`, text, "Delete"))) return;
    btn.disabled = true;
    try {
      await run();
      done();
    } catch (e) {
      btn.disabled = false;
      error.textContent = `Could not delete it: ${(e as Error).message}`;
      error.hidden = false;
    }
  });
  return btn;
}

function goalSection(key: string, goals: Goal[], reload: () => Promise<void>): HTMLElement {
  const error = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "goal-error" });
  const list = goals.length
    ? h(
        "table",
        { class: "table", "data-testid": "goal-list" },
        h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, "Counts a session that…"), h("th", null, ""))),
        h(
          "tbody",
          null,
          goals.map((g) =>
            h(
              "tr",
              { "data-goal": g.id },
              h("td", null, g.name),
              h("td", { class: "mono small" }, goalWhat(g)),
              h("td", { class: "num" }, g.view ? h("a", { class: "btn btn-small btn-ghost", href: `${heatmapUrl(key, g.view)}&goal=${encodeURIComponent(g.id)}` }, "Heatmap") : null, deleteButton(`the goal ${g.name}`, "Funnels with it as a step stop counting it.", () => api.deleteGoal(key, g.id), () => void reload(), error)),
            ),
          ),
        ),
      )
    : h("p", { class: "muted", "data-testid": "goal-list" }, "No goals yet.");

  const name = h("input", { type: "text", id: "goal-name", maxlength: "128", placeholder: "Order placed", required: true });
  const kind = h(
    "select",
    { id: "goal-kind", "aria-label": "What counts" },
    h("option", { value: "view" }, "A view reached"),
    h("option", { value: "click" }, "An element clicked on a view"),
    h("option", { value: "event" }, "A custom event (pageheat.goal)"),
  );
  const view = h("input", { type: "text", id: "goal-view", list: "outcome-views", placeholder: "/order", class: "mono" });
  const selector = h("input", { type: "text", id: "goal-selector", placeholder: "#buy", class: "mono" });
  const event = h("input", { type: "text", id: "goal-event", placeholder: "order", class: "mono" });
  const field = (label: string, input: HTMLElement) => h("label", { class: "field" }, h("span", { class: "field-label" }, label), input);
  const viewField = field("View", view);
  const selField = field("Selector", selector);
  const eventField = field("Event name", event);
  const sync = () => {
    viewField.hidden = kind.value === "event";
    selField.hidden = kind.value !== "click";
    eventField.hidden = kind.value !== "event";
  };
  kind.addEventListener("change", sync);
  sync();
  const submit = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "create-goal" }, "Add goal");
  const form = h("form", { class: "outcome-form", "data-testid": "goal-form" }, field("Name", name), field("Counts", kind), viewField, selField, eventField, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    let goal: NewGoal;
    if (kind.value === "event") goal = { name: n, event: event.value.trim() };
    else if (kind.value === "click") goal = { name: n, view: view.value.trim(), selector: selector.value.trim() };
    else goal = { name: n, view: view.value.trim() };
    submit.disabled = true;
    error.hidden = true;
    try {
      await api.createGoal(key, goal);
      await reload();
    } catch (e) {
      submit.disabled = false;
      error.textContent = (e as Error).message;
      error.hidden = false;
    }
  });
  return h("section", { class: "card outcome-section", "aria-label": "Goals" }, h("h2", null, "Goals"), list, h("h3", null, "New goal"), form, error);
}

function funnelSection(key: string, goals: Goal[], funnels: Funnel[], reload: () => Promise<void>): HTMLElement {
  const error = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "funnel-error" });
  const list = funnels.length
    ? h(
        "ul",
        { class: "funnel-list", "data-testid": "funnel-list" },
        funnels.map((f) =>
          h(
            "li",
            { "data-funnel": f.id },
            h("a", { class: "funnel-name", href: funnelUrl(key, f.id), "data-testid": "funnel-open" }, f.name),
            h("ol", { class: "funnel-steps small" }, f.steps.map((s) => h("li", { class: "mono" }, s.name || stepWhat(s, goals)))),
            deleteButton(`the funnel ${f.name}`, "Its report and drop-off links stop working.", () => api.deleteFunnel(key, f.id), () => void reload(), error),
          ),
        ),
      )
    : h("p", { class: "muted", "data-testid": "funnel-list" }, "No funnels yet.");

  const name = h("input", { type: "text", id: "funnel-name", maxlength: "128", placeholder: "Checkout", required: true });
  const steps = h("ol", { class: "step-editor", "data-testid": "step-editor" });
  const rows: StepRow[] = [];
  const addBtn = h("button", { type: "button", class: "btn btn-small", "data-testid": "add-step" }, "+ Step");
  const renumber = () => {
    addBtn.disabled = rows.length >= MAX_STEPS;
    for (const r of rows) r.remove.disabled = rows.length <= 2;
  };
  const add = () => {
    const r = stepRow(goals, () => {
      rows.splice(rows.indexOf(r), 1);
      r.el.remove();
      renumber();
    });
    rows.push(r);
    steps.append(r.el);
    renumber();
  };
  addBtn.addEventListener("click", add);
  add();
  add();
  const submit = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "create-funnel" }, "Add funnel");
  const form = h(
    "form",
    { class: "outcome-form outcome-form-funnel", "data-testid": "funnel-form" },
    h("label", { class: "field" }, h("span", { class: "field-label" }, "Name"), name),
    h("div", { class: "field" }, h("span", { class: "field-label" }, "Steps, in order"), steps, addBtn),
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      await api.createFunnel(key, { name: name.value.trim(), steps: rows.map((r) => r.value()) });
      await reload();
    } catch (e) {
      submit.disabled = false;
      error.textContent = (e as Error).message;
      error.hidden = false;
    }
  });
  return h("section", { class: "card outcome-section", "aria-label": "Funnels" }, h("h2", null, "Funnels"), list, h("h3", null, "New funnel"), form, error);
}

interface StepRow {
  el: HTMLElement;
  remove: HTMLButtonElement;
  value(): FunnelStepDefinition;
}

/** One step of the funnel form: a view, an element clicked on a view, or a goal. */
function stepRow(goals: Goal[], drop: () => void): StepRow {
  const kind = h(
    "select",
    { "aria-label": "Step kind", "data-step": "kind" },
    h("option", { value: "view" }, "Viewed"),
    h("option", { value: "click" }, "Clicked"),
    goals.length ? h("option", { value: "goal" }, "Goal") : null,
  );
  const view = h("input", { type: "text", list: "outcome-views", placeholder: "/pricing", "aria-label": "Step view", "data-step": "view", class: "mono" });
  const selector = h("input", { type: "text", placeholder: "#buy", "aria-label": "Step selector", "data-step": "selector", class: "mono" });
  const goal = h("select", { "aria-label": "Step goal", "data-step": "goal" }, goals.map((g) => h("option", { value: g.id }, g.name)));
  const remove = h("button", { type: "button", class: "btn btn-small btn-ghost", "aria-label": "Remove this step", on: { click: drop } }, "×");
  const sync = () => {
    view.hidden = kind.value === "goal";
    selector.hidden = kind.value !== "click";
    goal.hidden = kind.value !== "goal";
  };
  kind.addEventListener("change", sync);
  sync();
  return {
    el: h("li", { class: "step-row" }, kind, view, selector, goal, remove),
    remove,
    value: () => {
      if (kind.value === "goal") return { goal: goal.value };
      if (kind.value === "click") return { view: view.value.trim(), selector: selector.value.trim() };
      return { view: view.value.trim() };
    },
  };
}
