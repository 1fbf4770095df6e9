/* Questionnaire pages, progressive enhancement (the server checks everything again):
   live character counters, "cannot be estimated" disables its number field, exclusive options,
   and a background save of the page when the browser leaves it or every 30 seconds. */
(function () {
  "use strict";
  var sv = document.documentElement.lang !== "en";

  // After a save with problems, move focus to the summary of errors (it links to the fields).
  var summary = document.getElementById("error-summary");
  if (summary && !window.location.hash) { summary.focus(); }

  function count(text) {
    // Code points, and a line break (also CRLF) counts as one: the same rule as the server.
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }
  function group(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sv ? "\u202f" : ",");
  }

  document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
    var out = document.getElementById(area.getAttribute("data-counter"));
    var max = parseInt(area.getAttribute("data-max-chars"), 10);
    if (!out) { return; }
    function update() {
      var n = count(area.value);
      out.textContent = sv ? group(n) + " av " + group(max) + " tecken"
                           : group(n) + " of " + group(max) + " characters";
      if (n > max) {
        out.textContent += sv ? " – " + group(n - max) + " för många" : " – " + group(n - max) + " too many";
      }
      out.classList.toggle("over", n > max);
    }
    area.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("input[data-disables]").forEach(function (box) {
    var target = document.getElementById(box.getAttribute("data-disables"));
    function update() { if (target) { target.disabled = box.checked; } }
    box.addEventListener("change", update);
    update();
  });

  document.querySelectorAll("input[type=checkbox][data-exclusive]").forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) { return; }
      document.querySelectorAll("input[type=checkbox][name='" + box.name + "']").forEach(function (other) {
        if (other !== box) { other.checked = false; }
      });
    });
  });

  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var dirty = false, leaving = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { leaving = true; });
  function payload() {
    var data = new FormData(form);
    data.set("action", "autosave");
    return data;
  }
  function save() {
    if (!dirty || leaving) { return; }
    dirty = false;
    fetch(form.action, { method: "POST", body: payload(), credentials: "same-origin", keepalive: true })
      .then(function (r) { if (r.status !== 204) { dirty = true; } })
      .catch(function () { dirty = true; });
  }
  setInterval(save, 30000);
  window.addEventListener("pagehide", function () {
    if (dirty && !leaving && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, payload());
      dirty = false;
    }
  });
})();
