// A data table wider than the screen scrolls in its own box instead of widening the page
// (a phone, a narrow window, a large text size). The box is made focusable and named after
// the table's caption only while it scrolls, so that a keyboard can scroll it and a screen
// reader says what it holds; its caption wraps to the box and stays in view while the rows
// scroll. Tables that fit are left untouched.
(function () {
  var script = document.currentScript;
  var label = (script && script.getAttribute("data-table-label")) || "Table";

  function clean(text) { return (text || "").replace(/\s+/g, " ").trim(); }

  // The heading the table stands under: the nearest one before it in the page.
  function heading(el) {
    for (var node = el; node && node !== document.body; node = node.parentElement) {
      for (var s = node.previousElementSibling; s; s = s.previousElementSibling) {
        if (/^H[1-6]$/.test(s.tagName)) { return clean(s.textContent); }
        var inside = s.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inside.length) { return clean(inside[inside.length - 1].textContent); }
      }
    }
    return "";
  }

  function name(table) {
    var caption = table.querySelector("caption");
    return clean(caption && caption.textContent) || clean(table.getAttribute("aria-label")) ||
      heading(table) || label;
  }

  function boxed(table) { return table.parentElement.classList.contains("table-scroll"); }

  // All reads of a step come before its writes, so the page is laid out once per step, not
  // once per table (a report holds dozens).
  function fit() {
    var width = document.documentElement.clientWidth;
    var tables = Array.prototype.slice.call(document.querySelectorAll("main table"));
    tables.filter(function (table) {
      return !boxed(table) && table.getBoundingClientRect().right > width + 1;
    }).forEach(function (table) {
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentElement.insertBefore(box, table);
      box.appendChild(table);
    });
    var inBoxes = tables.filter(boxed);
    inBoxes.forEach(function (table) {
      var caption = table.querySelector("caption");
      if (caption) { caption.style.maxWidth = ""; }
    });
    var sizes = inBoxes.map(function (table) {
      var box = table.parentElement;
      return box.scrollWidth > box.clientWidth + 1 ? box.clientWidth : 0;
    });
    inBoxes.forEach(function (table, i) {
      var box = table.parentElement;
      var caption = table.querySelector("caption");
      if (sizes[i]) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name(table));
        // the caption keeps to the box's width and stays in view while the rows scroll
        if (caption) { caption.style.maxWidth = sizes[i] + "px"; }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () { pending = null; fit(); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
})();
