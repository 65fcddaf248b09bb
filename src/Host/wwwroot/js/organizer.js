// The organizer console: one panel per area, each calling the API and showing its errors in place.
import { api, session, showError } from "./api.js";

const $ = (selector, root = document) => root.querySelector(selector);
const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const hhmm = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const minutesOf = (time) => { const [h, m] = time.split(":").map(Number); return h * 60 + m; };
let me = null;
let eventTypes = null;   // as last loaded (null until then, or when loading failed)
let weeklyRules = null;   // likewise
let teams = [];

/** Runs a panel action, showing any API error in that panel. */
function guarded(panel, action) {
  return async (event) => {
    event?.preventDefault?.();
    const error = $(`#${panel} .error`);
    showError(error, null);
    try { await action(event); } catch (e) { showError(error, inFormWords(e, event?.target?.closest?.("form") || $(`#${panel}`))); }
  };
}

/** An API's field errors in the form's own words: "Minutes: must be between 5 and 240." rather than "durationMinutes must be…". */
function inFormWords(e, scope) {
  if (!e.errors || Object.keys(e.errors).length === 0 || !scope) return e;
  const sentences = Object.entries(e.errors).flatMap(([field, messages]) => {
    const input = scope.querySelector(`[name="${CSS.escape(field)}"]`);
    const label = input?.closest("label")?.firstChild?.textContent?.trim();
    return messages.map((m) => label ? `${label}: ${m.startsWith(field) ? m.slice(field.length).trim() : m}` : m);
  });
  return Object.assign(new Error(sentences.join(" ")), { status: e.status });
}

function row(...children) {
  const li = document.createElement("li");
  li.append(...children);
  return li;
}

function button(text, onClick, className = "") {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (className) b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

const text = (value) => Object.assign(document.createElement("span"), { textContent: value });

/** A wall-clock date and time in a zone, as an ISO instant (two passes settle DST edges). */
function zonedToIso(date, time, zone) {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (instant) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - instant;
  };
  let guess = wanted - offsetAt(wanted);
  guess = wanted - offsetAt(guess);
  return new Date(guess).toISOString();
}

// ---- Questions an invitee answers: label, kind (one line, a few lines, a choice), required, options
const kinds = [["text", "Short answer"], ["long_text", "Long answer"], ["choice", "Choice"]];
const questionId = (label, taken) => {
  const base = (label.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "question").slice(0, 48);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
};

function questionEditor(initial = []) {
  const box = document.createElement("fieldset");
  box.className = "questions-editor";
  box.append(Object.assign(document.createElement("legend"), { textContent: "Questions for the invitee" }));
  const list = document.createElement("div");
  const add = button("Add question", () => addRow({ label: "", kind: "text", required: false, options: [] }));
  box.append(list, add);
  function addRow(q) {
    const rowEl = document.createElement("div");
    rowEl.className = "question inline";
    rowEl.dataset.id = q.id || "";
    rowEl.innerHTML = `<label>Question <input name="q-label" required maxlength="200"></label>
      <label>Answer <select name="q-kind"></select></label>
      <label class="check"><input type="checkbox" name="q-required"> Required</label>
      <label class="q-options">Options, one per line <textarea name="q-options" rows="3"></textarea></label>`;
    const kind = rowEl.querySelector("[name=q-kind]");
    kind.append(...kinds.map(([value, label]) => new Option(label, value)));
    rowEl.querySelector("[name=q-label]").value = q.label;
    kind.value = q.kind || "text";
    rowEl.querySelector("[name=q-required]").checked = !!q.required;
    rowEl.querySelector("[name=q-options]").value = (q.options || []).join("\n");
    const options = rowEl.querySelector(".q-options");
    const sync = () => { options.hidden = rowEl.querySelector("[name=q-kind]").value !== "choice"; };
    rowEl.querySelector("[name=q-kind]").addEventListener("change", sync);
    sync();
    rowEl.append(button("Remove question", () => rowEl.remove()));
    list.append(rowEl);
    rowEl.querySelector("[name=q-label]").focus();
  }
  initial.forEach(addRow);
  return {
    element: box,
    read() {
      const taken = new Set([...list.children].map((r) => r.dataset.id).filter(Boolean));
      return [...list.children].map((r) => {
        const label = r.querySelector("[name=q-label]").value.trim();
        const kind = r.querySelector("[name=q-kind]").value;
        const id = r.dataset.id || questionId(label, taken);
        taken.add(id);
        const question = { id, label, required: r.querySelector("[name=q-required]").checked, kind };
        if (kind === "choice") question.options = r.querySelector("[name=q-options]").value.split("\n").map((o) => o.trim()).filter(Boolean);
        return question;
      });
    },
  };
}

const createQuestions = questionEditor();
$("#event-type-form button[type=submit]").before(createQuestions.element);

