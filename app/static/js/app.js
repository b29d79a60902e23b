// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  var summary = document.getElementById("error-summary") || document.querySelector("[data-focus]");
  if (summary) {
    summary.focus();
  }
});

// Focus after an htmx swap, so that it never drops to <body> and the change is confirmed:
// the swapped region's error summary first; else an element the server marked with
// data-focus (a status message: "Trin markeret som udført"); else, if the focus was lost
// with the element that made the request, the region's alert or status message, its
// heading, or the region itself. An autofocus field (focused by htmx) is left alone. Only
// after what the user did: a section that loads itself (hx-trigger="load") leaves focus and
// scroll where they are.
(function () {
  function hasText(el) { return el && el.textContent.trim() !== ""; }
  function focusable(el) {
    if (!el.hasAttribute("tabindex") && !el.matches("a[href], button, input, select, textarea")) {
      el.setAttribute("tabindex", "-1");
    }
    return el;
  }
  function within(region, selector) {
    if (region.matches(selector)) { return region; }
    return region.querySelector(selector);
  }
  function firstWithText(region, selector) {
    var found = Array.prototype.filter.call(region.querySelectorAll(selector), hasText);
    return found.length ? found[0] : null;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!(region instanceof Element) || !region.isConnected) { return; }
    var config = event.detail && event.detail.requestConfig;
    var cause = config && config.triggeringEvent;
    if (!cause || !cause.isTrusted) { return; }
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    var goal = within(region, "#error-summary") || within(region, "[data-focus]");
    if (!goal && !lost) { return; }
    if (!goal) {
      goal = firstWithText(region, "[role=alert]") || firstWithText(region, "[role=status]")
        || region.querySelector("h1, h2, h3") || region;
    }
    focusable(goal).focus();
  });
})();

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
