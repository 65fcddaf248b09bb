// The app chrome on every page: navigation, who is signed in, sign-out, and the theme choice.
import { api, session } from "./api.js";

function applyTheme(choice) {
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  document.documentElement.dataset.themeChoice = choice;
}

export async function renderChrome() {
  const header = document.querySelector("header.chrome");
  if (!header) return;
  header.innerHTML = `
    <a class="brand" href="/">OpenCalendly</a>
    <nav aria-label="Main">
      <a href="/organizer">Console</a>
      <a href="/docs">API</a>
    </nav>
    <div class="identity" data-testid="identity"></div>
    <label class="theme">Theme
      <select id="theme-choice" aria-label="Theme">
        <option value="system">System</option><option value="light">Light</option><option value="dark">Dark</option>
      </select>
    </label>`;
  const select = header.querySelector("#theme-choice");
  select.value = document.documentElement.dataset.themeChoice || "system";
  select.addEventListener("change", () => {
    localStorage.setItem("oc-theme", select.value);
    applyTheme(select.value);
  });

  const identity = header.querySelector(".identity");
  if (!session.get()) {
    identity.innerHTML = `<a href="/auth/sign-in">Sign in</a>`;
    return;
  }
  try {
    const me = await api("GET", "/v0/auth/me");
    identity.textContent = "";
    const name = document.createElement("span");
    name.textContent = `Signed in as ${me.user.displayName || me.user.username}`;
    const out = document.createElement("button");
    out.type = "button";
    out.textContent = "Sign out";
    out.addEventListener("click", async () => {
      try { await api("POST", "/v0/auth/logout", {}); } catch { /* already gone */ }
      session.clear();
      location.href = "/auth/sign-in";
    });
    identity.append(name, out);
  } catch {
    identity.innerHTML = `<a href="/auth/sign-in">Sign in</a>`;
  }
}

renderChrome();
