// A sign-in link never signs in by itself: the page names the account and waits for a click, so a link someone
// else sent cannot quietly log this browser into their account, nor replace the session already here.
import { api, session, showError } from "./api.js";
import { detectedZone } from "./slots.js";

const el = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token");

function failed(e) {
  document.querySelector("h1").textContent = "That link didn't work";
  el("continue-form").hidden = true;
  showError(el("error"), e);
  el("retry").hidden = false;
}

try {
  if (!token) throw new Error("This sign-in link has no token.");
  const preview = await api("POST", "/v0/auth/magic-link/preview", { token }, { auth: false });
  const name = preview.displayName ? `${preview.displayName} (${preview.email})` : preview.email;
  document.querySelector("h1").textContent = preview.newAccount ? "Create your account" : "Sign in";
  el("account").textContent = preview.newAccount ? `This link creates an account for ${preview.email}.` : `This link signs you in as ${name}.`;
  el("continue").textContent = preview.newAccount ? `Create account for ${preview.email}` : `Continue as ${preview.displayName || preview.email}`;
  el("profile").hidden = !preview.needsProfile;
  el("username").required = el("display-name").required = preview.needsProfile;
  if (session.get()) {
    try {
      const me = await api("GET", "/v0/auth/me");
      if (me.user.email !== preview.email) {
        el("replaces").textContent = `This browser is signed in as ${me.user.displayName} (${me.user.email}). Continuing signs that account out here.`;
        el("replaces").hidden = false;
      }
    } catch { /* an expired session replaces nothing */ }
  }
  el("continue-form").hidden = false;
  el("continue").focus();
} catch (e) {
  failed(e);
}

el("continue-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(el("error"), null);
  const body = { token, timezone: detectedZone() };
  if (!el("profile").hidden) {
    body.username = el("username").value.trim();
    body.displayName = el("display-name").value.trim();
  }
  try {
    const signedIn = await api("POST", "/v0/auth/verify", body, { auth: false });
    session.set(signedIn.sessionToken);
    location.replace("/organizer");
  } catch (e) {
    if ((e.status === 400 && e.errors && (e.errors.username || e.errors.displayName)) || e.status === 409) {
      // A taken username or a missing profile leaves the link unused: ask for the profile and try again.
      el("profile").hidden = false;
      el("username").required = el("display-name").required = true;
      showError(el("error"), e);
    } else failed(e);
  }
});
