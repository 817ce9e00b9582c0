// Small behaviours of the web UI, by event delegation so content swapped in by htmx has them too.
"use strict";

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
    const items = document.getElementById(menuButton.getAttribute("aria-controls"));
    const open = menuButton.getAttribute("aria-expanded") !== "true";
    closeMenus(menuButton);
    menuButton.setAttribute("aria-expanded", String(open));
    items.hidden = !open;
    if (open) {
      const first = items.querySelector("[role=menuitem]:not(:disabled)");
      if (first) first.focus();
    }
    return;
  }
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.openDialog);
    closeMenus(null);
    if (dialog) {
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

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector(".menu-button[aria-expanded=true]");
  if (open) {
    closeMenus(null);
    open.focus();
  }
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