// ---- Event types
async function loadEventTypes() {
  eventTypes = (await api("GET", "/v0/event-types")).eventTypes;
  if (eventTypes.length === 0) {
    $("#event-types").replaceChildren(row(Object.assign(text("No event types yet. Create one below: it gets its own booking page to share."), { className: "muted" })));
  }
  else $("#event-types").replaceChildren(...eventTypes.map((e) => {
    const seats = e.seatsPerSlot > 1 ? `, ${e.seatsPerSlot} seats` : "";
    const link = Object.assign(document.createElement("a"), { href: `/${me.username}/${e.slug}`, textContent: `${e.name} (${e.durationMinutes} min${seats})` });
    const state = text(e.isActive ? "active" : "inactive");
    state.className = "muted";
    const toggle = button(e.isActive ? "Deactivate" : "Activate", guarded("event-types-panel", async () => {
      await api("PATCH", `/v0/event-types/${e.id}`, { isActive: !e.isActive });
      await loadEventTypes();
    }));
    const edit = button("Edit", () => {
      const form = document.createElement("form");
      form.className = "inline edit-event-type";
      form.innerHTML = `<label>Name <input name="name" required maxlength="120"></label>
        <label>Minutes <input name="durationMinutes" type="number" min="5" max="720" required></label>
        <label>Location details <input name="locationValue" maxlength="500"></label>
        <label>Minimum notice (min) <input name="minimumNoticeMinutes" type="number" min="0" max="129600"></label>
        <label>Bookable days ahead (0: no limit) <input name="bookingWindowDays" type="number" min="0" max="730"></label>
        <label>Start every (min) <input name="slotIncrementMinutes" type="number" min="5" max="60"></label>
        <label>Buffer before (min) <input name="bufferBeforeMinutes" type="number" min="0" max="180"></label>
        <label>Buffer after (min) <input name="bufferAfterMinutes" type="number" min="0" max="180"></label>
        <label>Per day (0: no cap) <input name="dailyCap" type="number" min="0" max="1000"></label>
        <label>Per week (0: no cap) <input name="weeklyCap" type="number" min="0" max="5000"></label>
        <label>Reminders, minutes before (up to 3) <input name="reminders" placeholder="1440, 60" pattern="\\s*(\\d+\\s*(,\\s*\\d+\\s*){0,2})?"></label>
        <label>Remind <select name="remindTo"><option value="both">Invitee and me</option><option value="invitee">Invitee</option><option value="organizer">Me</option></select></label>
        <label>Seats per slot (1: one-on-one) <input name="seatsPerSlot" type="number" min="1" max="1000" required></label>
        <label><input name="showAttendees" type="checkbox"> Attendees see each other</label>
        <button type="submit" class="primary">Save</button>`;
      const questions = questionEditor(e.questions);
      form.querySelector("button[type=submit]").before(questions.element);
      const f = form.elements;
      f.name.value = e.name;
      f.durationMinutes.value = e.durationMinutes;
      f.locationValue.value = e.locationValue ?? "";
      for (const key of ["minimumNoticeMinutes", "bookingWindowDays", "slotIncrementMinutes", "bufferBeforeMinutes", "bufferAfterMinutes", "dailyCap", "weeklyCap"])
        f[key].value = e.controls[key] ?? 0;
      f.seatsPerSlot.value = e.seatsPerSlot;
      f.showAttendees.checked = e.showAttendees;
      f.reminders.value = e.reminders.map((r) => r.minutesBefore).join(", ");
      if (e.reminders.length) f.remindTo.value = e.reminders[0].to;
      form.addEventListener("submit", guarded("event-types-panel", async () => {
        const controls = Object.fromEntries(["minimumNoticeMinutes", "bookingWindowDays", "slotIncrementMinutes", "bufferBeforeMinutes", "bufferAfterMinutes", "dailyCap", "weeklyCap"]
          .map((key) => [key, Number(f[key].value)]));
        const reminders = f.reminders.value.split(",").map((v) => v.trim()).filter(Boolean).map((v) => ({ minutesBefore: Number(v), to: f.remindTo.value }));
        await api("PATCH", `/v0/event-types/${e.id}`, {
          name: f.name.value, durationMinutes: Number(f.durationMinutes.value), locationValue: f.locationValue.value, controls, reminders,
          questions: questions.read(), seatsPerSlot: Number(f.seatsPerSlot.value), showAttendees: f.showAttendees.checked,
        });
        await loadEventTypes();
      }));
      edit.replaceWith(form);
      form.elements.name.focus();
    });
    const embed = button("Embed", () => {
      const snippet = `<script src="${location.origin}/embed.js" data-user="${me.username}" data-slug="${e.slug}" async></script>`;
      const code = Object.assign(document.createElement("pre"), { className: "embed-snippet", textContent: snippet });
      const copy = button("Copy snippet", async () => { await navigator.clipboard?.writeText(snippet); copy.textContent = "Copied"; });
      embed.replaceWith(Object.assign(document.createElement("div"), { className: "embed" }));
      link.parentElement.querySelector(".embed").append(text("Paste this where the booking page should appear:"), code, copy);
    });
    const copy = button("Copy link", async () => {
      await navigator.clipboard?.writeText(link.href).catch(() => {});
      copy.textContent = "Link copied";
      setTimeout(() => { copy.textContent = "Copy link"; }, 1500);
    });
    copy.dataset.link = link.href;
    return row(link, state, copy, toggle, edit, embed);
  }));
  const filter = $("#analytics-form [name=eventTypeId]");
  filter.replaceChildren(new Option("All", ""), ...eventTypes.map((e) => new Option(e.name, e.id)));
}

$("#event-type-form").addEventListener("submit", guarded("event-types-panel", async (event) => {
  const form = new FormData(event.target);
  await api("POST", "/v0/event-types", {
    name: form.get("name"), slug: form.get("slug"), durationMinutes: Number(form.get("durationMinutes")), locationType: form.get("locationType"),
    questions: createQuestions.read(),
  });
  event.target.reset();
  createQuestions.element.querySelectorAll(".question").forEach((q) => q.remove());
  await loadEventTypes();
}));

