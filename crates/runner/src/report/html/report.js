// Filters of the findings table. Reads and writes the URL fragment
// (#status=fail&check=ID&q=TEXT), hides the rows that do not match and writes the visible
// counts into #visible-count and #visible-<status>. Only textContent is ever set.
(function () {
  "use strict";
  var STATUSES = ["pass", "warn", "fail", "skip", "error"];
  var PROBLEMS = ["warn", "fail", "error"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings tbody tr.finding"));
  var status = document.getElementById("f-status");
  var check = document.getElementById("f-check");
  var text = document.getElementById("f-text");

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function readFragment() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var s = params.get("status") || "";
    var c = params.get("check") || "";
    status.value = hasOption(status, s) ? s : "";
    check.value = hasOption(check, c) ? c : "";
    text.value = params.get("q") || "";
  }

  function writeFragment() {
    var params = new URLSearchParams();
    if (status.value) params.set("status", status.value);
    if (check.value) params.set("check", check.value);
    if (text.value.trim()) params.set("q", text.value.trim());
    var fragment = params.toString();
    if (fragment !== window.location.hash.replace(/^#/, "")) {
      window.history.replaceState(null, "", fragment ? "#" + fragment : window.location.pathname + window.location.search);
    }
  }

  function matches(row) {
    var s = status.value;
    var rowStatus = row.getAttribute("data-status");
    if (s === "problems" && PROBLEMS.indexOf(rowStatus) < 0) return false;
    if (s && s !== "problems" && rowStatus !== s) return false;
    if (check.value && row.getAttribute("data-check") !== check.value) return false;
    var q = text.value.trim().toLowerCase();
    if (!q) return true;
    // The print-only "As for <subject> above" line names another subject: not searched.
    var textOf = row.textContent;
    var ref = row.querySelector(".fix-ref");
    if (ref) textOf = textOf.replace(ref.textContent, "");
    return textOf.toLowerCase().indexOf(q) >= 0;
  }

  function apply() {
    var counts = {};
    var visible = 0;
    STATUSES.forEach(function (s) { counts[s] = 0; });
    rows.forEach(function (row) {
      var show = matches(row);
      row.hidden = !show;
      if (show) {
        visible += 1;
        counts[row.getAttribute("data-status")] += 1;
      }
    });
    document.getElementById("visible-count").textContent = String(visible);
    STATUSES.forEach(function (s) { document.getElementById("visible-" + s).textContent = String(counts[s]); });
    document.getElementById("empty").hidden = visible !== 0;
  }

  function update() {
    apply();
    writeFragment();
  }

  status.addEventListener("change", update);
  check.addEventListener("change", update);
  text.addEventListener("input", update);
  document.getElementById("filters").addEventListener("reset", function () {
    window.setTimeout(update, 0);
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-status]"), function (b) {
    b.addEventListener("click", function () { status.value = b.getAttribute("data-status"); update(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-check]"), function (b) {
    b.addEventListener("click", function () { check.value = b.getAttribute("data-check"); update(); });
  });
  window.addEventListener("hashchange", function () { readFragment(); apply(); });

  // Sortable columns: a click sorts by the column's data-key (status rank) or text, a second
  // click reverses; the server's order (problems first, waived last) is the initial one.
  var tbody = document.querySelector("#findings tbody");
  var heads = Array.prototype.slice.call(document.querySelectorAll("#findings thead th"));
  function cellKey(row, col) {
    var cell = row.cells[col];
    return (cell.getAttribute("data-key") || cell.textContent).trim().toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.sort"), function (b) {
    b.addEventListener("click", function () {
      var col = Number(b.getAttribute("data-sort"));
      var th = heads[col];
      var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir);
      var sign = dir === "ascending" ? 1 : -1;
      rows.sort(function (a, c) {
        var x = cellKey(a, col), y = cellKey(c, col);
        return x < y ? -sign : x > y ? sign : 0;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });

  // Expand all / collapse all; every finding opens before printing and closes after.
  var details = Array.prototype.slice.call(document.querySelectorAll("#findings details"));
  var expand = document.getElementById("expand-all");
  function setOpen(open) {
    details.forEach(function (d) { d.open = open; });
    expand.setAttribute("aria-pressed", open ? "true" : "false");
    expand.textContent = open ? "Collapse all" : "Expand all";
  }
  expand.addEventListener("click", function () { setOpen(expand.getAttribute("aria-pressed") !== "true"); });
  var openBeforePrint = null;
  window.addEventListener("beforeprint", function () {
    openBeforePrint = details.map(function (d) { return d.open; });
    details.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    if (openBeforePrint) details.forEach(function (d, i) { d.open = openBeforePrint[i]; });
  });

  readFragment();
  apply();
  // How far the page runs over the window's width (0: no horizontal scrolling), for
  // scripts/check-html.sh at narrow widths.
  document.body.setAttribute("data-overflow", String(Math.max(0, document.documentElement.scrollWidth - window.innerWidth)));
  document.body.setAttribute("data-ready", "true");
})();
