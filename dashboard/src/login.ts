// The login page: a user name and password (accounts made with `pageheat user create`),
// or, behind a switch, the admin token the server was started with. The server answers
// 204 and sets the HttpOnly session cookie, so no secret ever sits in script-readable
// storage.

/** Only same-origin paths: `next` must not be able to send the user elsewhere. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  return raw;
}

export function initLogin(): void {
  const form = document.getElementById("login-form") as HTMLFormElement | null;
  const user = document.getElementById("user") as HTMLInputElement | null;
  const password = document.getElementById("password") as HTMLInputElement | null;
  const token = document.getElementById("token") as HTMLInputElement | null;
  const byPassword = document.getElementById("login-password");
  const byToken = document.getElementById("login-token");
  const toggle = document.getElementById("login-switch") as HTMLButtonElement | null;
  const usersHint = document.getElementById("login-users-hint");
  const error = document.getElementById("login-error");
  const button = form?.querySelector("button[type=submit]") as HTMLButtonElement | null;
  if (!form || !user || !password || !token || !byPassword || !byToken || !toggle || !error || !button) return;
  const next = safeNext(new URLSearchParams(location.search).get("next"));
  let withToken = false;

  const setMode = (tokenMode: boolean) => {
    withToken = tokenMode;
    byPassword.hidden = tokenMode;
    byToken.hidden = !tokenMode;
    if (usersHint) usersHint.hidden = tokenMode;
    toggle.textContent = tokenMode ? "Sign in with a user name and password instead" : "Sign in with the admin token instead";
    error.hidden = true;
    (tokenMode ? token : user).focus();
  };
  toggle.addEventListener("click", () => setMode(!withToken));
  user.focus();

  const fail = (message: string) => {
    error.textContent = message;
    error.hidden = false;
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    let body: Record<string, string>;
    if (withToken) {
      const t = token.value.trim();
      if (!t) return fail("Enter the admin token.");
      body = { token: t };
    } else {
      const name = user.value.trim();
      if (!name) return fail("Enter your user name.");
      if (!password.value) return fail("Enter your password.");
      body = { user: name, password: password.value };
    }
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      const res = await fetch("/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.ok) {
        location.assign(next);
        return;
      }
      if (res.status === 401) fail(withToken ? "That token is not valid." : "Wrong user name or password.");
      else if (res.status === 429) fail("Too many attempts: wait a minute and try again.");
      else fail(`Sign-in failed (${res.status}).`);
    } catch {
      fail("The pageheat server cannot be reached.");
    }
    button.disabled = false;
    button.textContent = "Sign in";
    (withToken ? token : password).select();
  });

  // `pageheat demo` prints a link with the token in the fragment, which never reaches
  // the server's logs: sign in with it once, then drop it from the address bar.
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    history.replaceState(null, "", location.pathname + location.search);
    setMode(true);
    token.value = fromLink;
    form.requestSubmit();
  }
}