// ---- Time off and holidays
const dateRange = (t) => t.allDay ? (t.startDate === t.endDate ? t.startDate : `${t.startDate} – ${t.endDate}`) : `${new Date(t.startAt).toLocaleString()} – ${new Date(t.endAt).toLocaleString()}`;

function showConflicts(conflicts) {
  $("#time-off-conflicts").replaceChildren(...conflicts.map((c) =>
    row(text(`Already booked inside: ${new Date(c.startsAt).toLocaleString()} with ${c.inviteeName} (${c.inviteeEmail})`))));
}

async function loadTimeOff() {
  const { timeOff } = await api("GET", "/v0/me/time-off");
  $("#time-off").replaceChildren(...timeOff.map((t) => row(text(`${dateRange(t)}${t.reason ? ` · ${t.reason}` : ""}`),
    button("Remove", guarded("time-off-panel", async () => { await api("DELETE", `/v0/me/time-off/${t.id}`); await loadTimeOff(); })))));
}

$("#time-off-form").addEventListener("submit", guarded("time-off-panel", async (event) => {
  const form = new FormData(event.target);
  const added = await api("POST", "/v0/me/time-off", { startDate: form.get("startDate"), endDate: form.get("endDate") || null, reason: form.get("reason") || null });
  event.target.reset();
  showConflicts(added.conflicts);
  await loadTimeOff();
}));

$("#holiday-form").addEventListener("submit", guarded("time-off-panel", async (event) => {
  const form = new FormData(event.target);
  const imported = await api("POST", "/v0/me/time-off/holidays", { country: form.get("country"), year: Number(form.get("year")) });
  showConflicts(imported.conflicts);
  await loadTimeOff();
}));

// ---- Bookings: cards with the event, the invitee and their answers, in the organizer's zone; cancel with a reason
const inMyZone = (iso, options) => new Intl.DateTimeFormat(undefined, { timeZone: me.timezone, ...options }).format(new Date(iso));
const bookingTime = (b) => `${inMyZone(b.startsAt, { weekday: "short", day: "numeric", month: "short", year: "numeric" })}, ` +
  `${inMyZone(b.startsAt, { hour: "2-digit", minute: "2-digit" })}–${inMyZone(b.endsAt, { hour: "2-digit", minute: "2-digit" })}`;

async function loadBookings() {
  const filter = $("#booking-filter").value;
  const now = new Date();
  const ago = new Date(now.getTime() - 90 * 864e5).toISOString();
  const query = filter === "past" ? `status=confirmed&from=${encodeURIComponent(ago)}&to=${encodeURIComponent(now.toISOString())}`
    : filter === "canceled" ? `status=canceled&from=${encodeURIComponent(ago)}` : "status=confirmed";
  const { bookings } = await api("GET", `/v0/me/bookings?limit=100&${query}`);
  const shown = filter === "past" ? bookings.filter((b) => new Date(b.endsAt) <= now).reverse() : bookings;
  if (shown.length === 0) {
    const empty = { upcoming: "No upcoming bookings yet. Share an event type's link to get the first one.", past: "No bookings in the last 90 days.", canceled: "No canceled bookings in the last 90 days." };
    $("#bookings").replaceChildren(row(Object.assign(text(empty[filter]), { className: "muted" })));
    return;
  }
  $("#bookings").replaceChildren(...shown.map((b) => {
    const card = document.createElement("article");
    card.className = "booking-card";
    card.dataset.bookingId = b.id;
    const title = document.createElement("strong");
    title.textContent = `${b.eventTypeName ?? "Booking"} with ${b.inviteeName}`;
    const details = document.createElement("dl");
    const add = (term, value) => { if (value) details.append(Object.assign(document.createElement("dt"), { textContent: term }), Object.assign(document.createElement("dd"), { textContent: value })); };
    add("When", `${bookingTime(b)} (${me.timezone})`);
    add("Invitee", `${b.inviteeName} <${b.inviteeEmail}>, ${b.inviteeTimezone}`);
    for (const a of b.answers || []) add(a.label, a.value);
    if (b.status === "canceled") add("Canceled", b.cancelReason ? `Reason: ${b.cancelReason}` : "No reason given");
    const actions = document.createElement("div");
    actions.className = "inline";
    const history = button("History", guarded("bookings-panel", async () => {
      const answer = await api("GET", `/v0/bookings/${b.id}/history`);
      const list = Object.assign(document.createElement("ol"), { className: "history" });
      list.append(...answer.history.map((h) => row(text(`${inMyZone(h.at, { dateStyle: "medium", timeStyle: "short" })} · ${h.summary}`))));
      history.replaceWith(list);
    }));
    actions.append(history);
    if (b.status === "confirmed" && new Date(b.endsAt) > now) {
      const cancel = button("Cancel booking", () => {
        const form = document.createElement("form");
        form.className = "inline cancel-booking";
        // The invitee chose their name: it goes in as text, never as markup.
        const label = document.createElement("label");
        label.append(`Reason for ${b.inviteeName} (optional) `, Object.assign(document.createElement("textarea"), { name: "reason", maxLength: 500, rows: 2 }));
        const submit = Object.assign(document.createElement("button"), { type: "submit", className: "danger", textContent: `Cancel and tell ${b.inviteeName}` });
        form.append(label, submit);
        form.addEventListener("submit", guarded("bookings-panel", async () => {
          const reason = form.elements.reason.value.trim();
          await api("POST", `/v0/bookings/${b.id}/cancel`, reason ? { reason } : {});
          await loadBookings();
        }));
        cancel.replaceWith(form);
        form.elements.reason.focus();
      }, "danger");
      actions.append(cancel);
    }
    card.append(title, details, actions);
    return row(card);
  }));
}

