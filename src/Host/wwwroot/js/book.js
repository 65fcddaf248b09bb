// The public booking page: /{username}/{slug} or /team/{teamSlug}/{slug}.
import { api, newKey, showError } from "./api.js";
import { detectedZone, zoneOptions, renderSlots, dayLabel, timeLabel, icsFor, dayKey } from "./slots.js";

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
let month = null;          // "YYYY-MM" shown, in the invitee's zone
let byDay = new Map();      // "YYYY-MM-DD" -> that day's slots, for the month shown
let selectedDay = null;
let loading = 0;
let chosen = null;
let eventType = null;
let page = null;            // the event type's public page: event type, organizer or team

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

// ---- The month: days with free times are marked; the chosen day's times in one column.
const pad = (n) => String(n).padStart(2, "0");
const monthOf = (key) => key.slice(0, 7);
const shiftMonth = (m, by) => { const [y, mo] = m.split("-").map(Number); const d = new Date(Date.UTC(y, mo - 1 + by, 1)); return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`; };
const todayKey = () => dayKey(new Date().toISOString(), zone);
const monthName = (m) => new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${m}-15T12:00:00Z`));
const longDay = (key) => new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(`${key}T12:00:00Z`));

/** The slots of a month in the zone: two requests (the API serves 30 days at a time), a day of margin each side. */
async function fetchMonth(m) {
  const first = new Date(`${m}-01T00:00:00Z`).getTime() - 864e5;
  const starts = [first, first + 30 * 864e5];
  const answers = await Promise.all(starts.map((start) => api("GET",
    `${base}/availability?start=${encodeURIComponent(new Date(Math.max(start, Date.now())).toISOString())}&days=${start === first ? 30 : 3}&timezone=${encodeURIComponent(zone)}`,
    undefined, { auth: false })));
  const days = new Map();
  for (const slot of answers.flatMap((a) => a.slots)) {
    const key = dayKey(slot.startsAt, zone);
    if (monthOf(key) !== m) continue;
    if (!days.has(key)) days.set(key, []);
    if (!days.get(key).some((s) => s.startsAt === slot.startsAt)) days.get(key).push(slot);
  }
  return days;
}

function busy(on) {
  loading += on ? 1 : -1;
  const now = loading > 0;
  for (const id of ["calendar", "slots"]) el(id).setAttribute("aria-busy", String(now));
  el("previous-month").disabled = now || month <= monthOf(todayKey());
  el("next-month").disabled = now;
  if (now) el("calendar").querySelectorAll("button").forEach((b) => { b.disabled = true; });
}

/** Shows month m (advancing up to a year to the first month with times when asked), then its first free day unless one is kept. */
async function showMonth(m, { seek = false, keepDay = false, keepError = false } = {}) {
  if (!keepError) showError(error, null);
  busy(true);
  el("slots").replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: "Loading times…" }));
  try {
    let days = await fetchMonth(m);
    for (let i = 0; seek && days.size === 0 && i < 12; i++) { m = shiftMonth(m, 1); days = await fetchMonth(m); }
    month = m;
    byDay = days;
    if (!(keepDay && byDay.has(selectedDay))) selectedDay = [...byDay.keys()].sort()[0] ?? null;
  } catch (e) {
    showError(error, e);
  } finally {
    busy(false);
  }
  renderMonth();
  await renderDay();
}

