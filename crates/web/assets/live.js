// Live progress without <meta http-equiv="refresh"> (WCAG 2.2.1: a page must
// not reload itself on a timer the user cannot stop). Every element with
// data-live="on" and an id is fetched again from the same page every five
// seconds and its content swapped in place, so focus and scroll stay put;
// it stops once the server's copy no longer says data-live="on", and a
// button beside it pauses and resumes the updating.
(function () {
  "use strict";
  var EVERY_MS = 5000;

  function start(region) {
    var paused = false;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary live-toggle";
    button.textContent = "Stop automatisk opdatering";
    button.addEventListener("click", function () {
      paused = !paused;
      button.textContent = paused ? "Opdatér automatisk" : "Stop automatisk opdatering";
      if (!paused) schedule();
    });
    region.insertAdjacentElement("afterend", button);

    function schedule() {
      window.setTimeout(refresh, EVERY_MS);
    }

    function refresh() {
      if (paused) return;
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(region.id);
          if (!fresh) return;
          region.innerHTML = fresh.innerHTML;
          if (fresh.getAttribute("data-live") === "on") {
            schedule();
          } else {
            region.removeAttribute("data-live");
            button.remove();
          }
        })
        .catch(schedule);
    }

    schedule();
  }

  document.querySelectorAll("[data-live='on'][id]").forEach(start);
})();
