// Warns two minutes before an idle session ends. The page works without it.
(function () {
  var body = document.body;
  var minutes = parseInt(body.getAttribute("data-idle-minutes") || "0", 10);
  var warning = document.getElementById("idle-warning");
  if (!minutes || !warning) { return; }
  var warnAfter = Math.max(minutes - 2, 0) * 60 * 1000;
  window.setTimeout(function () { warning.hidden = false; }, warnAfter);
})();
