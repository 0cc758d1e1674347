// presscrawl serve: the date histogram's drag selection. Everything works
// without it (each bar is a link); with it, dragging across bars narrows
// the search to the days between them.
(function () {
  "use strict";
  var hist = document.getElementById("hist");
  if (!hist) { return; }
  var bars = Array.prototype.slice.call(hist.querySelectorAll("a[data-since]"));
  var start = -1, end = -1, dragged = false;
  function mark() {
    var lo = Math.min(start, end), hi = Math.max(start, end);
    bars.forEach(function (b, i) { b.classList.toggle("sel", start >= 0 && i >= lo && i <= hi); });
  }
  bars.forEach(function (bar, i) {
    bar.addEventListener("mousedown", function (e) { e.preventDefault(); start = end = i; dragged = false; mark(); });
    bar.addEventListener("mouseenter", function () { if (start >= 0) { if (end !== i) { dragged = true; } end = i; mark(); } });
    bar.addEventListener("click", function (e) { if (dragged) { e.preventDefault(); } });
  });
  document.addEventListener("mouseup", function () {
    if (start < 0) { return; }
    var lo = Math.min(start, end), hi = Math.max(start, end), was = dragged;
    start = end = -1;
    if (!was) { mark(); return; } // a click: the bar's own link
    var u = new URL(bars[lo].getAttribute("href"), location.href);
    u.searchParams.set("since", bars[lo].dataset.since);
    u.searchParams.set("until", bars[hi].dataset.until);
    location.assign(u.pathname + u.search);
  });
}());
