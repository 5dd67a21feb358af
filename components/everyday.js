// The habits every page shares, in one place: the leave warning for unsaved edits, the keyboard
// shortcuts, the skip link and the browser's time zone. Loaded once per page (components/everyday.py
// adds it to every page's head); pages take part through data attributes, not code of their own:
//
//   data-unsaved       on any element while a form in it has unsaved edits: leaving asks first
//   data-search-box    on the page's search field: "/" focuses it
//   data-submit        on a dialog's main button: Enter (and, in a form dialog, Ctrl/Cmd+S) presses it
//   data-form          on a dialog that holds a form (Ctrl/Cmd+S saves it)
//   data-draft, data-draft-etag, data-draft-base, data-draft-field
//                      on a form whose typed values are kept in sessionStorage (see "drafts")
//
// Ctrl/Cmd+S outside a dialog and "?" are sent to the server as the page events signx_save and
// signx_shortcuts; a page says what Ctrl/Cmd+S saves (components.everyday.on_save).
(() => {
  if (window.signx) return;
  const signx = (window.signx = {});

  // --- the browser's time zone, for the server to format times in (pages/local_time.py) ---------
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      document.cookie = `signx_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; SameSite=Lax`;
    }
  } catch (e) {
    // an old browser without Intl: the pages show UTC and say so
  }

  // --- unsaved edits -------------------------------------------------------------------------------
  let leaving = false;
  signx.unsaved = () => !leaving && document.querySelector("[data-unsaved]") !== null;

  // Closing the tab, reloading, typing another address: the browser's own question.
  window.addEventListener("beforeunload", (event) => {
    if (!signx.unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  function askToLeave() {
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "signx-leave";
      dialog.setAttribute("aria-labelledby", "signx-leave-title");
      dialog.setAttribute("aria-describedby", "signx-leave-text");
      dialog.innerHTML =
        '<h2 id="signx-leave-title">Leave this page?</h2>' +
        '<p id="signx-leave-text">You have unsaved changes. They are lost if you leave now.</p>' +
        '<div class="signx-leave-buttons">' +
        '<button type="button" class="signx-stay" autofocus>Stay on this page</button>' +
        '<button type="button" class="signx-go">Leave without saving</button>' +
        "</div>";
      document.body.appendChild(dialog);
      const done = (go) => {
        dialog.close();
        dialog.remove();
        resolve(go);
      };
      dialog.querySelector(".signx-stay").addEventListener("click", () => done(false));
      dialog.querySelector(".signx-go").addEventListener("click", () => done(true));
      dialog.addEventListener("cancel", (event) => {
        event.preventDefault(); // Esc: stay
        done(false);
      });
      dialog.showModal();
    });
  }

  // Leave (run ``go``) at once when nothing is unsaved, else after the person agreed.
  signx.leave = (go) => {
    if (!signx.unsaved()) {
      go();
      return;
    }
    askToLeave().then((agreed) => {
      if (!agreed) return;
      leaving = true; // no second question from beforeunload
      // "Leave without saving" means it: the drafts of this page's forms go too (a reload or a
      // closed tab keeps them; that is what they are for).
      for (const form of document.querySelectorAll("[data-draft]")) {
        signx.drafts.clear(form.getAttribute("data-draft"));
      }
      go();
    });
  };

  // Links inside the app (the header, the list, "Back to projects") ask in the page's own words.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return; // a new tab or window
      if ((link.target && link.target !== "_self") || link.hasAttribute("download")) return;
      if (link.classList.contains("signx-skip")) {
        event.preventDefault();
        const main = document.getElementById("main");
        if (main) main.focus({ preventScroll: false });
        return;
      }
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
      if (!signx.unsaved()) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      signx.leave(() => location.assign(url.href));
    },
    true,
  );

  // --- drafts: what was typed survives a reload ----------------------------------------------------
  // A form that keeps a draft carries data-draft (its key), data-draft-etag (the version its edits
  // build on) and data-draft-base (JSON: the values they build on); each field carries
  // data-draft-field (its name). Every keystroke writes the form's values to sessionStorage here in
  // the browser, so the draft is kept even while the websocket is down (a stalled server, a reload
  // forced by a lost connection). When such a form appears, a draft kept for its key is offered to
  // the server once per page load (the page event signx_draft), which restores it into the form; a
  // save or a discard clears it (signx.drafts.clear).
  const DRAFT_PREFIX = "signx-draft:";
  const offered = new Set();
  signx.drafts = {
    read(key) {
      try {
        const raw = sessionStorage.getItem(DRAFT_PREFIX + key);
        return raw ? JSON.parse(raw) : null;
      } catch (e) {
        return null; // storage disabled, or a draft that is not JSON: nothing to restore
      }
    },
    clear(key) {
      try {
        sessionStorage.removeItem(DRAFT_PREFIX + key);
      } catch (e) {
        // storage disabled: nothing was kept
      }
    },
  };

  function draftValue(field) {
    const input = ["INPUT", "TEXTAREA"].includes(field.tagName) ? field : field.querySelector("input, textarea");
    return input ? input.value : null;
  }

  function keepDraft(form) {
    const key = form.getAttribute("data-draft");
    if (!key) return;
    let base = {};
    try {
      base = JSON.parse(form.getAttribute("data-draft-base") || "{}") || {};
    } catch (e) {
      base = {};
    }
    const values = {};
    let changed = false;
    for (const field of form.querySelectorAll("[data-draft-field]")) {
      const value = draftValue(field);
      if (value === null) continue;
      const name = field.getAttribute("data-draft-field");
      values[name] = value;
      if (value !== (base[name] ?? "")) changed = true;
    }
    if (!changed) {
      signx.drafts.clear(key);
      return;
    }
    try {
      const draft = { etag: form.getAttribute("data-draft-etag") || "", base, values };
      sessionStorage.setItem(DRAFT_PREFIX + key, JSON.stringify(draft));
    } catch (e) {
      // storage full or disabled: the leave warning still asks before the edits go
    }
  }

  document.addEventListener(
    "input",
    (event) => {
      const target = event.target;
      if (!(target instanceof Element) || !target.closest("[data-draft-field]")) return;
      const form = target.closest("[data-draft]");
      if (form) keepDraft(form);
    },
    true,
  );

  function offerDrafts() {
    for (const form of document.querySelectorAll("[data-draft]")) {
      const key = form.getAttribute("data-draft");
      if (!key || offered.has(key)) continue;
      offered.add(key);
      const draft = signx.drafts.read(key);
      if (draft && typeof emitEvent === "function") emitEvent("signx_draft", { key, draft });
    }
  }

  // --- names for what Quasar leaves unnamed ---------------------------------------------------------
  // A dialog is named by its title (the first heading or large label in it), a progress bar by what
  // it is, so screen readers announce them (axe: aria-dialog-name, aria-progressbar-name). Pages
  // that name them themselves keep their names.
  const UPLOADER_BUTTONS = {
    add_box: "Choose files to upload",
    add: "Choose files to upload",
    clear_all: "Clear the list",
    cloud_upload: "Upload",
    done_all: "Remove the uploaded files",
    clear: "Stop the upload",
  };

  function nameUnnamed() {
    for (const dialog of document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])')) {
      const title = dialog.querySelector('[role="heading"], h1, h2, h3, .text-lg, .text-xl, .text-2xl');
      if (title && title.id) dialog.setAttribute("aria-labelledby", title.id);
    }
    for (const button of document.querySelectorAll(".q-uploader .q-btn:not([aria-label])")) {
      const icon = (button.querySelector(".q-icon")?.textContent || "").trim();
      button.setAttribute("aria-label", UPLOADER_BUTTONS[icon] || "Files");
    }
    for (const bar of document.querySelectorAll('[role="progressbar"]:not([aria-label]):not([aria-labelledby])')) {
      bar.setAttribute("aria-label", bar.classList.contains("q-loading-bar") ? "Loading" : "Progress");
    }
  }
  let naming = false;
  new MutationObserver(() => {
    if (naming) return;
    naming = true;
    requestAnimationFrame(() => {
      naming = false;
      nameUnnamed();
      offerDrafts();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // --- keyboard ------------------------------------------------------------------------------------
  const isTyping = (el) =>
    el instanceof Element &&
    (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) || el.closest(".q-select"));

  function openDialog() {
    const dialogs = Array.from(document.querySelectorAll(".q-dialog"));
    return dialogs.length ? dialogs[dialogs.length - 1] : null;
  }

  // Press the dialog's main button (once: a button that is busy or disabled is not pressed again).
  function submit(dialog) {
    const button = dialog.querySelector("[data-submit]");
    if (!button || button.disabled || button.classList.contains("q-btn--loading")) return button !== null;
    button.click();
    return true;
  }

  document.addEventListener("keydown", (event) => {
    const key = event.key || "";
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key.toLowerCase() === "s") {
      event.preventDefault(); // never the browser's "Save page as"
      if (event.repeat) return;
      const dialog = openDialog();
      if (dialog) {
        if (dialog.querySelector("[data-form]")) submit(dialog);
        return;
      }
      // A field's latest keystrokes reach the server before the save does (same socket, in order).
      emitEvent("signx_save");
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (key === "Enter") {
      const dialog = target instanceof Element ? target.closest(".q-dialog") : null;
      if (!dialog || event.defaultPrevented) return;
      if (["TEXTAREA", "BUTTON", "A"].includes(target.tagName) || target.closest(".q-select, .q-menu")) return;
      if (submit(dialog)) event.preventDefault();
      return;
    }
    if (isTyping(target) || openDialog() || document.querySelector("dialog[open]")) return;
    if (key === "/") {
      const box = document.querySelector("[data-search-box] input, input[data-search-box]");
      if (!box) return;
      event.preventDefault();
      box.focus();
      box.select();
    } else if (key === "?") {
      event.preventDefault();
      emitEvent("signx_shortcuts");
    }
  });
})();
