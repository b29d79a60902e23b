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

// The mobile menu (DKFDS's drawer), by delegation so it survives boosted page swaps.
(function () {
  var opener = null;
  function drawer() { return document.getElementById("mobile-menu"); }
  function setOpen(open) {
    var menu = drawer();
    if (!menu) { return; }
    menu.classList.toggle("is-visible", open);
    document.querySelectorAll(".overlay").forEach(function (o) { o.classList.toggle("is-visible", open); });
    document.body.classList.toggle("mobile-nav-active", open);
    document.querySelectorAll(".js-app-menu-open").forEach(function (b) {
      b.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (open) {
      var first = menu.querySelector("button, a[href]");
      if (first) { first.focus(); }
    } else if (opener) {
      opener.focus();
      opener = null;
    }
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var open = target.closest(".js-app-menu-open");
    if (open) { opener = open; setOpen(true); return; }
    if (target.closest(".js-app-menu-close")) { setOpen(false); }
  });
  document.addEventListener("keydown", function (event) {
    var menu = drawer();
    if (!menu || !menu.classList.contains("is-visible")) { return; }
    if (event.key === "Escape") { setOpen(false); return; }
    if (event.key === "Tab") {  // keep focus inside the open drawer
      var items = Array.prototype.filter.call(menu.querySelectorAll("a[href], button"),
        function (el) { return el.offsetWidth > 0 || el.offsetHeight > 0; });
      if (!items.length) { return; }
      var first = items[0], last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });
  document.addEventListener("htmx:beforeSwap", function () {
    document.body.classList.remove("mobile-nav-active");
  });
})();
