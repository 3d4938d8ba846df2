// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";
  function focusFirst(root) {
    var el = (root || document).querySelector("[data-autofocus]");
    if (el) { if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); } el.focus(); }
  }
  // On a narrow screen the duplicate panel starts collapsed: a bar at the bottom that says
  // how many candidates there are, opened on demand, never covering the field being typed.
  var NARROW = "(max-width: 48rem)";
  function collapsePanel() {
    var box = document.getElementById("dup-box");
    if (box && window.matchMedia && window.matchMedia(NARROW).matches) { box.open = false; }
  }
  // Required fields follow the category chosen: mark those the category needs.
  function markRequired() {
    var select = document.getElementById("f-category");
    if (!select) { return; }
    var chosen = select.value;
    document.querySelectorAll("[data-required-for]").forEach(function (field) {
      var categories = field.dataset.requiredFor.split(" ");
      var required = chosen ? categories.indexOf(chosen) >= 0 : categories.length === 4;
      var mark = field.querySelector(".req");
      if (mark) { mark.hidden = !required; }
      var input = field.querySelector("input, select, textarea");
      if (input) { if (required) { input.setAttribute("aria-required", "true"); } else { input.removeAttribute("aria-required"); } }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    focusFirst(document); collapsePanel(); markRequired();
  });
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "f-category") { markRequired(); }
  });
  // A form submits once: a second click while the first is in flight does nothing (the server
  // would answer a replay anyway, thanks to the form's client UUID).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    setTimeout(function () { form.dataset.submitting = ""; }, 8000);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "compare") {
      var heading = event.detail.target.querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });

  // Duplicate review keys: one key per decision. Elements name their key in data-key; a key
  // clicks its button or link, or focuses its text field. Physical keys (event.code), so the
  // keys work the same on an Arabic keyboard layout.
  var CODES = { KeyS: "s", KeyD: "d", KeyN: "n", KeyU: "u", KeyJ: "j", KeyK: "k" };
  var busy = false;
  function typing(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  // Keys wait from a request until its answer has settled: htmx wires up the new pair's
  // buttons only then, and a key pressed in between would submit the form without htmx.
  // The page's main region says so (aria-busy) while it waits.
  var release = null;
  function main() { return document.getElementById("content"); }
  function idle() {
    busy = false;
    if (release) { clearTimeout(release); release = null; }
    if (main()) { main().removeAttribute("aria-busy"); }
  }
  document.addEventListener("htmx:beforeRequest", function () {
    if (release) { clearTimeout(release); release = null; }  // not the previous answer's timer
    busy = true;
    if (main()) { main().setAttribute("aria-busy", "true"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { idle(); return; }
    release = setTimeout(idle, 1000);  // an answer that swaps nothing never settles
  });
  document.addEventListener("htmx:afterSettle", idle);
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var el = event.target;
    if (typing(el)) {
      if (event.key === "Escape") { el.blur(); }
      else if (event.key === "Enter" && !event.shiftKey && el.dataset.mode === "enter") {
        var send = document.querySelector(el.dataset.enter);
        if (send) { event.preventDefault(); if (!busy) { send.click(); } }
      }
      return;
    }
    var key = CODES[event.code];
    if (!key && (event.code === "ArrowLeft" || event.code === "ArrowRight")) {
      // "next" is the reading direction: right in English, left in Arabic
      var rtl = document.documentElement.dir === "rtl";
      key = (event.code === "ArrowRight") !== rtl ? "j" : "k";
    }
    var target = key && document.querySelector('[data-key="' + key + '"]');
    if (!target) { return; }
    event.preventDefault();
    if (event.repeat || busy) { return; }
    if (typing(target)) {
      if (target.dataset.enter) { target.dataset.mode = "enter"; }
      target.focus();
    } else {
      target.click();
    }
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.dataset && event.target.dataset.mode) { delete event.target.dataset.mode; }
  });
  // After htmx brings the next pair, put the focus on its heading (screen readers announce it)
  // or on the problem it reports; after a case form, on what went wrong or on "saved".
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById("problem") || document.getElementById("pair-title") ||
      document.getElementById("case-notice");
    if (target && document.activeElement !== target && !typing(document.activeElement)) {
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  });
})();
