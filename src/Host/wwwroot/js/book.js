// The public booking page: /{username}/{slug} or /team/{teamSlug}/{slug}.
import { api, newKey, showError } from "./api.js";
import { detectedZone, zoneOptions, renderSlots, dayLabel, timeLabel, icsFor } from "./slots.js";

const parts = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
const team = parts[0] === "team";
const [owner, slug] = team ? [parts[1], parts[2]] : [parts[0], parts[1]];
const base = team ? `/v0/teams/${encodeURIComponent(owner)}/event-types/${encodeURIComponent(slug)}` : `/v0/users/${encodeURIComponent(owner)}/event-types/${encodeURIComponent(slug)}`;

const el = (id) => document.getElementById(id);
const error = el("error");
// ?timezone= and ?theme= (the widget passes them) win over the browser's own when they are valid.
const query = new URLSearchParams(location.search);
const knownZone = (name) => { try { return name && new Intl.DateTimeFormat("en", { timeZone: name }) && name; } catch { return null; } };
if (query.get("theme") === "light" || query.get("theme") === "dark") document.documentElement.dataset.theme = query.get("theme");
let zone = knownZone(query.get("timezone")) || detectedZone();
let weekStart = new Date();
let chosen = null;
let eventType = null;

// Embedded by /embed.js: tell the host page our height, and (only to the origin that embedded us) the booking.
const params = new URLSearchParams(location.search);
const embedded = params.get("embed") === "1" && window.parent !== window;
const parentOrigin = (() => {
  try { const o = new URL(params.get("parent") || "").origin; return o === params.get("parent") ? o : null; } catch { return null; }
})();
function tellHost(message) {
  if (embedded) window.parent.postMessage(message, message.type === "opencalendly:resize" ? (parentOrigin || "*") : parentOrigin);
}
if (embedded) {
  document.documentElement.classList.add("embedded");
  new ResizeObserver(() => tellHost({ type: "opencalendly:resize", height: document.documentElement.scrollHeight })).observe(document.body);
}

async function track(stage) {
  if (team) return;   // the funnel is per organizer page
  try { await api("POST", "/v0/analytics/funnel/events", { username: owner, eventSlug: slug, stage }, { auth: false }); } catch { /* analytics never blocks booking */ }
}

async function loadSlots({ keepError = false } = {}) {
  if (!keepError) showError(error, null);
  el("slots").setAttribute("aria-busy", "true");
  try {
    const answer = await api("GET", `${base}/availability?start=${encodeURIComponent(weekStart.toISOString())}&days=7&timezone=${encodeURIComponent(zone)}`, undefined, { auth: false });
    renderSlots(el("slots"), answer.slots, zone, pick);
  } catch (e) {
    showError(error, e);
  } finally {
    el("slots").removeAttribute("aria-busy");
  }
}

function pick(slot) {
  chosen = slot;
  el("chosen").textContent = `${dayLabel(slot.startsAt, zone)} at ${timeLabel(slot.startsAt, zone)} (${zone})`;
  el("booking-form").hidden = false;
  el("invitee-name").focus();
  track("slot_selection");
}

function renderQuestions(questions) {
  const holder = el("questions");
  holder.replaceChildren();
  for (const question of questions || []) {
    const label = document.createElement("label");
    label.textContent = question.label + (question.required ? " *" : "");
    // One line, a few lines, or one of the organizer's options.
    let input;
    if (question.kind === "choice") {
      input = document.createElement("select");
      input.append(new Option(question.required ? "Choose…" : "—", ""), ...(question.options || []).map((o) => new Option(o, o)));
    } else {
      input = document.createElement(question.kind === "long_text" ? "textarea" : "input");
      input.maxLength = question.kind === "long_text" ? 2000 : 1000;
      if (question.kind === "long_text") input.rows = 3;
      if (question.placeholder) input.placeholder = question.placeholder;
    }
    input.name = `answer-${question.id}`;
    input.className = "answer";
    input.dataset.questionId = question.id;
    input.required = question.required;
    label.append(input);
    holder.append(label);
  }
}

async function submit(event) {
  event.preventDefault();
  showError(error, null);
  const answers = {};
  el("questions").querySelectorAll(".answer").forEach((input) => { if (input.value.trim()) answers[input.dataset.questionId] = input.value.trim(); });
  const body = { startsAt: chosen.startsAt, timezone: zone, inviteeName: el("invitee-name").value.trim(), inviteeEmail: el("invitee-email").value.trim(), answers };
  if (team) Object.assign(body, { teamSlug: owner, eventSlug: slug }); else Object.assign(body, { username: owner, eventSlug: slug });
  const button = event.submitter || el("book-button");
  button.disabled = true;
  try {
    const booked = await api("POST", team ? "/v0/team-bookings" : "/v0/bookings", body, { idempotencyKey: newKey(), auth: false });
    confirm(booked);
  } catch (e) {
    showError(error, e);
    if (e.status === 409) loadSlots({ keepError: true });   // the taken time disappears; the message stays
  } finally {
    button.disabled = false;
  }
}

function confirm(booked) {
  el("picker").hidden = true;
  el("booking-form").hidden = true;
  const done = el("confirmation");
  done.hidden = false;
  el("confirmed-when").textContent = `${dayLabel(booked.booking.startsAt, zone)} at ${timeLabel(booked.booking.startsAt, zone)} (${zone})`;
  const url = URL.createObjectURL(icsFor({ id: booked.booking.id, title: eventType.name, startsAt: booked.booking.startsAt, endsAt: booked.booking.endsAt, location: eventType.locationValue }));
  el("ics").href = url;
  el("cancel-link").href = `/bookings/actions/${encodeURIComponent(booked.actions.cancel.token)}`;
  el("reschedule-link").href = `/bookings/actions/${encodeURIComponent(booked.actions.reschedule.token)}`;
  el("confirmation-heading").focus();
  if (parentOrigin) {
    const b = booked.booking;
    tellHost({ type: "opencalendly:booking.confirmed", booking: { id: b.id, eventTypeId: b.eventTypeId, startsAt: b.startsAt, endsAt: b.endsAt, inviteeName: b.inviteeName, inviteeEmail: b.inviteeEmail } });
  }
}

async function start() {
  zoneOptions(el("zone"), zone);
  el("zone").addEventListener("change", () => { zone = el("zone").value; loadSlots(); if (chosen) pick(chosen); });
  el("next-week").addEventListener("click", () => { weekStart = new Date(weekStart.getTime() + 7 * 864e5); el("previous-week").disabled = false; loadSlots(); });
  el("previous-week").addEventListener("click", () => {
    weekStart = new Date(Math.max(Date.now(), weekStart.getTime() - 7 * 864e5));
    el("previous-week").disabled = weekStart.getTime() <= Date.now() + 1000;
    loadSlots();
  });
  el("booking-form").addEventListener("submit", submit);
  try {
    const page = await api("GET", base, undefined, { auth: false });
    eventType = page.eventType;
    el("title").textContent = eventType.name;
    document.title = `${eventType.name} · OpenCalendly`;
    el("host").textContent = page.organizer ? `with ${page.organizer.displayName}` : page.team ? `with ${page.team.name}` : "";
    el("duration").textContent = `${eventType.durationMinutes} minutes`;
    renderQuestions(eventType.questions);
    track("page_view");
    await loadSlots();
  } catch (e) {
    // Only a 404 means there is no such page; anything else is the server or the connection, and says so.
    el("title").textContent = e.status === 404 ? "Booking page not found" : "This booking page can't be loaded right now";
    el("picker").hidden = true;
    showError(error, e);
  }
}

start();
