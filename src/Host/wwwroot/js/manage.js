// /bookings/actions/{token} (and the older /booking/actions/{token}): view the booking, then cancel (with a reason) or pick a new time.
import { api, newKey, showError } from "./api.js";
import { detectedZone, zoneOptions, renderSlots, dayLabel, timeLabel } from "./slots.js";

const el = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.split("/").filter(Boolean)[2] || "");
const link = `/v0/bookings/actions/${encodeURIComponent(token)}`;
let zone = detectedZone();
let weekStart = new Date();
let chosen = null;
let view = null;

function describe(booking) {
  el("when").textContent = `${dayLabel(booking.startsAt, zone)}, ${timeLabel(booking.startsAt, zone)}–${timeLabel(booking.endsAt, zone)} (${zone})`;
  el("status").textContent = booking.status;
  const seat = booking.seat;
  document.querySelectorAll(".seat").forEach((e) => { e.hidden = !seat; });
  if (seat) el("seat").textContent = `Seat ${seat.number} of ${seat.seatsPerSlot} (${seat.seatsTaken} taken)`;
  const others = seat?.otherAttendees;
  document.querySelectorAll(".attendees").forEach((e) => { e.hidden = !others; });
  if (others) el("attendees").textContent = others.length ? others.join(", ") : "Nobody else yet";
}

async function loadSlots() {
  const eventType = view.eventType;
  // A team booking is moved among the team's free members; a personal one within the organizer's hours.
  const page = view.team ? `/v0/teams/${encodeURIComponent(view.team.slug)}` : `/v0/users/${encodeURIComponent(view.organizer.username)}`;
  try {
    const answer = await api("GET", `${page}/event-types/${encodeURIComponent(eventType.slug)}/availability?start=${encodeURIComponent(weekStart.toISOString())}&days=7`, undefined, { auth: false });
    renderSlots(el("slots"), answer.slots, zone, (slot) => { chosen = slot; el("reschedule-button").disabled = false; });
  } catch (e) {
    showError(el("error"), e);
  }
}

async function start() {
  try {
    view = await api("GET", link, undefined, { auth: false });
  } catch (e) {
    el("title").textContent = e.status === 410 ? "This link has expired" : "Booking link not found";
    showError(el("error"), e);
    return;
  }
  el("details").hidden = false;
  el("what").textContent = view.eventType ? `${view.eventType.name} with ${view.team?.name ?? view.organizer?.displayName ?? "the organizer"}` : "Booking";
  describe(view.booking);
  el("cancel-form").hidden = !view.actions.canCancel;
  const canMove = view.actions.canReschedule && view.organizer && view.eventType;
  el("reschedule").hidden = !canMove;
  if (canMove) await loadSlots();
  if (!view.actions.canCancel && !canMove) {
    el("done").hidden = false;
    const to = view.booking.rescheduledTo;
    el("done").textContent = view.booking.status === "canceled" ? "This booking was canceled."
      : to ? `This booking was moved to ${dayLabel(to.startsAt, zone)}, ${timeLabel(to.startsAt, zone)}–${timeLabel(to.endsAt, zone)} (${zone}). The new booking's email has its own link.`
      : "This booking can no longer be changed here.";
  }
}

el("cancel-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(el("error"), null);
  try {
    const reason = el("reason").value.trim();
    const canceled = await api("POST", `${link}/cancel`, reason ? { reason } : {}, { auth: false });
    el("status").textContent = canceled.booking.status;
    el("cancel-form").hidden = true;
    el("reschedule").hidden = true;
    el("done").hidden = false;
    el("done").textContent = "Your booking is canceled. The organizer has been told.";
  } catch (e) {
    showError(el("error"), e);
  }
});

zoneOptions(el("zone"), zone);
el("zone").addEventListener("change", () => { zone = el("zone").value; describe(view.booking); loadSlots(); });
el("next-week").addEventListener("click", () => { weekStart = new Date(weekStart.getTime() + 7 * 864e5); loadSlots(); });
el("reschedule-button").addEventListener("click", async () => {
  showError(el("error"), null);
  try {
    const moved = await api("POST", `${link}/reschedule`, { startsAt: chosen.startsAt, timezone: zone }, { idempotencyKey: newKey(), auth: false });
    el("done").hidden = false;
    if (view.actionType === "manage") {
      // The manage link follows the booking: the same page now shows the new time, with both actions.
      el("done").textContent = "Moved. Here is your booking at its new time.";
      chosen = null;
      el("reschedule-button").disabled = true;
      await start();
      return;
    }
    el("reschedule").hidden = true;
    describe({ ...moved.newBooking, status: moved.newBooking.status });
    // The moved booking has a manage page of its own (its link also comes by email).
    const manage = Object.assign(document.createElement("a"), { href: `/bookings/actions/${encodeURIComponent(moved.actions.manage.token)}`, textContent: "Manage the new booking" });
    el("done").replaceChildren("Moved. ", manage, " to reschedule or cancel it.");
  } catch (e) {
    showError(el("error"), e);
    if (e.status === 409) loadSlots();
  }
});

start();
