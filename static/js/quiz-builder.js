// Quiz builder: drag a question row to reorder the quiz. The ↑ ↓ buttons (plain forms) do the
// same without a mouse or without JavaScript; this only adds dragging. The new order is sent
// to the server (slot ids, top to bottom), then the page reloads to show the saved positions.
(function () {
  "use strict";
  var table = document.getElementById("slots");
  if (!table || table.dataset.locked) return;
  var body = table.tBodies[0];
  var status = document.getElementById("reorder-status");
  var dragged = null;

  function rows() {
    return Array.prototype.filter.call(body.rows, function (r) { return r.dataset.slot; });
  }

  function save() {
    var order = rows().map(function (r) { return r.dataset.slot; }).join(",");
    var form = new FormData();
    form.append("order", order);
    if (status) status.textContent = "…";
    fetch(table.dataset.reorderUrl, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": table.dataset.csrf, "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) { window.location.reload(); return; }
      return response.text().then(function (text) {
        if (status) status.textContent = text || response.statusText;
      });
    }).catch(function (error) { if (status) status.textContent = String(error); });
  }

  rows().forEach(function (row) {
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.slot);
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      rows().forEach(function (r) { r.classList.remove("drop-target"); });
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      rows().forEach(function (r) { r.classList.toggle("drop-target", r === row); });
    });
    row.addEventListener("drop", function (event) {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      var list = rows();
      var before = list.indexOf(dragged) > list.indexOf(row) ? row : row.nextSibling;
      body.insertBefore(dragged, before);
      dragged = null;
      save();
    });
  });
})();
