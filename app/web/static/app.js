// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";
  function focusFirst(root) {
    var el = (root || document).querySelector("[data-autofocus]");
    if (el) { if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); } el.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusFirst(document); });
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
})();