$("#booking-filter").addEventListener("change", guarded("bookings-panel", loadBookings));

// ---- Weekly hours and overrides (in the organizer's zone)
function ruleRow(rule) {
  const div = document.createElement("div");
  div.className = "rule inline";
  const day = document.createElement("select");
  day.setAttribute("aria-label", "Day");
  day.append(...days.map((name, i) => new Option(name, i, false, i === rule.dayOfWeek)));
  const start = Object.assign(document.createElement("input"), { type: "time", value: hhmm(rule.startMinute) });
  start.setAttribute("aria-label", "From");
  const end = Object.assign(document.createElement("input"), { type: "time", value: hhmm(Math.min(rule.endMinute, 1439)) });
  end.setAttribute("aria-label", "To");
  div.append(day, start, end, button("Remove", () => div.remove()));
  return div;
}

async function loadHours() {
  const availability = await api("GET", "/v0/me/availability");
  weeklyRules = availability.rules;
  $("#hours-zone").textContent = `(${me.timezone})`;
  $("#rules").replaceChildren(...availability.rules.map(ruleRow));
  $("#overrides").replaceChildren(...availability.overrides.map((o) => row(
    text(`${new Date(o.startAt).toLocaleString(undefined, { timeZone: me.timezone })} – ${new Date(o.endAt).toLocaleString(undefined, { timeZone: me.timezone })}: ${o.isAvailable ? "available" : "unavailable"}${o.reason ? ` (${o.reason})` : ""}`),
    button("Remove", guarded("hours-panel", async () => {
      const rest = availability.overrides.filter((x) => x.id !== o.id).map(({ startAt, endAt, isAvailable, reason }) => ({ startAt, endAt, isAvailable, reason }));
      await api("PUT", "/v0/me/availability/overrides", { overrides: rest });
      await loadHours();
    })))));
  return availability;
}

$("#add-rule").addEventListener("click", () => $("#rules").append(ruleRow({ dayOfWeek: 1, startMinute: 540, endMinute: 1020 })));
$("#save-rules").addEventListener("click", guarded("hours-panel", async () => {
  const rules = [...document.querySelectorAll("#rules .rule")].map((div) => {
    const [day, start, end] = div.querySelectorAll("select, input");
    const endMinute = end.value === "23:59" ? 1440 : minutesOf(end.value);
    return { dayOfWeek: Number(day.value), startMinute: minutesOf(start.value), endMinute };
  });
  await api("PUT", "/v0/me/availability/rules", { rules });
  await loadHours();
  $("#save-rules").textContent = "Saved";
  setTimeout(() => { $("#save-rules").textContent = "Save weekly hours"; }, 1500);
}));
$("#override-form").addEventListener("submit", guarded("hours-panel", async (event) => {
  const form = new FormData(event.target);
  const current = (await api("GET", "/v0/me/availability")).overrides.map(({ startAt, endAt, isAvailable, reason }) => ({ startAt, endAt, isAvailable, reason }));
  const date = form.get("date");
  current.push({
    startAt: zonedToIso(date, form.get("start"), me.timezone), endAt: zonedToIso(date, form.get("end"), me.timezone),
    isAvailable: form.get("kind") === "on", reason: form.get("reason") || null,
  });
  await api("PUT", "/v0/me/availability/overrides", { overrides: current });
  event.target.reset();
  await loadHours();
}));

// ---- Teams
// Teams this organizer owns: members with their state, invite by username or email, remove; and the invitations
// others sent this organizer, to accept or decline (nobody joins a team without saying yes).
async function loadInvitations() {
  const invitations = (await api("GET", "/v0/me/team-invitations")).invitations;
  $("#invitations-block").hidden = invitations.length === 0;
  $("#invitations").replaceChildren(...invitations.map((i) => row(
    text(`${i.invitedBy ? i.invitedBy.displayName : "Someone"} invited you to ${i.team.name} (/team/${i.team.slug}) as ${i.role}.`),
    button("Accept", guarded("teams-panel", async () => { await api("POST", `/v0/me/team-invitations/${i.id}/accept`, {}); await loadTeams(); }), "primary"),
    button("Decline", guarded("teams-panel", async () => { await api("POST", `/v0/me/team-invitations/${i.id}/decline`, {}); await loadTeams(); })),
  )));
}

