import { api, showError } from "./api.js";
import { detectedZone, zoneOptions } from "./slots.js";

const el = (id) => document.getElementById(id);
zoneOptions(el("zone"), detectedZone());

el("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(el("error"), null);
  const body = { email: el("email").value.trim(), timezone: el("zone").value };
  if (el("username").value.trim()) body.username = el("username").value.trim();
  if (el("display-name").value.trim()) body.displayName = el("display-name").value.trim();
  try {
    const sent = await api("POST", "/v0/auth/magic-link", body, { auth: false });
    if (sent.magicLinkToken) {
      el("follow").href = `/auth/verify?token=${encodeURIComponent(sent.magicLinkToken)}`;
      el("dev-link").hidden = false;
    }
    el("sign-in-form").hidden = true;
    el("sent").hidden = false;
  } catch (e) {
    showError(el("error"), e);
  }
});
