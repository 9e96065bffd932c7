// Preselects the browser's time zone in each select marked data-guess-zone (sign-up, or an
// account that has not chosen one yet). Without JavaScript the server's default stays selected.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("select[data-guess-zone]").forEach(function (select) {
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (!known) {
      // An older name of a zone (Asia/Calcutta): the server accepts it too.
      select.add(new Option(zone, zone), 0);
    }
    select.value = zone;
  });
})();