async function loadTeams() {
  teams = (await api("GET", "/v0/teams")).teams;
  await loadInvitations();
  const blocks = await Promise.all(teams.map(async (t) => {
    const members = (await api("GET", `/v0/teams/${t.id}/members`)).members;
    const details = document.createElement("div");
    details.className = "team";
    const heading = document.createElement("h3");
    // Team pages live at /team/<slug>/<event slug>; there is no page for the team alone yet.
    heading.textContent = `${t.name} · /team/${t.slug} · ${t.teamEventTypeCount} event type${t.teamEventTypeCount === 1 ? "" : "s"}`;
    const list = document.createElement("ul");
    list.className = "rows members";
    list.append(...members.map((m) => {
      const state = m.status === "invited" ? " · invited, not yet accepted" : "";
      const item = row(text(`${m.user.displayName} (@${m.user.username}) · ${m.role}${state}`));
      item.dataset.member = m.user.username;
      if (m.userId !== me.id) {
        item.append(button(m.status === "invited" ? "Withdraw" : "Remove", guarded("teams-panel", async () => {
          const removed = await api("DELETE", `/v0/teams/${t.id}/members/${m.userId}`);
          await loadTeams();
          if (removed.keptBookings.length) showError($("#teams-panel .error"), new Error(
            `${m.user.displayName} keeps ${removed.keptBookings.length} upcoming team booking${removed.keptBookings.length === 1 ? "" : "s"}.`));
        })));
      }
      return item;
    }));
    const memberForm = document.createElement("form");
    memberForm.className = "inline invite";
    memberForm.innerHTML = `<label>Invite by username or email <input name="who" required maxlength="254"></label><button type="submit">Invite</button>`;
    memberForm.addEventListener("submit", guarded("teams-panel", async (event) => {
      const who = new FormData(event.target).get("who").trim();
      await api("POST", `/v0/teams/${t.id}/members`, who.includes("@") ? { email: who, role: "member" } : { username: who.replace(/^@/, ""), role: "member" });
      await loadTeams();
    }));
    const typeForm = document.createElement("form");
    typeForm.className = "inline";
    typeForm.innerHTML = `<label>Team event name <input name="name" required maxlength="120"></label>
      <label>Slug <input name="slug" required maxlength="80" pattern="[a-z0-9]+(-[a-z0-9]+)*"></label>
      <label>Minutes <input name="duration" type="number" min="5" max="240" step="5" value="30" required></label>
      <label>Mode <select name="mode"><option value="round_robin">Round robin</option><option value="collective">Collective</option></select></label>
      <label>Seats per slot (collective) <input name="seats" type="number" min="1" max="1000" value="1" required></label>
      <button type="submit">Create team event type</button>`;
    typeForm.addEventListener("submit", guarded("teams-panel", async (event) => {
      const form = new FormData(event.target);
      await api("POST", "/v0/team-event-types", {
        teamId: t.id, name: form.get("name"), slug: form.get("slug"), durationMinutes: Number(form.get("duration")), mode: form.get("mode"), locationType: "video",
        ...(Number(form.get("seats")) > 1 ? { seatsPerSlot: Number(form.get("seats")) } : {}),
      });
      await loadTeams();
    }));
    const types = document.createElement("ul");
    types.className = "rows team-event-types";
    types.append(...(await api("GET", `/v0/teams/${t.id}/event-types`)).eventTypes.map((e) => teamEventTypeRow(e, members)));
    details.append(heading, list, memberForm, types, typeForm);
    return row(details);
  }));
  $("#teams").replaceChildren(...blocks);
  $("#analytics-form [name=teamId]").replaceChildren(new Option("All", ""), ...teams.map((t) => new Option(t.name, t.id)));
}

// A collective event type's seats: how many invitees each slot takes (every one meets the whole pool) and whether they see each other.
function teamSeatsForm(e) {
  const form = document.createElement("form");
  form.className = "inline team-seats";
  form.innerHTML = `<label>Seats per slot (1: one invitee) <input name="seatsPerSlot" type="number" min="1" max="1000" required></label>
    <label><input name="showAttendees" type="checkbox"> Attendees see each other</label><button type="submit">Save seats</button>`;
  form.seatsPerSlot.value = e.seatsPerSlot;
  form.showAttendees.checked = e.showAttendees;
  form.addEventListener("submit", guarded("teams-panel", async () => {
    await api("PATCH", `/v0/team-event-types/${e.id}`, { seatsPerSlot: Number(form.seatsPerSlot.value), showAttendees: form.showAttendees.checked });
    await loadTeams();
  }));
  return form;
}

// A team event type, and for round robin its editor: the strategy, and each member's weight (0 = never assigned) and
// priority (higher first). Saving sends the whole list; members left at 100 and 2 keep the defaults.
function teamEventTypeRow(e, members) {
  const seats = e.seatsPerSlot > 1 ? ` · ${e.seatsPerSlot} seats` : "";
  const item = row(text(`${e.name} · /team/…/${e.slug} · ${e.mode === "collective" ? "collective" : "round robin"}${seats}${e.isActive ? "" : " · off"}`));
  item.dataset.teamEventType = e.slug;
  if (!e.roundRobin) {
    item.append(teamSeatsForm(e));
    return item;
  }
  const names = new Map(members.map((m) => [m.userId, m.user.displayName]));
  const form = document.createElement("form");
  form.className = "round-robin";
  const strategy = document.createElement("label");
  strategy.innerHTML = `Strategy <select name="strategy"><option value="fair">Fair: balance by weight</option>
    <option value="available">Available: highest priority free member</option></select>`;
  strategy.querySelector("select").value = e.roundRobin.strategy;
  const weights = e.roundRobin.members.map((m) => {
    const line = document.createElement("div");
    line.className = "weighting";
    line.dataset.userId = m.userId;
    line.innerHTML = `<span></span>
      <label>Weight <input name="weight" type="number" min="0" max="1000" step="1" required></label>
      <label>Priority <select name="priority"><option value="4">4 (first)</option><option value="3">3</option><option value="2">2</option>
        <option value="1">1</option><option value="0">0 (last)</option></select></label>`;
    line.querySelector("span").textContent = names.get(m.userId) ?? m.userId;
    line.querySelector("[name=weight]").value = m.weight;
    line.querySelector("[name=priority]").value = String(m.priority);
    return line;
  });
  const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Save round robin" });
  form.append(strategy, ...weights, save);
  form.addEventListener("submit", guarded("teams-panel", async (event) => {
    await api("PATCH", `/v0/team-event-types/${e.id}`, { roundRobin: {
      strategy: form.querySelector("[name=strategy]").value,
      members: weights.map((line) => ({
        userId: line.dataset.userId, weight: Number(line.querySelector("[name=weight]").value), priority: Number(line.querySelector("[name=priority]").value),
      })),
    } });
    save.textContent = "Saved";
    setTimeout(() => { save.textContent = "Save round robin"; }, 1500);
  }));
  item.append(form);
  return item;
}

