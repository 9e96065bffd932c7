// Preselects the browser's time zone in each select marked data-guess-zone (sign-up, or an
// account that has not chosen one yet). Without JavaScript the server's default stays selected;
// a zone the list does not offer (under its current or an old name) leaves it too.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  document.querySelectorAll("select[data-guess-zone]").forEach(function (select) {
    var oldNames = {};
    try {
      oldNames = JSON.parse(select.getAttribute("data-old-names") || "{}");
    } catch (e) {
      oldNames = {};
    }
    var wanted = oldNames[zone] || zone;
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === wanted;
    });
    if (offered) {
      select.value = wanted;
    }
  });
})();
