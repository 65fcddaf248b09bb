// A week of slots grouped by day in a chosen zone, as buttons a keyboard can walk (arrow keys, Home, End).

// Browsers still name some zones by their old IANA links; show (and send) the current names.
const currentName = {
  "Asia/Calcutta": "Asia/Kolkata", "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Katmandu": "Asia/Kathmandu", "Asia/Rangoon": "Asia/Yangon",
  "Europe/Kiev": "Europe/Kyiv", "Atlantic/Faeroe": "Atlantic/Faroe", "America/Godthab": "America/Nuuk", "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk", "Pacific/Enderbury": "Pacific/Kanton", "Europe/Uzhgorod": "Europe/Kyiv", "Europe/Zaporozhye": "Europe/Kyiv",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires", "Asia/Dacca": "Asia/Dhaka", "Asia/Thimbu": "Asia/Thimphu", "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
};
const canonical = (zone) => currentName[zone] || zone;

export const detectedZone = () => canonical(Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");

/** "GMT+05:30" now, in that zone. */
export function offsetOf(zone) {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date()).find((p) => p.type === "timeZoneName");
    return part ? (part.value === "GMT" ? "GMT+00:00" : part.value) : "";
  } catch { return ""; }
}
const minutesOf = (offset) => { const m = /GMT([+-])(\d\d):(\d\d)/.exec(offset); return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0; };

/**
 * Fills a zone select, sorted by today's UTC offset, each labelled with it ("(GMT+05:30) Asia/Kolkata"), with a search
 * box in front of it that narrows the list as one types (a city, a region or an offset).
 */
export function zoneOptions(select, selected) {
  const raw = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [selected];
  const zones = [...new Set(["UTC", selected, ...raw].map(canonical))];
  const entries = zones.map((zone) => ({ zone, offset: offsetOf(zone) }))
    .sort((a, b) => minutesOf(a.offset) - minutesOf(b.offset) || a.zone.localeCompare(b.zone));
  const options = entries.map(({ zone, offset }) => new Option(`(${offset}) ${zone.replaceAll("_", " ")}`, zone, false, zone === selected));
  select.replaceChildren(...options);
  if (!select.getAttribute("aria-label")) select.setAttribute("aria-label", "Time zone");
  const holder = select.closest("label") || select;
  if (holder.previousElementSibling?.classList.contains("zone-search")) return;
  const search = Object.assign(document.createElement("input"), { type: "search", className: "zone-search", placeholder: "Search time zones" });
  search.setAttribute("aria-label", "Search time zones");
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().replaceAll(" ", "_").split(/_+/).filter(Boolean);
    const current = select.value;
    select.replaceChildren(...options.filter((o) => o.value === current || words.every((w) => `${o.value} ${o.text}`.toLowerCase().replaceAll(" ", "_").includes(w))));
  });
  holder.before(search);
}

export const dayKey = (iso, zone) => new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
export const dayLabel = (iso, zone) => new Intl.DateTimeFormat(undefined, { timeZone: zone, weekday: "long", month: "long", day: "numeric" }).format(new Date(iso));
export const timeLabel = (iso, zone) => new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(new Date(iso));

/** Renders slots into container; onPick(slot) runs when one is chosen. */
export function renderSlots(container, slots, zone, onPick) {
  container.replaceChildren();
  if (slots.length === 0) {
    const empty = document.createElement("p");
    empty.className = "muted";
    empty.textContent = "No open times in this week. Try the next one.";
    container.append(empty);
    return;
  }
  const days = new Map();
  for (const slot of slots) {
    const key = dayKey(slot.startsAt, zone);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(slot);
  }
  for (const [, daySlots] of days) {
    const group = document.createElement("section");
    group.className = "day";
    const heading = document.createElement("h3");
    heading.textContent = dayLabel(daySlots[0].startsAt, zone);
    const list = document.createElement("div");
    list.className = "slot-list";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", heading.textContent);
    for (const slot of daySlots) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "slot";
      button.dataset.startsAt = slot.startsAt;
      button.textContent = timeLabel(slot.startsAt, zone);
      // A group event says how many seats are left: "10:00 · 3 seats left".
      const left = slot.seatsRemaining === undefined ? "" : `${slot.seatsRemaining} ${slot.seatsRemaining === 1 ? "seat" : "seats"} left`;
      button.setAttribute("aria-label", `${heading.textContent}, ${button.textContent}${left ? `, ${left}` : ""}`);
      if (left) button.append(Object.assign(document.createElement("span"), { className: "seats-left", textContent: ` · ${left}` }));
      button.addEventListener("click", () => {
        container.querySelectorAll(".slot[aria-pressed='true']").forEach((b) => b.setAttribute("aria-pressed", "false"));
        button.setAttribute("aria-pressed", "true");
        onPick(slot);
      });
      list.append(button);
    }
    group.append(heading, list);
    container.append(group);
  }
  container.onkeydown = (event) => {
    const buttons = [...container.querySelectorAll("button.slot")];
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const next = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, next))].focus();
  };
}

/** An iCalendar file for the booking, for "add to calendar". */
export function icsFor({ id, title, startsAt, endsAt, location }) {
  const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const escape = (text) => String(text || "").replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, "\\n");
  const lines = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OpenCalendly//Booking page//EN", "BEGIN:VEVENT",
    `UID:${id}@opencalendly`, `DTSTAMP:${stamp(new Date().toISOString())}`, `DTSTART:${stamp(startsAt)}`, `DTEND:${stamp(endsAt)}`,
    `SUMMARY:${escape(title)}`, location ? `LOCATION:${escape(location)}` : null, "END:VEVENT", "END:VCALENDAR",
  ].filter(Boolean);
  return new Blob([lines.join("\r\n") + "\r\n"], { type: "text/calendar" });
}
