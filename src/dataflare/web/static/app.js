// Small behaviours of the web UI, by event delegation so content swapped in by htmx has them too.
"use strict";

// Whether the search filters are unfolded (on a phone): kept when the search form is swapped.
let filtersOpen = false;

// What opened each dialog: focus goes back to it when the dialog closes (Esc, Cancel).
const openers = new WeakMap();

function closeMenus(except) {
  document.querySelectorAll(".menu-button[aria-expanded=true]").forEach((button) => {
    if (button === except) return;
    button.setAttribute("aria-expanded", "false");
    document.getElementById(button.getAttribute("aria-controls")).hidden = true;
  });
}

document.addEventListener("click", (event) => {
  const menuButton = event.target.closest(".menu-button");
  if (menuButton) {
    if (menuButton.getAttribute("aria-expanded") === "true") closeMenus(null);
    else openMenu(menuButton, "first");
    return;
  }
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.openDialog);
    closeMenus(null);
    if (dialog) {
      openers.set(dialog, opener);
      dialog.showModal(); // modal: focus moves inside, Esc closes it
      const first = dialog.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    }
    return;
  }
  const closer = event.target.closest("[data-close-dialog]");
  if (closer) {
    closer.closest("dialog").close();
    return;
  }
  const filtersToggle = event.target.closest(".filters-toggle");
  if (filtersToggle) {
    filtersOpen = filtersToggle.getAttribute("aria-expanded") !== "true";
    filtersToggle.setAttribute("aria-expanded", String(filtersOpen));
    return;
  }
  const copier = event.target.closest("[data-copy]");
  if (copier) {
    const field = document.getElementById(copier.dataset.copy);
    field.select();
    const done = () => { copier.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
    } else if (document.execCommand("copy")) {
      done();
    }
    return;
  }
  if (!event.target.closest(".menu-items")) closeMenus(null); // a click elsewhere closes menus
});

function openMenu(button, which) {
  closeMenus(button);
  button.setAttribute("aria-expanded", "true");
  const items = document.getElementById(button.getAttribute("aria-controls"));
  items.hidden = false;
  const all = menuItems(items);
  if (all.length) all[which === "last" ? all.length - 1 : 0].focus();
}

function menuItems(menu) {
  return Array.from(menu.querySelectorAll("[role=menuitem]"));
}

// The next of `items` from `current` for a key (arrows wrap; Home and End), or null.
function moveTo(items, current, key, back, forward) {
  const at = items.indexOf(current);
  if (key === back) return items[(at - 1 + items.length) % items.length];
  if (key === forward) return items[(at + 1) % items.length];
  if (key === "Home") return items[0];
  if (key === "End") return items[items.length - 1];
  return null;
}

