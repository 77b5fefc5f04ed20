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

  // A form sent (method="post", by the browser or by htmx): once its data is gathered, its submit
  // buttons are disabled, so a second click sends nothing — only a help: the server refuses a form
  // sent twice anyway (its one-time key, ui.forms.sent_once). They come back when htmx has the
  // answer, when the browser shows the page again from its cache (Back), or after SENT_HOLD_MS on a
  // page that never changed (a download). <form data-sends-again>: never held.
  const SENT = "data-sent-held";
  const SENT_HOLD_MS = 15000;

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit" || element.type === "image";
    });
  }

  function releaseSent(form) {
    form.removeAttribute(SENT);
    submitButtons(form).forEach(function (button) {
      if (button.hasAttribute(SENT)) {
        button.disabled = false;
        button.removeAttribute(SENT);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-sends-again")) return;
    const byHtmx = form.matches("[hx-post], [data-hx-post], [hx-put], [data-hx-put]") && event.defaultPrevented;
    if (!byHtmx && (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post")) return;
    if (!byHtmx && form.getAttribute("target") && form.getAttribute("target") !== "_self") return;
    if (!byHtmx && form.hasAttribute(SENT)) {  // sent already (Enter pressed again): not again
      event.preventDefault();
      return;
    }
    form.setAttribute(SENT, byHtmx ? "htmx" : "page");
    // After this event: the browser (and htmx) have read the form, with the button pressed.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute(SENT, "");
        }
      });
    }, 0);
    window.setTimeout(function () { releaseSent(form); }, SENT_HOLD_MS);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail && event.detail.elt;
    if (form instanceof HTMLFormElement && form.getAttribute(SENT) === "htmx") releaseSent(form);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[" + SENT + "]").forEach(releaseSent);
  });

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
    if (!input) return;
    const listId = input.id + "-options";
    let list = document.getElementById(listId);
    if (!list) {
      list = document.createElement("datalist");
      list.id = listId;
      input.after(list);
    }
    input.setAttribute("list", listId);
    if (select.value) {
      // fetch, not htmx: the portal, which loads no htmx, suggests regions too.
      const url = select.getAttribute("data-region-options") + "?country=" + encodeURIComponent(select.value);
      fetch(url, {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (options) { list.innerHTML = options; })
        .catch(function () { list.innerHTML = ""; });
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-region-options]")) loadRegions(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-region-options]").forEach(loadRegions);
  });
  // The proforma editor's grid. <button data-add-line="tbody" data-line-template="#tpl"
  // data-next-line="N">: a new row from the template, its fields named with the next id.
  document.addEventListener("click", function (event) {
    const add = event.target.closest && event.target.closest("[data-add-line]");
    if (add) {
      const body = document.querySelector(add.getAttribute("data-add-line"));
      const template = document.querySelector(add.getAttribute("data-line-template"));
      if (!body || !template) return;
      const id = add.getAttribute("data-next-line");
      add.setAttribute("data-next-line", String(Number(id) + 1));
      body.insertAdjacentHTML("beforeend", template.innerHTML.split("__ID__").join(id));
      if (window.htmx) window.htmx.process(body.lastElementChild);
      const first = body.lastElementChild.querySelector("input[name$='-description']");
      if (first) first.focus();
      return;
    }
    // <button data-remove-line> in a row: the row goes, and the form is told (its totals refresh).
    const remove = event.target.closest && event.target.closest("[data-remove-line]");
    if (remove) {
      const row = remove.closest("tr");
      const form = remove.closest("form");
      if (row) row.remove();
      if (form) form.dispatchEvent(new Event("line-removed", {bubbles: true}));
    }
  });

  // <select data-fill-line="ID">: a product's price fills the line's description and unit price.
  document.addEventListener("change", function (event) {
    const select = event.target.matches && event.target.matches("select[data-fill-line]") ? event.target : null;
    if (!select) return;
    const option = select.options[select.selectedIndex];
    const id = select.getAttribute("data-fill-line");
    if (!option || !option.getAttribute("data-price")) return;
    const form = select.form;
    const description = form.querySelector("[name='line-" + id + "-description']");
    const price = form.querySelector("[name='line-" + id + "-unit_price']");
    if (description) description.value = option.getAttribute("data-description");
    if (price) price.value = option.getAttribute("data-price");
  }, true);
})();
