// Quiz pages: the countdown (the server enforces the deadline; this only informs) and the
// confirmation before submitting. Kept in a file so the Content-Security-Policy can forbid
// inline scripts.
(function () {
  var timer = document.querySelector(".timer");
  if (timer) {
    var skew = Date.parse(timer.dataset.now) - Date.now();
    var deadline = Date.parse(timer.dataset.deadline);
    var out = document.getElementById("time-left");
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
      out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) { document.getElementById("attempt-form").submit(); return; }
      if (left === 60) { timer.setAttribute("aria-live", "assertive"); }
      setTimeout(tick, 1000);
    };
    tick();
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
