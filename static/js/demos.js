// Demo examples: a click on an example also fills the demo's own form with the example's
// values, so the student sees what was run and can change it. Kept in a file so the
// Content-Security-Policy can forbid inline scripts.
(function () {
  document.querySelectorAll("form.demo-example[data-fills]").forEach(function (example) {
    example.addEventListener("submit", function () {
      var target = document.querySelector(example.dataset.fills);
      if (!target) { return; }
      // Back to the form's defaults first: a field this example does not set must not keep
      // an earlier example's value (a face seed left beside a scene seed ran the face).
      target.reset();
      example.querySelectorAll("input[type=hidden]").forEach(function (input) {
        if (input.name === "kind" || input.name === "csrfmiddlewaretoken") { return; }
        var field = target.elements.namedItem(input.name);
        if (field && field.value !== undefined) { field.value = input.value; }
      });
    });
  });
})();

// A demo refused because the queue is full answers 503 with its own sentence ("busy; try again
// in about N s", inference.services). The site's htmx config swaps only 2xx-4xx replies
// (base.html: a proxy's 5xx page must not land in a quiz's save status), so without this the
// click on "Generate" would be answered by nothing. In a demo's result area a 503 is shown.
// Loaded by the demos page, each lesson widget and a job's own page: registered once.
(function () {
  if (window.demoBusyShown) { return; }
  window.demoBusyShown = true;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status !== 503 || !target || !target.closest) { return; }
    if (target.closest(".demo-result, .detect-result")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