function renderMonth() {
  el("month-label").textContent = month ? monthName(month) : "";
  const grid = el("calendar");
  grid.replaceChildren(...["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((d) => Object.assign(document.createElement("span"), { className: "weekday", textContent: d, ariaHidden: "true" })));
  if (!month) return;
  const first = new Date(`${month}-01T12:00:00Z`);
  const lead = (first.getUTCDay() + 6) % 7;
  for (let i = 0; i < lead; i++) grid.append(document.createElement("span"));
  const count = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  for (let d = 1; d <= count; d++) {
    const key = `${month}-${pad(d)}`;
    const open = byDay.has(key);
    const cell = document.createElement("button");
    cell.type = "button";
    cell.className = `day${open ? " open" : ""}`;
    cell.dataset.day = key;
    cell.textContent = String(d);
    cell.disabled = !open;
    cell.tabIndex = key === selectedDay ? 0 : -1;
    cell.setAttribute("aria-pressed", String(key === selectedDay));
    cell.setAttribute("aria-label", `${longDay(key)}${open ? `, ${byDay.get(key).length} times` : ", no times"}`);
    cell.addEventListener("click", () => selectDay(key, true));
    grid.append(cell);
  }
  el("previous-month").disabled = month <= monthOf(todayKey());
}

async function selectDay(key, focusSlots = false) {
  selectedDay = key;
  el("calendar").querySelectorAll("button.day").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.day === key));
    b.tabIndex = b.dataset.day === key ? 0 : -1;
  });
  await renderDay();
  if (focusSlots) el("slots").querySelector("button.slot")?.focus();
}

async function renderDay() {
  if (selectedDay && byDay.has(selectedDay)) {
    el("day-label").textContent = longDay(selectedDay);
    renderSlots(el("slots"), byDay.get(selectedDay), zone, pick);
    el("slots").querySelectorAll(".day h3").forEach((h) => h.remove());
    return;
  }
  el("day-label").textContent = "";
  const empty = Object.assign(document.createElement("p"), { className: "muted" });
  el("slots").replaceChildren(empty);
  empty.textContent = "No times this month.";
  // Say when the next one is, and offer to go there.
  try {
    for (let m = shiftMonth(month, 1), i = 0; i < 12; m = shiftMonth(m, 1), i++) {
      const days = await fetchMonth(m);
      const next = [...days.keys()].sort()[0];
      if (!next) continue;
      empty.textContent = `No times this month — next available: ${longDay(next)}. `;
      empty.append(Object.assign(button(`Go to ${monthName(m)}`), { onclick: () => showMonth(m) }));
      return;
    }
    empty.textContent = "No times in the coming year.";
  } catch { /* the empty message stands */ }
}

function button(label) { return Object.assign(document.createElement("button"), { type: "button", textContent: label }); }

// Arrow keys move through the month's open days; Home and End to the first and last.
el("calendar").addEventListener("keydown", (event) => {
  const open = [...el("calendar").querySelectorAll("button.day.open")];
  const index = open.indexOf(document.activeElement);
  if (index < 0) return;
  const keys = open.map((b) => b.dataset.day);
  const at = keys[index];
  const target = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 7, ArrowUp: -7 }[event.key];
  let next = null;
  if (target) {
    const wanted = new Date(new Date(`${at}T12:00:00Z`).getTime() + target * 864e5).toISOString().slice(0, 10);
    next = target > 0 ? keys.find((k) => k >= wanted) : [...keys].reverse().find((k) => k <= wanted);
  } else if (event.key === "Home") next = keys[0];
  else if (event.key === "End") next = keys[keys.length - 1];
  if (!next) return;
  event.preventDefault();
  selectDay(next).then(() => el("calendar").querySelector(`button[data-day='${next}']`)?.focus());
});

function pick(slot) {
  chosen = slot;
  showError(el("book-error"), null);
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
    // Said beside the button; a taken time leaves the list and the day's next free times are offered.
    showError(el("book-error"), e);
    if (e.status === 409) {
      el("book-error").textContent = `${e.message} Pick another time above.`;
      chosen = null;
      el("booking-form").hidden = true;
      await showMonth(month, { keepDay: true, keepError: true });
      el("booking-form").hidden = false;
      el("chosen").textContent = "— pick another time";
      el("slots").querySelector("button.slot")?.focus();
    }
  } finally {
    button.disabled = false;
  }
}

