// Cluster picker and evidence links. Only DOM ids and classes are used; no data is evaluated.
(function () {
  "use strict";
  function show(runId, clusterId) {
    var sections = document.querySelectorAll('section.cluster[data-run="' + runId + '"]');
    sections.forEach(function (s) { s.classList.toggle("hidden", s.id !== clusterId); });
    var picker = document.querySelector('.picker[data-run="' + runId + '"] select');
    if (picker && picker.value !== clusterId) { picker.value = clusterId; }
  }
  function reveal(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var cluster = el.closest("section.cluster");
    if (cluster) { show(cluster.getAttribute("data-run"), cluster.id); }
    var doc = el.closest("details");
    if (doc) { doc.open = true; }
    if (el.classList.contains("sent")) {
      el.classList.add("flash");
      window.setTimeout(function () { el.classList.remove("flash"); }, 2500);
    }
    el.scrollIntoView({ block: "center" });
  }
  document.querySelectorAll(".picker").forEach(function (picker) {
    var runId = picker.getAttribute("data-run");
    var select = picker.querySelector("select");
    function step(delta) {
      var i = Math.min(Math.max(select.selectedIndex + delta, 0), select.options.length - 1);
      select.selectedIndex = i;
      show(runId, select.value);
    }
    select.addEventListener("change", function () { show(runId, select.value); });
    picker.querySelector(".prev").addEventListener("click", function () { step(-1); });
    picker.querySelector(".next").addEventListener("click", function () { step(1); });
    if (select.options.length) { show(runId, select.value); }
  });
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
