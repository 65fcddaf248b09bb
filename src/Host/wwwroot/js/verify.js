import { api, session, showError } from "./api.js";

const token = new URLSearchParams(location.search).get("token");
try {
  if (!token) throw new Error("This sign-in link has no token.");
  const signedIn = await api("POST", "/v0/auth/verify", { token }, { auth: false });
  session.set(signedIn.sessionToken);
  location.replace("/organizer");
} catch (e) {
  document.querySelector("h1").textContent = "That link didn't work";
  showError(document.getElementById("error"), e);
  document.getElementById("retry").hidden = false;
}
