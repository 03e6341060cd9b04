// Small modal dialogs (the native <dialog>, so focus, Escape and the backdrop behave as
// the platform does): a confirmation, a name prompt, or any content with its buttons.

import { h, type Child } from "./dom";

/** A modal with `body`; `close()` removes it. Escape or the backdrop close it too. */
export function modal(title: string, body: Child, testid?: string): { el: HTMLDialogElement; close: () => void } {
  const el = h("dialog", { class: "dialog", "aria-labelledby": "dialog-title", "data-testid": testid });
  const close = () => {
    if (el.open) el.close();
    el.remove();
  };
  el.append(
    h(
      "div",
      { class: "dialog-head" },
      h("h2", { id: "dialog-title" }, title),
      h("button", { class: "btn btn-ghost btn-small dialog-x", type: "button", "aria-label": "Close", on: { click: close } }, "×"),
    ),
  );
  const inner = h("div", { class: "dialog-body" }, body);
  el.append(inner);
  el.addEventListener("close", () => el.remove());
  el.addEventListener("click", (ev: MouseEvent) => {
    if (ev.target === el) close(); // a click on the backdrop
  });
  document.body.appendChild(el);
  el.showModal();
  return { el, close };
}

/** "Are you sure?" with a red button; resolves true only when confirmed. */
export function confirmDialog(title: string, text: string, yes: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (v: boolean) => {
      if (answered) return;
      answered = true;
      resolve(v);
      m.close();
    };
    const ok = h("button", { class: "btn btn-danger", type: "button", "data-testid": "confirm-yes", on: { click: () => answer(true) } }, yes);
    const m = modal(
      title,
      [h("p", null, text), h("div", { class: "dialog-actions" }, h("button", { class: "btn", type: "button", on: { click: () => answer(false) } }, "Cancel"), ok)],
      "confirm",
    );
    m.el.addEventListener("close", () => answer(false));
    ok.focus();
  });
}

/**
 * Ask for a name. `submit` does the work and returns an error message to show (the
 * dialog stays open) or null (it closes).
 */
export function promptName(
  title: string,
  label: string,
  initial: string,
  buttons: { label: string; primary?: boolean; testid?: string; run: (name: string) => Promise<string | null> }[],
  intro?: Child,
): void {
  const input = h("input", { type: "text", id: "dialog-name", value: initial, maxlength: "200", autocomplete: "off", required: true });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const btns = buttons.map((b) =>
    h(
      "button",
      {
        class: ["btn", b.primary && "btn-primary"],
        type: b.primary ? "submit" : "button",
        "data-testid": b.testid,
        on: b.primary ? undefined : { click: () => void go(b) },
      },
      b.label,
    ),
  );
  const go = async (b: (typeof buttons)[number]) => {
    const name = input.value.trim();
    error.hidden = true;
    if (!name) {
      error.textContent = "Give it a name.";
      error.hidden = false;
      input.focus();
      return;
    }
    for (const x of btns) x.disabled = true;
    let problem: string | null;
    try {
      problem = await b.run(name);
    } catch (e) {
      problem = (e as Error).message;
    }
    for (const x of btns) x.disabled = false;
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
    } else m.close();
  };
  const primary = buttons.find((b) => b.primary);
  const form = h(
    "form",
    {
      class: "form dialog-form",
      on: {
        submit: (ev: Event) => {
          ev.preventDefault();
          if (primary) void go(primary);
        },
      },
    },
    intro ?? null,
    h("label", { for: "dialog-name" }, label),
    input,
    error,
    h("div", { class: "dialog-actions" }, btns),
  );
  const m = modal(title, form, "name-dialog");
  input.focus();
  input.select();
}
