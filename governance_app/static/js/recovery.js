// The recovery codes page: a button that copies the codes, one per line. The page works without it
// (the codes can be written down, printed or downloaded as a text file).
(function () {
  var button = document.getElementById("copy-recovery-codes");
  var list = document.getElementById("recovery-codes");
  if (!button || !list || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (code) { return code.textContent; });
    navigator.clipboard.writeText(codes.join("\n") + "\n").then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
})();
