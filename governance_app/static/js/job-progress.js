// A job's progress page: asks its JSON every second until the job is done or failed.
// Without JavaScript the page's "refresh" link does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  function show(status) {
    var bar = document.getElementById("job-bar");
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
    document.getElementById("job-percent").textContent = status.percent + "%";
    document.getElementById("job-step").textContent = status.state === "failed" ? status.failure_text : status.step_text;
    if (status.state === "done" || status.state === "failed") {
      // The page itself then shows the download link, or the reason and the button to start again.
      window.location.reload();
      return false;
    }
    return true;
  }
  function ask() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        // 404: the job is not (or no longer) there to see; stop asking.
        if (response.status === 404) { return null; }
        // Busy (503: on SQLite the job's transaction holds the database while it works) or any
        // other answer that is not the status: the work goes on, ask again a little later.
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) { if (status && show(status)) { window.setTimeout(ask, 1000); } })
      .catch(function () { window.setTimeout(ask, 3000); });
  }
  var state = box.getAttribute("data-state");
  if (state !== "done" && state !== "failed") { window.setTimeout(ask, 1000); }
}());
