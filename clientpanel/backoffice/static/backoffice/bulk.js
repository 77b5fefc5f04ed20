// The client directory's bulk selection (issue 13): "select this page", the count of ticked rows,
// "all matching" (which ticks the page too), and the actions enabled once something is selected.
// Listeners sit on the document, so the directory htmx swaps in after a search works too.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
  }

  function update() {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    const all = document.getElementById("bulk-all-matching");
    const page = document.getElementById("bulk-page");
    const boxes = rows();
    const ticked = boxes.filter(function (box) { return box.checked; }).length;
    const matching = Boolean(all && all.checked);
    if (page) {
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    const count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = matching ? form.getAttribute("data-matching-count") : String(ticked);
    form.querySelectorAll("button[name=action]").forEach(function (button) {
      button.disabled = !(ticked || matching);
    });
    form.classList.toggle("cp-bulk-active", Boolean(ticked || matching));
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!target.matches) return;
    const all = document.getElementById("bulk-all-matching");
    if (target.id === "bulk-page") {
      rows().forEach(function (box) { box.checked = target.checked; });
      if (!target.checked && all) all.checked = false;
    } else if (target.matches("input[data-bulk-row]")) {
      if (!target.checked && all) all.checked = false;
    } else if (target.id === "bulk-all-matching") {
      if (target.checked) rows().forEach(function (box) { box.checked = true; });
    } else {
      return;
    }
    update();
  });
  document.addEventListener("DOMContentLoaded", update);
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("htmx:historyRestore", update);
  window.addEventListener("pageshow", update);  // back to the page: the browser may keep the ticks
  update();
})();
