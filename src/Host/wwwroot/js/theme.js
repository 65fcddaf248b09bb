// Loaded as a classic script in <head>, before the body is painted: applies the remembered theme without a flash.
(function () {
  var choice = "system";
  try { choice = localStorage.getItem("oc-theme") || "system"; } catch (e) { /* storage blocked: follow the system */ }
  var dark = choice === "dark" || (choice === "system" && window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  document.documentElement.dataset.themeChoice = choice;
})();
