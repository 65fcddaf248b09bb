/*
 * OpenCalendly inline widget, served at /v0/embed/widget.js (the reference web app's embed route):
 *
 *   <script src="https://your-host/v0/embed/widget.js?username=demo&eventSlug=intro-call&timezone=Asia/Kolkata&theme=light"
 *           data-width="100%" data-height="760px"></script>
 *
 * Query: username and eventSlug (required), timezone and theme (light | dark, optional). Attributes: data-width,
 * data-height, data-radius, data-shadow, data-target (a selector to fill), data-title. The booking page inside posts
 * its confirmed booking to this page; the iframe dispatches a bubbling "booking.confirmed" event with it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var src = new URL(script.src, location.href);
  var origin = src.origin;
  var q = src.searchParams;
  var safe = /^[a-z0-9-]+$/;
  var username = q.get("username"), eventSlug = q.get("eventSlug");
  if (!username || !eventSlug || !safe.test(username) || !safe.test(eventSlug)) {
    console.error("OpenCalendly widget: username and eventSlug are required (lowercase letters, digits, hyphens).");
    return;
  }
  var page = new URL(origin + "/" + username + "/" + eventSlug);
  page.searchParams.set("embed", "1");
  page.searchParams.set("parent", location.origin);
  if (q.get("timezone")) page.searchParams.set("timezone", q.get("timezone"));
  if (q.get("theme") === "light" || q.get("theme") === "dark") page.searchParams.set("theme", q.get("theme"));

  var attr = function (name, fallback) { var v = script.getAttribute("data-" + name); return v === null || v === "" ? fallback : v; };
  var cssLength = /^\d+(\.\d+)?(px|%|rem|em|vh|vw)?$/;
  var length = function (name, fallback) { var v = attr(name, fallback); return cssLength.test(v) ? v : fallback; };
  var frame = document.createElement("iframe");
  frame.src = page.toString();
  frame.title = attr("title", "Book a time");
  frame.setAttribute("loading", "lazy");
  frame.className = "opencalendly-embed";
  frame.style.cssText = "display:block;border:0;color-scheme:normal";
  frame.style.width = length("width", "100%");
  frame.style.height = length("height", "760px");
  frame.style.borderRadius = length("radius", "0");
  if (attr("shadow", "false") === "true") frame.style.boxShadow = "0 4px 24px rgba(0,0,0,.12)";

  var target = attr("target", null);
  var container = target ? document.querySelector(target) : null;
  if (container) container.appendChild(frame);
  else script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data || {};
    if (data.type === "opencalendly:booking.confirmed") {
      frame.dispatchEvent(new CustomEvent("booking.confirmed", { detail: data.booking, bubbles: true, composed: true }));
    }
  });
})();
