(function () {
  "use strict";
  var FILTERS = ["product", "condition", "population"];
  var table = document.getElementById("matrix");
  var selects = {};
  FILTERS.forEach(function (name) {
    selects[name] = document.getElementById("filter-" + name);
  });
  var search = document.getElementById("filter-q");
  var count = document.getElementById("matrix-count");

  function readParams() {
    var out = {};
    var raw = (location.hash || "").replace(/^#/, "");
    if (raw.indexOf("=") < 0) raw = (location.search || "").replace(/^\?/, "");
    raw.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i <= 0) return;
      try {
        out[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
      } catch (e) { /* a malformed escape is ignored */ }
    });
    return out;
  }

  function writeParams(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    });
    try {
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    } catch (e) { /* file: URLs in some browsers refuse; filtering still works */ }
  }

  function hasToken(list, token) {
    return (" " + (list || "") + " ").indexOf(" " + token + " ") >= 0;
  }

  function applyFilters() {
    if (!table) return;
    var wanted = {};
    FILTERS.forEach(function (name) {
      if (selects[name] && selects[name].value) wanted[name] = selects[name].value;
    });
    var q = search ? search.value.trim().toLowerCase() : "";
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var r = 0; r < rows.length; r++) {
      var row = rows[r];
      var ok = Object.keys(wanted).every(function (name) {
        // "?": the center's pages could not all be fetched; unknown is not "no".
        var tokens = row.getAttribute("data-" + name);
        return tokens === "?" || hasToken(tokens, wanted[name]);
      });
      if (ok && q) ok = row.textContent.toLowerCase().indexOf(q) >= 0;
      row.hidden = !ok;
      if (ok) shown++;
    }
    var active = Object.keys(wanted).length > 0 || q !== "";
    if (count) count.textContent = shown + " of " + rows.length + " centers shown";
    document.body.setAttribute("data-filtered", active ? "yes" : "no");
    var centers = document.querySelectorAll("section.center[data-center]");
    for (var c = 0; c < centers.length; c++) {
      var id = centers[c].getAttribute("data-center");
      var match = table.querySelector("tr[data-center=\"" + id + "\"]");
      centers[c].hidden = !!(match && match.hidden);
    }
    var params = {};
    Object.keys(wanted).forEach(function (k) { params[k] = wanted[k]; });
    if (q) params.q = q;
    return params;
  }

  function sortBy(column, descending) {
    if (!table) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column] ? a.cells[column].getAttribute("data-sort") || a.cells[column].textContent : "";
      var y = b.cells[column] ? b.cells[column].getAttribute("data-sort") || b.cells[column].textContent : "";
      var nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
      return descending ? -cmp : cmp;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var heads = table.tHead.rows[0].cells;
    for (var h = 0; h < heads.length; h++) {
      heads[h].setAttribute("aria-sort", h === column ? (descending ? "descending" : "ascending") : "none");
    }
  }

  function update() {
    var params = applyFilters() || {};
    var sorted = table ? table.querySelector("th[aria-sort=ascending], th[aria-sort=descending]") : null;
    if (sorted) {
      params.sort = sorted.getAttribute("data-key") + (sorted.getAttribute("aria-sort") === "descending" ? ":desc" : "");
    }
    writeParams(params);
  }

  var initial = readParams();
  FILTERS.forEach(function (name) {
    var select = selects[name];
    if (!select) return;
    if (initial[name]) {
      var option = select.querySelector("option[value=\"" + initial[name].replace(/[^a-z0-9_-]/gi, "") + "\"]");
      if (option) select.value = option.value;
    }
    select.addEventListener("change", update);
  });
  if (search) {
    if (initial.q) search.value = initial.q;
    search.addEventListener("input", update);
  }
  if (table) {
    var heads = table.tHead.rows[0].cells;
    for (var h = 0; h < heads.length; h++) {
      (function (index) {
        var button = heads[index].querySelector("button");
        if (!button) return;
        button.addEventListener("click", function () {
          sortBy(index, heads[index].getAttribute("aria-sort") === "ascending");
          update();
        });
      })(h);
    }
    if (initial.sort) {
      var key = initial.sort.split(":")[0];
      for (var k = 0; k < heads.length; k++) {
        if (heads[k].getAttribute("data-key") === key) sortBy(k, /:desc$/.test(initial.sort));
      }
    }
  }
  var layout = document.getElementById("diff-layout");
  if (layout) {
    var apply = function () {
      document.body.classList.toggle("side-by-side", layout.checked);
    };
    if (initial.layout === "side-by-side") layout.checked = true;
    layout.addEventListener("change", apply);
    apply();
  }
  applyFilters();
  document.body.setAttribute("data-script", "ran");
})();
