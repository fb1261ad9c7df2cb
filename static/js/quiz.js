// Quiz pages: the countdown (the server enforces the deadline; this only informs) and the
// confirmation before submitting. Kept in a file so the Content-Security-Policy can forbid
// inline scripts.
(function () {
  var timer = document.querySelector(".timer");
  if (timer) {
    var skew = Date.parse(timer.dataset.now) - Date.now();
    var deadline = Date.parse(timer.dataset.deadline);
    var out = document.getElementById("time-left");
    // Screen readers hear the time left only at a few thresholds, through a separate polite
    // region: a clock read out every second drowns the question being answered.
    var region = document.getElementById("timer-announcement");
    var thresholds = region ? region.dataset.thresholds.split(" ").map(Number) : [];
    var announced = Infinity;
    var started = false;
    var announce = function (left) {
      var due = thresholds.filter(function (t) { return left <= t; });
      var threshold = due.length ? Math.min.apply(null, due) : Infinity;
      // On page load only remember where we are: the page itself shows the time.
      if (!started) { started = true; announced = threshold; return; }
      if (threshold >= announced) { return; }
      announced = threshold;
      var text = threshold >= 120 ? region.dataset.minutes.replace("{n}", threshold / 60)
        : threshold === 60 ? region.dataset.minute
          : region.dataset.seconds.replace("{n}", threshold);
      region.textContent = text;
    };
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
      out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) { document.getElementById("attempt-form").submit(); return; }
      if (region) { announce(left); }
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

// Autosave retries: if a save fails on the way (network drop, a 5xx while the database
// reconnects), send it again with the same sequence number. The server stores it once: a retry
// of a save that did commit is recognised and acknowledged without a second write.
(function () {
  var tries = new WeakMap();
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var section = event.detail.elt;
    if (!section.matches || !section.matches("section.question")) { return; }
    var xhr = event.detail.xhr;
    var failed = !xhr || xhr.status === 0 || xhr.status >= 500;
    if (!failed) { tries.delete(section); return; }
    var n = (tries.get(section) || 0) + 1;
    tries.set(section, n);
    var status = section.querySelector(".save-status");
    if (n > 6) {
      if (status) { status.textContent = status.dataset.failed || "Not saved"; }
      return;
    }
    if (status) { status.textContent = (status.dataset.retrying || "Retrying…") + " (" + n + ")"; }
    setTimeout(function () { htmx.trigger(section, "change"); }, 500 * n);
  });
})();

// The question navigator: its entries follow what the server answered to a save or a flag
// (the responses swap in each entry's state), and on a one-question-per-page quiz a jump
// submits the form to the page route, so what is on this page is saved before leaving it.
(function () {
  var nav = document.querySelector(".quiz-nav");
  if (!nav) { return; }
  var sync = function () {
    nav.querySelectorAll(".nav-state").forEach(function (state) {
      var item = state.closest(".nav-item");
      if (!item) { return; }
      item.classList.toggle("answered", state.dataset.answered === "1");
      item.classList.toggle("flagged", state.dataset.flagged === "1");
    });
  };
  document.body.addEventListener("htmx:afterSettle", sync);
  document.body.addEventListener("htmx:oobAfterSwap", sync);
  var form = document.getElementById("attempt-form");
  nav.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-goto]");
    if (!link || !form || !form.dataset.pageAction) { return; }
    event.preventDefault();
    var goto = document.createElement("input");
    goto.type = "hidden";
    goto.name = "goto";
    goto.value = link.dataset.goto;
    form.appendChild(goto);
    form.action = form.dataset.pageAction;
    form.submit();
  });
  // All questions on one page: the entry of the question being worked on is marked current.
  if (!nav.querySelector("[aria-current]")) {
    document.addEventListener("focusin", function (event) {
      var section = event.target.closest && event.target.closest("section.question");
      if (!section) { return; }
      nav.querySelectorAll(".nav-item.current").forEach(function (item) {
        item.classList.remove("current");
      });
      var item = document.getElementById("nav-q" + section.dataset.number);
      if (item) { item.classList.add("current"); }
    });
  }
})();
