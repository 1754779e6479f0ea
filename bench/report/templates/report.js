// Evidence links inside a cluster page: open the document, flash the sentence.
// Only DOM ids and classes are used; no data is evaluated.
(function () {
  "use strict";
  function reveal(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var doc = el.closest("details");
    if (doc) { doc.open = true; }
    if (el.classList.contains("sent")) {
      el.classList.add("flash");
      window.setTimeout(function () { el.classList.remove("flash"); }, 2500);
    }
    el.scrollIntoView({ block: "center" });
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.goto");
    if (!link) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    ev.preventDefault();
    history.replaceState(null, "", "#" + id);
    reveal(id);
  });
  if (location.hash.length > 1) { reveal(decodeURIComponent(location.hash.slice(1))); }
})();