/** "A", "A and B", "A, B and C". */
const listed = (names, last) => names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} ${last} ${names.at(-1)}`;

/** On a team page, whom the invitee will meet: one free member (round robin) or all of them (collective). */
function describeHosts() {
  const names = (page.members ?? []).map((m) => m.displayName);
  el("hosts").hidden = !page.team || names.length === 0;
  if (el("hosts").hidden) return;
  el("hosts").textContent = page.mode === "collective" ? `You'll meet ${listed(names, "and")}.`
    : names.length === 1 ? `You'll meet ${names[0]}.` : `You'll meet one of ${listed(names, "or")} — whoever is free at the time you pick.`;
}

function confirm(booked) {
  el("picker").hidden = true;
  el("booking-form").hidden = true;
  const done = el("confirmation");
  done.hidden = false;
  const b = booked.booking;
  el("confirmed-when").textContent = `${dayLabel(b.startsAt, zone)}, ${timeLabel(b.startsAt, zone)}–${timeLabel(b.endsAt, zone)} (${zone})`;
  const where = eventType.locationValue || { video: "Video call (the link comes with your confirmation)", phone: "Phone call", in_person: "In person" }[eventType.locationType] || "";
  el("confirmed-where").textContent = where ? `Where: ${where}` : "";
  // A team booking names the members it was given to.
  const assigned = (b.assignmentUserIds ?? []).map((id) => page.members?.find((m) => m.userId === id)?.displayName).filter(Boolean);
  el("confirmed-with").textContent = page.team && assigned.length ? `With: ${listed(assigned, "and")}` : "";
  const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const title = `${eventType.name}${page.organizer ? ` with ${page.organizer.displayName}` : page.team ? ` with ${page.team.name}` : ""}`;
  el("google-link").href = `https://calendar.google.com/calendar/render?${new URLSearchParams({ action: "TEMPLATE", text: title, dates: `${stamp(b.startsAt)}/${stamp(b.endsAt)}`, location: where })}`;
  el("outlook-link").href = `https://outlook.live.com/calendar/0/deeplink/compose?${new URLSearchParams({ path: "/calendar/action/compose", rru: "addevent", subject: title, startdt: b.startsAt, enddt: b.endsAt, location: where })}`;
  const url = URL.createObjectURL(icsFor({ id: booked.booking.id, title: eventType.name, startsAt: booked.booking.startsAt, endsAt: booked.booking.endsAt, location: eventType.locationValue }));
  el("ics").href = url;
  el("manage-link").href = `/bookings/actions/${encodeURIComponent(booked.actions.manage.token)}`;
  el("confirmation-heading").focus();
  if (parentOrigin) {
    const b = booked.booking;
    tellHost({ type: "opencalendly:booking.confirmed", booking: { id: b.id, eventTypeId: b.eventTypeId, startsAt: b.startsAt, endsAt: b.endsAt, inviteeName: b.inviteeName, inviteeEmail: b.inviteeEmail } });
  }
}

async function start() {
  zoneOptions(el("zone"), zone);
  el("zone").addEventListener("change", () => { zone = el("zone").value; showMonth(month, { keepDay: true }); if (chosen) pick(chosen); });
  el("next-month").addEventListener("click", () => showMonth(shiftMonth(month, 1)));
  el("previous-month").addEventListener("click", () => showMonth(shiftMonth(month, -1)));
  el("booking-form").addEventListener("submit", submit);
  try {
    page = await api("GET", base, undefined, { auth: false });
    eventType = page.eventType;
    el("title").textContent = eventType.name;
    document.title = `${eventType.name} · OpenCalendly`;
    el("host").textContent = page.organizer ? `with ${page.organizer.displayName}` : page.team ? `with ${page.team.name}` : "";
    el("duration").textContent = `${eventType.durationMinutes} minutes`;
    describeHosts();
    renderQuestions(eventType.questions);
    track("page_view");
    await showMonth(monthOf(todayKey()), { seek: true });
  } catch (e) {
    // Only a 404 means there is no such page; anything else is the server or the connection, and says so.
    el("title").textContent = e.status === 404 ? "Booking page not found" : "This booking page can't be loaded right now";
    el("picker").hidden = true;
    showError(error, e);
  }
}

start();
