// The login page: one field, the admin token. The server answers 204 and sets an
// HttpOnly cookie, so the token never sits in script-readable storage.

/** Only same-origin paths: `next` must not be able to send the user elsewhere. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  return raw;
}

export function initLogin(): void {
  const form = document.getElementById("login-form") as HTMLFormElement | null;
  const input = document.getElementById("token") as HTMLInputElement | null;
  const error = document.getElementById("login-error");
  const button = form?.querySelector("button[type=submit]") as HTMLButtonElement | null;
  if (!form || !input || !error || !button) return;
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  input.focus();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    error.hidden = true;
    const token = input.value.trim();
    if (!token) {
      error.textContent = "Enter the admin token.";
      error.hidden = false;
      return;
    }
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      const res = await fetch("/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      });
      if (res.ok) {
        location.assign(next);
        return;
      }
      error.textContent =
        res.status === 401
          ? "That token is not valid."
          : `Sign-in failed (${res.status}).`;
    } catch {
      error.textContent = "The pageheat server cannot be reached.";
    }
    error.hidden = false;
    button.disabled = false;
    button.textContent = "Sign in";
    input.select();
  });

  // `pageheat demo` prints a link with the token in the fragment, which never reaches
  // the server's logs: sign in with it once, then drop it from the address bar.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    history.replaceState(null, "", location.pathname + location.search);
    input.value = fromLink;
    form.requestSubmit();
  }
}
