/* One language switch per form. Without this script every language field of a form is shown,
   stacked and labelled; with it, one row of language buttons above the form's first
   multilingual field shows the fields of one language at a time (title, text...: all of
   them change together), and marks the languages already written with a check. */
(function () {
  "use strict";

  function fieldsOf(form, code) {
    return form.querySelectorAll('.langfield[data-lang="' + code + '"]');
  }

  function isWritten(form, code) {
    return Array.prototype.some.call(fieldsOf(form, code), function (box) {
      var input = box.querySelector("input, textarea");
      return input !== null && input.value.trim() !== "";
    });
  }

  function codesOf(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll(".langfield"), function (box) {
      return { code: box.dataset.lang, name: box.dataset.name || box.dataset.lang };
    });
  }

  function firstChoice(form, codes) {
    var reader = codes[0].code;
    if (isWritten(form, reader)) return reader;
    var written = codes.filter(function (c) { return isWritten(form, c.code); });
    return written.length ? written[0].code : reader;
  }

  function show(form, buttons, code) {
    form.querySelectorAll(".langfield").forEach(function (box) {
      box.hidden = box.dataset.lang !== code;
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === code));
    });
  }

  function mark(form, buttons) {
    buttons.forEach(function (button) {
      var check = button.querySelector(".written");
      check.hidden = !isWritten(form, button.dataset.lang);
    });
  }

  function makeButton(code, writtenLabel) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.dataset.lang = code.code;
    button.lang = code.code;
    button.appendChild(document.createTextNode(code.name));
    var check = document.createElement("span");
    check.className = "written";
    check.appendChild(document.createTextNode(" ✓"));
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.appendChild(document.createTextNode(" (" + writtenLabel + ")"));
    check.appendChild(hidden);
    button.appendChild(check);
    return button;
  }

  function enhance(form) {
    var first = form.querySelector("[data-langfields]");
    var codes = codesOf(first);
    if (codes.length < 2) return;
    var bar = document.createElement("div");
    bar.className = "langswitch";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", first.dataset.switchLabel || "");
    var buttons = codes.map(function (code) {
      var button = makeButton(code, first.dataset.written || "");
      button.addEventListener("click", function () { show(form, buttons, code.code); });
      bar.appendChild(button);
      return button;
    });
    first.parentNode.insertBefore(bar, first);
    form.classList.add("langswitched");
    form.addEventListener("input", function () { mark(form, buttons); });
    mark(form, buttons);
    show(form, buttons, firstChoice(form, codes));
  }

  function start() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-langfields]")) enhance(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
