// Behaviour of the staff panel's pages, kept out of the HTML so the Content-Security-Policy can
// forbid inline script. Listeners sit on the document, so content htmx swaps in works too.
(function () {
  "use strict";

  // <form data-confirm="Delete this tax rule?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <select data-submit-on-change>: a choice submits its form (page sizes).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-submit-on-change]") && event.target.form) {
      event.target.form.submit();
    }
  });

  // <button data-fill-target="#form [name=email]" data-fill-value="…" data-clear="#list">: a
  // suggestion fills the field it belongs to and closes the list.
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-fill-target]");
    if (!button) return;
    const field = document.querySelector(button.getAttribute("data-fill-target"));
    if (field) field.value = button.getAttribute("data-fill-value");
    const list = document.querySelector(button.getAttribute("data-clear"));
    if (list) list.innerHTML = "";
  });

  // <select data-region-options="URL" data-region-input="#id_billing_region">: the country's
  // states or regions are suggested in the State/Region input.
  function loadRegions(select) {
    const input = document.querySelector(select.getAttribute("data-region-input"));
    if (!input || !window.htmx) return;
    const listId = input.id + "-options";
    let list = document.getElementById(listId);
    if (!list) {
      list = document.createElement("datalist");
      list.id = listId;
      input.after(list);
    }
    input.setAttribute("list", listId);
    if (select.value) {
      const url = select.getAttribute("data-region-options") + "?country=" + encodeURIComponent(select.value);
      window.htmx.ajax("GET", url, {target: "#" + listId, swap: "innerHTML"});
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-region-options]")) loadRegions(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-region-options]").forEach(loadRegions);
  });
})();
