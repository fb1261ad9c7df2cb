// Authoring pages: ask before a destructive form is sent (forms with data-confirm). Kept in a
// file so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
