// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
document.addEventListener("htmx:afterSwap", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
