// Light or dark: the system's preference unless the person chose, and then their choice, remembered.
// Loaded in <head> without defer so the page is painted in the right theme at once.
(function () {
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem("lbstats-theme"); } catch (e) { /* storage refused: follow the system */ }
  if (stored === "light" || stored === "dark") root.dataset.theme = stored;

  function current() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }

  function label(button) {
    var next = current() === "dark" ? "light" : "dark";
    button.textContent = next === "light" ? "Light theme" : "Dark theme";
    button.setAttribute("aria-label", "Switch to the " + next + " theme");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-switch");
    if (!button) return;
    button.hidden = false;
    label(button);
    button.addEventListener("click", function () {
      root.dataset.theme = current() === "dark" ? "light" : "dark";
      try { localStorage.setItem("lbstats-theme", root.dataset.theme); } catch (e) { /* not remembered */ }
      label(button);
    });
  });
})();
