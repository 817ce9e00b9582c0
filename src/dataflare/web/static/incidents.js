// The Incidents page: select all rows of a table, show the bulk fields the chosen action takes,
// keep focus where it was when the view is swapped in place, and move it to the outcome of a
// bulk action (announced by its aria-live region). In a scope of its own: app.js, on the same
// page, has top-level names of its own.
(() => {
"use strict";

function showActionFields(select) {
  const form = select.form;
  form.querySelectorAll("[data-for-action]").forEach((box) => {
    box.hidden = !box.dataset.forAction.split(" ").includes(select.value);
  });
}

// On a phone the filters start folded, so the results are in sight; once opened or folded,
// they stay so when the view is swapped in place.
let filtersOpen = !window.matchMedia("(max-width: 720px)").matches;

function prepare(root) {
  root.querySelectorAll("select[data-bulk-action]").forEach(showActionFields);
  root.querySelectorAll("details.filters").forEach((box) => {
    box.open = filtersOpen;
    box.addEventListener("toggle", () => { filtersOpen = box.open; });
  });
}

document.addEventListener("DOMContentLoaded", () => prepare(document));

document.addEventListener("change", (event) => {
  const all = event.target.closest("input[data-select-all]");
  if (all) {
    document.getElementById(all.dataset.selectAll)
      .querySelectorAll("input[name=urn]").forEach((box) => { box.checked = all.checked; });
    return;
  }
  const action = event.target.closest("select[data-bulk-action]");
  if (action) showActionFields(action);
});

let focusedId = null;
let bulkSent = false;

document.addEventListener("htmx:beforeRequest", (event) => {
  focusedId = document.activeElement ? document.activeElement.id : null;
  bulkSent = event.target.id === "bulk-form";
});

document.addEventListener("htmx:afterSettle", (event) => {
  const view = document.getElementById("incidents-view");
  if (!view) return;
  prepare(view);
  if (bulkSent) {
    document.getElementById("bulk-outcome").focus();
    bulkSent = false;
    return;
  }
  const again = focusedId && document.getElementById(focusedId);
  if (again) again.focus();
});
})();
