// /settings/calendar/{provider}/callback: the provider sent the browser back with ?code&state; finish the connection.
import { api, showError } from "./api.js";

const provider = location.pathname.split("/")[3];
const query = new URLSearchParams(location.search);
try {
  if (query.get("error")) throw new Error(`The provider said: ${query.get("error_description") || query.get("error")}`);
  await api("POST", `/v0/calendar/${encodeURIComponent(provider)}/connect/complete`, {
    code: query.get("code") || "", state: query.get("state") || "", redirectUri: `${location.origin}${location.pathname}`,
  });
  location.replace("/organizer#calendars-panel");
} catch (e) {
  document.querySelector("h1").textContent = "The calendar was not connected";
  showError(document.getElementById("error"), e);
}
