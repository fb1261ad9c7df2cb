// Demo examples: a click on an example also fills the demo's own form with the example's
// values, so the student sees what was run and can change it. Kept in a file so the
// Content-Security-Policy can forbid inline scripts.
(function () {
  document.querySelectorAll("form.demo-example[data-fills]").forEach(function (example) {
    example.addEventListener("submit", function () {
      var target = document.querySelector(example.dataset.fills);
      if (!target) { return; }
      example.querySelectorAll("input[type=hidden]").forEach(function (input) {
        if (input.name === "kind" || input.name === "csrfmiddlewaretoken") { return; }
        var field = target.elements.namedItem(input.name);
        if (field && field.value !== undefined) { field.value = input.value; }
      });
    });
  });
})();
