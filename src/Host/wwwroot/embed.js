/*
 * OpenCalendly embed: one script tag puts a booking page into any site.
 *
 *   <script src="https://your-host/embed.js" data-user="alice" data-slug="intro-call" async></script>
 *   <script src="https://your-host/embed.js" data-team="support" data-slug="onboarding" async></script>
 *
 * The iframe grows to fit the page (the page posts its height), and when the invitee books, the iframe
 * element dispatches a bubbling "booking.confirmed" event (detail: the booking) that reaches the host
 * page's document and window. Optional: data-target="#selector" to fill an element instead of
 * following the script tag.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, location.href).origin;
  var slug = script.getAttribute("data-slug");
  var user = script.getAttribute("data-user");
  var team = script.getAttribute("data-team");
  var safe = /^[a-z0-9-]+$/;
  if (!slug || !safe.test(slug) || !(user ? safe.test(user) : team && safe.test(team))) {
    console.error("OpenCalendly embed: set data-slug and either data-user or data-team (lowercase letters, digits, hyphens).");
    return;
  }

  var path = user ? "/" + user + "/" + slug : "/team/" + team + "/" + slug;
  var frame = document.createElement("iframe");
  frame.src = origin + path + "?embed=1&parent=" + encodeURIComponent(location.origin);
  frame.title = "Book a time";
  frame.setAttribute("loading", "lazy");
  frame.style.cssText = "width:100%;min-height:480px;border:0;display:block;color-scheme:normal";
  frame.className = "opencalendly-embed";

  var target = script.getAttribute("data-target");
  var container = target ? document.querySelector(target) : null;
  if (container) container.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "opencalendly:resize" && typeof data.height === "number" && data.height > 0) {
      frame.style.height = Math.ceil(Math.min(data.height, 10000)) + "px";
    } else if (data.type === "opencalendly:booking.confirmed") {
      frame.dispatchEvent(new CustomEvent("booking.confirmed", { detail: data.booking, bubbles: true, composed: true }));
    }
  });
})();