$("#team-form").addEventListener("submit", guarded("teams-panel", async (event) => {
  const form = new FormData(event.target);
  await api("POST", "/v0/teams", { name: form.get("name"), slug: form.get("slug") });
  event.target.reset();
  await loadTeams();
}));

// ---- Webhooks
async function loadWebhooks() {
  const hooks = (await api("GET", "/v0/webhooks")).webhooks;
  $("#webhooks").replaceChildren(...hooks.map((h) => row(
    text(`${h.url} · ${h.events.join(", ")} · ${h.isActive ? "active" : "paused"}`),
    button("Deliveries", guarded("webhooks-panel", async () => {
      const deliveries = (await api("GET", `/v0/webhooks/${h.id}/deliveries`)).deliveries;
      $("#deliveries").replaceChildren(text(deliveries.length === 0 ? "No deliveries yet." : ""),
        ...deliveries.map((d) => row(text(`${d.eventType} · ${d.status} · ${d.attempts} attempt(s)${d.lastError ? ` · ${d.lastError}` : ""}`))));
    })),
    button(h.isActive ? "Pause" : "Resume", guarded("webhooks-panel", async () => {
      await api("PATCH", `/v0/webhooks/${h.id}`, { isActive: !h.isActive });
      await loadWebhooks();
    })))));
}

$("#webhook-form").addEventListener("submit", guarded("webhooks-panel", async (event) => {
  const form = new FormData(event.target);
  const events = form.getAll("events");
  if (events.length === 0) throw new Error("Choose at least one kind of booking change to send.");
  await api("POST", "/v0/webhooks", { url: form.get("url"), secret: form.get("secret"), events });
  event.target.reset();
  await loadWebhooks();
}));

// ---- API keys
async function loadApiKeys() {
  const keys = (await api("GET", "/v0/api-keys")).apiKeys;
  $("#api-keys").replaceChildren(...(keys.length === 0 ? [row(text("No API keys yet."))] : keys.map((k) => row(
    text(`${k.name} · ${k.prefix}… · ${k.scopes.join(", ")} · ${k.lastUsedAt ? `last used ${new Date(k.lastUsedAt).toLocaleString()}` : "never used"}`
      + (k.expiresAt ? ` · expires ${new Date(k.expiresAt).toLocaleDateString()}` : "")),
    button("Revoke", guarded("api-keys-panel", async () => {
      if (!confirm(`Revoke "${k.name}"? Programs using it stop working at once.`)) return;
      await api("DELETE", `/v0/api-keys/${k.id}`);
      $("#new-api-key").hidden = true;
      await loadApiKeys();
    }), "danger")))));
}

$("#api-key-form").addEventListener("submit", guarded("api-keys-panel", async (event) => {
  const form = new FormData(event.target);
  const scopes = form.getAll("scopes");
  if (scopes.length === 0) throw new Error("Choose at least one scope.");
  // The date picker's day ends at midnight in the organizer's own browser.
  const expiresOn = form.get("expiresOn");
  const expiresAt = expiresOn ? new Date(`${expiresOn}T23:59:59`).toISOString() : undefined;
  const created = await api("POST", "/v0/api-keys", { name: form.get("name"), scopes, expiresAt });
  event.target.reset();
  $("#new-api-key-token").value = created.token;
  $("#api-key-copied").textContent = "";
  $("#new-api-key").hidden = false;
  await loadApiKeys();
}));

$("#copy-api-key").addEventListener("click", guarded("api-keys-panel", async () => {
  const input = $("#new-api-key-token");
  input.select();
  try { await navigator.clipboard.writeText(input.value); $("#api-key-copied").textContent = "Copied."; }
  catch { $("#api-key-copied").textContent = "Selected: press Ctrl+C (⌘C) to copy."; }
}));

