// Upload drop zones: a plain <input type=file> (which works without this script, and with
// the keyboard as any file input does) gains a drop area and a preview of the chosen image.
// Kept in a file so the Content-Security-Policy can forbid inline scripts.
(function () {
  if (window.dropzonesLoaded) { return; }  // a lesson with several demos loads this once each
  window.dropzonesLoaded = true;
  function enhance(zone) {
    if (zone.dataset.enhanced) { return; }
    zone.dataset.enhanced = "1";
    var input = zone.querySelector("input[type=file]");
    var preview = zone.querySelector(".dropzone-preview");
    var img = preview.querySelector("img");
    var name = preview.querySelector(".dropzone-name");
    var clear = preview.querySelector("button");
    var reader = null;
    zone.classList.add("is-enhanced");
    zone.querySelector(".dropzone-hint").hidden = false;

    function show() {
      var file = input.files && input.files[0];
      if (reader) { reader.abort(); reader = null; }
      if (!file) { preview.hidden = true; img.removeAttribute("src"); return; }
      name.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      img.hidden = true;
      if (/^image\//.test(file.type)) {
        // A data: URL, not a blob: one: the Content-Security-Policy allows images from this
        // site and data: only (config/security.py).
        reader = new FileReader();
        reader.onload = function () {
          img.src = reader.result;
          img.alt = zone.dataset.previewLabel + " " + file.name;
          img.hidden = false;
          reader = null;
        };
        reader.readAsDataURL(file);
      }
      preview.hidden = false;
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      var chosen = new DataTransfer();
      chosen.items.add(files[0]);
      input.files = chosen.files;
      show();
      input.focus();
    });
    clear.addEventListener("click", function () {
      input.value = "";
      show();
      input.focus();
    });
    // A form reset (or htmx re-using the form) clears the input: clear the preview with it.
    if (input.form) { input.form.addEventListener("reset", function () { setTimeout(show, 0); }); }
  }
  function enhanceAll(root) {
    (root || document).querySelectorAll("[data-dropzone]").forEach(enhance);
  }
  enhanceAll(document);
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
