// Evidence links inside a cluster page: open the document, mark the sentence until the next link.
// Only DOM ids and classes are used; no data is evaluated.
(function () {
  "use strict";
  function reveal(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var doc = el.closest("details");
    if (doc) { doc.open = true; }
    if (el.classList.contains("sent")) {
      var old = document.querySelectorAll(".sent.shown");
      for (var i = 0; i < old.length; i++) { old[i].classList.remove("shown"); }
      el.classList.add("shown");
    }
    el.scrollIntoView({ block: "center" });
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.goto, a.flag[href]");  // an evidence chip or a flagged span
    if (!link) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    ev.preventDefault();
    history.replaceState(null, "", "#" + id);
    reveal(id);
  });
  if (location.hash.length > 1) { reveal(decodeURIComponent(location.hash.slice(1))); }
})();