// WAI-ARIA menu button and tabs: arrows move between items and tabs, Esc closes a menu.
document.addEventListener("keydown", (event) => {
  const menuButton = event.target.closest(".menu-button");
  if (menuButton && ["ArrowDown", "ArrowUp"].includes(event.key)) {
    event.preventDefault();
    openMenu(menuButton, event.key === "ArrowUp" ? "last" : "first");
    return;
  }
  const item = event.target.closest("[role=menuitem]");
  if (item) {
    const menu = item.closest("[role=menu]");
    const next = moveTo(menuItems(menu), item, event.key, "ArrowUp", "ArrowDown");
    if (next) {
      event.preventDefault();
      next.focus();
      return;
    }
    if (event.key === "Tab") closeMenus(null);
  }
  const tab = event.target.closest("[role=tab]");
  if (tab) {
    const tabs = Array.from(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
    const next = moveTo(tabs, tab, event.key, "ArrowLeft", "ArrowRight");
    if (next) {
      event.preventDefault();
      tabs.forEach((t) => t.setAttribute("tabindex", t === next ? "0" : "-1"));
      next.focus();
    } else if (event.key === " ") {
      event.preventDefault();
      tab.click(); // a tab is a link: Enter follows it, and Space does too
    }
    return;
  }
  if (event.key !== "Escape") return;
  const open = document.querySelector(".menu-button[aria-expanded=true]");
  if (open) {
    closeMenus(null);
    open.focus();
  }
});

// A dialog that closes gives focus back to what opened it; when that was an item of a menu that
// has closed since, to the menu's button.
document.addEventListener("close", (event) => {
  const dialog = event.target;
  const opener = dialog instanceof HTMLDialogElement ? openers.get(dialog) : null;
  if (!opener || !opener.isConnected) return;
  const menu = opener.closest(".menu");
  const hidden = opener.closest("[hidden]");
  (hidden && menu ? menu.querySelector(".menu-button") : opener).focus();
}, true);

// The search form, swapped after each change of a filter, keeps its filters unfolded (set before
// the page is drawn again, so they never flash closed), and the box just ticked keeps focus
// (htmx gives it back by id, but while the filters were still folded, hence hidden, it could not).
let focusedId = "";
document.addEventListener("htmx:beforeSwap", () => {
  focusedId = document.activeElement ? document.activeElement.id : "";
});
document.addEventListener("htmx:afterSwap", () => {
  document.querySelectorAll(".filters-toggle").forEach((toggle) => {
    toggle.setAttribute("aria-expanded", String(filtersOpen));
  });
  const again = focusedId && document.getElementById(focusedId);
  if (again && document.activeElement !== again && again.closest(".filter-groups")) again.focus();
});

// After an in-place update, what it says is announced (the page's live region, which is never
// swapped out, so screen readers hear it), and focus goes where the change shows.
document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target;
  if (!(swapped instanceof Element)) return;
  const told = swapped.closest("[data-announce]") || swapped.querySelector("[data-announce]");
  if (told) {
    const live = document.getElementById("announcer");
    const text = told.dataset.announce;
    told.removeAttribute("data-announce");
    live.textContent = "";
    // A moment later: a live region's text set in the same task as its clearing may be missed.
    setTimeout(() => { live.textContent = text; }, 50);
  }
  const focus = swapped.closest("[data-focus-here]") || swapped.querySelector("[data-focus-here]");
  if (focus) {
    focus.removeAttribute("data-focus-here");
    focus.focus();
  }
});

// A page shown again from the browser's back-forward cache is as it was when left: load it anew,
// so Back never shows an incident as it was before a change.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});

// "Custom…" incident type: ask for its name.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-custom-toggle]");
  if (!select) return;
  const box = document.getElementById(select.dataset.customToggle);
  const custom = select.value === "CUSTOM";
  box.hidden = !custom;
  box.querySelector("input").required = custom;
  if (custom) box.querySelector("input").focus();
});

// "Add another assignee": one more field like the last, focused, numbered for screen readers.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-assignee]");
  if (!button) return;
  const fields = button.closest("fieldset").querySelector("[data-assignee-fields]");
  const last = fields.querySelector("input:last-of-type");
  const next = last.cloneNode(false);
  next.value = "";
  next.setAttribute("aria-label", `Assignee ${fields.querySelectorAll("input").length + 1}`);
  fields.append(next);
  next.focus();
});

// A dialog's form that was sent successfully is emptied and its dialog closed (here rather than
// in an hx-on attribute: the Content-Security-Policy allows no eval).
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target.closest("form[data-close-on-success]");
  if (!form || !event.detail.successful) return;
  form.reset();
  form.closest("dialog").close();
});

// A dialog's form that was reset shows its custom type field hidden again.
document.addEventListener("reset", (event) => {
  event.target.querySelectorAll("select[data-custom-toggle]").forEach((select) => {
    document.getElementById(select.dataset.customToggle).hidden = true;
  });
  event.target.querySelectorAll("[aria-live]").forEach((box) => { box.textContent = ""; });
});

// A health badge's popover opens next to its badge (the browser would centre it on the screen);
// placed before it shows, so it never flashes elsewhere.
document.addEventListener("beforetoggle", (event) => {
  const popover = event.target;
  if (!(popover instanceof HTMLElement) || event.newState !== "open") return;
  const badge = document.querySelector(`[popovertarget="${popover.id}"]`);
  if (!badge) return;
  const place = badge.getBoundingClientRect();
  const onLeft = place.left < window.innerWidth / 2;
  popover.style.margin = "0";
  popover.style.top = `${place.bottom + 6}px`;
  popover.style.left = onLeft ? `${Math.max(8, place.left)}px` : "auto";
  popover.style.right = onLeft ? "auto" : `${Math.max(8, window.innerWidth - place.right)}px`;
}, true);