// ---- Your data
$("#export-data").addEventListener("click", guarded("data-panel", async () => {
  $("#export-status").textContent = "Preparing…";
  try {
    const data = await api("GET", "/v0/me/export");
    const link = Object.assign(document.createElement("a"), {
      href: URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" })),
      download: `opencalendly-${me.username}-${new Date().toISOString().slice(0, 10)}.json`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    $("#export-status").textContent = `Exported ${data.bookings.length} booking(s) and ${data.eventTypes.length} event type(s).`;
  } catch (e) {
    $("#export-status").textContent = "";
    throw e;
  }
}));

$("#delete-account").addEventListener("click", guarded("data-panel", async () => {
  const typed = prompt(`This deletes your account for good. Type your username (${me.username}) to confirm.`);
  if (typed === null) return;
  if (typed.trim() !== me.username) throw new Error("The username did not match: nothing was deleted.");
  await api("DELETE", "/v0/me");
  session.clear();
  $("#panels").hidden = true;
  $("#signed-out").textContent = "Your account was deleted. Your invitees are being told about the canceled bookings.";
  $("#signed-out").hidden = false;
}));

// ---- Calendars
const providerNames = { google: "Google", microsoft: "Microsoft", caldav: "CalDAV" };

async function loadCalendars() {
  const status = await api("GET", "/v0/calendar/sync/status");
  $("#calendars").replaceChildren(...status.providers.map((p) => {
    const name = providerNames[p.provider] ?? p.provider;
    const account = p.serverUrl ? `${p.externalEmail} at ${new URL(p.serverUrl).host}` : p.externalEmail ?? "connected";
    const parts = [text(p.connected
      ? `${name}: ${account} · last synced ${p.lastSyncedAt ? new Date(p.lastSyncedAt).toLocaleString() : "never"}${p.lastError ? ` · ${p.lastError}` : ""}`
      : `${name}: ${p.configured ? "not connected" : "not configured on this server"}`)];
    if (p.connected) {
      parts.push(button("Sync now", guarded("calendars-panel", async () => { await api("POST", `/v0/calendar/${p.provider}/sync`, {}); await loadCalendars(); })));
      parts.push(button("Disconnect", guarded("calendars-panel", async () => { await api("POST", `/v0/calendar/${p.provider}/disconnect`, {}); await loadCalendars(); })));
    }
    if (p.provider === "caldav") showCalDav(p);
    else if (p.configured && (!p.connected || p.needsReconnect)) {
      parts.push(button(p.needsReconnect ? "Reconnect" : "Connect", guarded("calendars-panel", async () => {
        const started = await api("POST", `/v0/calendar/${p.provider}/connect/start`, { redirectUri: `${location.origin}/settings/calendar/${p.provider}/callback` });
        location.assign(started.authUrl);
      })));
    }
    return row(...parts);
  }));
  const writeback = await api("GET", "/v0/calendar/writeback/status");
  $("#writeback").textContent = `Writeback: ${writeback.summary.succeeded} written, ${writeback.summary.pending} pending, ${writeback.summary.failed} failed`
    + (writeback.failures[0] ? ` (last failure: ${writeback.failures[0].lastError})` : "");
}

/** The CalDAV forms: sign in while not connected (or refused), else the choice of calendars. */
function showCalDav(p) {
  $("#caldav-form").hidden = p.connected && !p.needsReconnect;
  $("#caldav-choice").hidden = !p.connected;
  if (!p.connected) return;
  if (p.needsReconnect) $("#caldav-form [name=serverUrl]").value = p.serverUrl;
  $("#caldav-calendars").replaceChildren(...p.calendars.map((c) => {
    const busy = Object.assign(document.createElement("input"), { type: "checkbox", name: "busyCalendars", value: c.url, checked: c.busy });
    const write = Object.assign(document.createElement("input"), { type: "radio", name: "writeCalendar", value: c.url, checked: c.receivesBookings, disabled: !c.writable });
    const busyLabel = document.createElement("label");
    busyLabel.append(busy, ` ${c.name} blocks my time`);
    const writeLabel = document.createElement("label");
    writeLabel.append(write, c.writable ? " receives bookings" : " (read-only)");
    return row(busyLabel, writeLabel);
  }));
}

$("#caldav-form").addEventListener("submit", guarded("calendars-panel", async (event) => {
  const form = new FormData(event.target);
  await api("POST", "/v0/calendar/caldav/connect", { serverUrl: form.get("serverUrl"), username: form.get("username"), password: form.get("password") });
  event.target.reset();
  await loadCalendars();
}));

$("#caldav-choice").addEventListener("submit", guarded("calendars-panel", async (event) => {
  const form = new FormData(event.target);
  const writeCalendar = form.get("writeCalendar");
  await api("PATCH", "/v0/calendar/caldav", { busyCalendars: form.getAll("busyCalendars"), ...(writeCalendar ? { writeCalendar } : {}) });
  await loadCalendars();
}));

// ---- Analytics
const SVG = "http://www.w3.org/2000/svg";
const svgNode = (name, attributes, text) => {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** Every day of the range (days without events count zero), bars for views and bookings, labelled axes. */
function drawChart(daily, range) {
  const byDay = new Map();
  for (const d of daily) {
    const entry = byDay.get(d.date) ?? { views: 0, booked: 0 };
    entry.views += d.pageViews;
    entry.booked += d.bookingConfirmations;
    byDay.set(d.date, entry);
  }
  const days = [];
  for (let t = Date.parse(`${range.startDate}T00:00:00Z`); t <= Date.parse(`${range.endDate}T00:00:00Z`); t += 864e5) days.push(new Date(t).toISOString().slice(0, 10));
  const max = Math.max(1, ...[...byDay.values()].flatMap((e) => [e.views, e.booked]));
  const [left, top, plotWidth, plotHeight] = [44, 8, 546, 130];
  const step = plotWidth / Math.max(1, days.length);
  const y = (value) => top + plotHeight - (value / max) * plotHeight;
  const short = (date) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
  const nodes = [
    svgNode("line", { x1: left, y1: top, x2: left, y2: top + plotHeight, class: "axis" }),
    svgNode("line", { x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, class: "axis" }),
    svgNode("text", { x: left - 6, y: top + 8, "text-anchor": "end", class: "tick" }, String(max)),
    svgNode("text", { x: left - 6, y: top + plotHeight, "text-anchor": "end", class: "tick" }, "0"),
    svgNode("text", { x: 10, y: top + plotHeight / 2, "text-anchor": "middle", class: "tick", transform: `rotate(-90 10 ${top + plotHeight / 2})` }, "Count"),
  ];
  const labelled = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);
  days.forEach((date, i) => {
    const e = byDay.get(date) ?? { views: 0, booked: 0 };
    for (const [value, shift, cls] of [[e.views, 0, "bar-views"], [e.booked, 1, "bar-booked"]]) {
      const rect = svgNode("rect", { x: left + i * step + shift * step / 2, width: Math.max(1, step / 2 - 1), y: y(value), height: top + plotHeight - y(value), class: cls });
      rect.append(svgNode("title", {}, `${date}: ${value} ${cls === "bar-views" ? "page views" : "bookings"}`));
      nodes.push(rect);
    }
    if (labelled.has(i)) {
      nodes.push(svgNode("text", { x: left + (i + 0.5) * step, y: top + plotHeight + 16, "text-anchor": i === 0 ? "start" : i === days.length - 1 ? "end" : "middle", class: "tick", "data-date": date }, short(date)));
    }
  });
  $("#funnel-chart").replaceChildren(...nodes);
}

async function loadAnalytics(event) {
  event?.preventDefault();
  const form = new FormData($("#analytics-form"));
  const query = new URLSearchParams([...form.entries()].filter(([, v]) => v));
  const teamQuery = new URLSearchParams([...query.entries()].filter(([k]) => k !== "eventTypeId"));
  const funnelQuery = new URLSearchParams([...query.entries()].filter(([k]) => k !== "teamId"));
  const [funnel, team, health] = await Promise.all([
    api("GET", `/v0/analytics/funnel?${funnelQuery}`), api("GET", `/v0/analytics/team?${teamQuery}`),
    api("GET", `/v0/analytics/operator/health?${new URLSearchParams([...teamQuery.entries()].filter(([k]) => k !== "teamId"))}`),
  ]);
  const s = funnel.summary;
  $("#funnel-summary").replaceChildren(...[["Page views", s.pageViews], ["Slot selections", s.slotSelections], ["Bookings", s.bookingConfirmations],
    ["Canceled", s.canceled], ["Rescheduled", s.rescheduled], ["Conversion", `${(s.conversionRate * 100).toFixed(1)}%`]]
    .flatMap(([k, v]) => {
      const value = Object.assign(document.createElement("dd"), { textContent: String(v) });
      value.dataset.metric = k;
      return [Object.assign(document.createElement("dt"), { textContent: k }), value];
    }));
  // The range the server used (the last 30 days unless chosen) fills the date boxes it came from.
  $("#analytics-form [name=startDate]").value = funnel.range.startDate;
  $("#analytics-form [name=endDate]").value = funnel.range.endDate;
  drawChart(funnel.daily, funnel.range);
  const percent = (share) => `${Math.round(share * 100)}%`;
  $("#distribution").replaceChildren(...team.roundRobinAssignments.map((a) => row(text(
    `${a.eventTypeName}: ${a.memberDisplayName} — ${a.assignments} (${percent(a.assignmentShare)} of assignments; weight ${a.weight}, ${percent(a.weightShare)} of the pool)`))),
    ...team.collectiveBookings.map((c) => row(text(`${c.eventTypeName} (collective): ${c.bookings} bookings`))));
  if (team.roundRobinAssignments.length + team.collectiveBookings.length === 0) $("#distribution").replaceChildren(row(text("No team bookings in this range.")));
  $("#health").textContent = `Webhooks: ${health.webhookDeliveries.succeeded}/${health.webhookDeliveries.total} delivered, ${health.webhookDeliveries.failed} failed · `
    + `Emails: ${health.emailDeliveries.succeeded}/${health.emailDeliveries.total} sent, ${health.emailDeliveries.failed} failed`;
}

$("#analytics-form").addEventListener("submit", guarded("analytics-panel", loadAnalytics));

async function start() {
  if (!session.get()) { $("#signed-out").hidden = false; return; }
  try {
    me = (await api("GET", "/v0/auth/me")).user;
  } catch {
    $("#signed-out").hidden = false;
    return;
  }
  $("#panels").hidden = false;
  const panels = [["event-types-panel", loadEventTypes], ["hours-panel", loadHours], ["teams-panel", loadTeams], ["webhooks-panel", loadWebhooks],
    ["calendars-panel", loadCalendars], ["time-off-panel", loadTimeOff], ["bookings-panel", loadBookings], ["api-keys-panel", loadApiKeys]];
  $("#holiday-form [name=year]").value = new Date().getFullYear() + 1;
  await Promise.all(panels.map(([panel, load]) => guarded(panel, load)()));
  await guarded("analytics-panel", loadAnalytics)();
  // A new organizer (no event type yet, or no hours left) is told where to start.
  // From what the panels just loaded (a panel that failed shows its own error, and no hint is given).
  const hint = weeklyRules === null || eventTypes === null ? null
    : weeklyRules.length === 0 ? "no-hours" : eventTypes.length === 0 ? "no-event-types" : null;
  $("#first-run").hidden = hint === null;
  $("#first-run-hours").hidden = hint !== "no-hours";
  $("#first-run-event-type").hidden = hint !== "no-event-types";
  document.body.dataset.ready = "true";
}

start();
