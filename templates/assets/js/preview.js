// pyrobuild serve: live dashboard previews. Each FlameChart panel fetches
// its flame graph from Pyroscope through the preview server's proxy (which
// holds the datasource's secrets and enforces its allowed endpoints) and
// draws it with flamegraph.js.
(function () {
  "use strict";
  var previews = document.querySelectorAll(".pb-preview");
  if (!previews.length || !window.PyroFlame) { return; }

  function state(body, cls, text) {
    body.innerHTML = "";
    var p = document.createElement("p");
    p.className = "pb-state " + cls;
    p.textContent = text;
    body.appendChild(p);
  }

  function load(panel, range) {
    var body = panel.querySelector(".pb-panel-body");
    var proxy = panel.dataset.proxy, query = panel.dataset.query;
    if (!proxy || !query) { return; }
    if (panel._flame) { panel._flame.destroy(); panel._flame = null; }
    state(body, "pb-loading", "Loading profile…");
    var params = new URLSearchParams({ query: query, from: "now-" + range, until: "now" });
    if (panel.dataset.maxNodes) { params.set("maxNodes", panel.dataset.maxNodes); }
    var opts = {};
    try { opts = JSON.parse(panel.dataset.options || "{}"); } catch (e) { /* defaults */ }
    fetch(proxy + "/pyroscope/render?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.text().then(function (text) {
          var data = null;
          try { data = JSON.parse(text); } catch (e) { /* not JSON */ }
          return { ok: r.ok, status: r.status, data: data, text: text, proxyError: r.headers.get("X-Pyrobuild-Error") };
        });
      })
      .then(function (res) {
        if (!res.ok) {
          var msg = "HTTP " + res.status;
          if (res.data && res.data.error) {
            msg = res.data.error + (res.data.hint ? " (" + res.data.hint + ")" : "");
          } else if (res.data && res.data.message) {
            msg = "Pyroscope: " + res.data.message;
          }
          state(body, res.proxyError ? "pb-unreachable" : "pb-error", msg);
          panel.dataset.state = res.proxyError ? "unreachable" : "error";
          return;
        }
        body.innerHTML = "";
        panel._flame = window.PyroFlame.render(body, res.data, {
          palette: opts.palette || "package-name",
          showTable: opts.showTable !== false,
          showFlameGraph: opts.showFlameGraph !== false
        });
        panel.dataset.state = "loaded";
      })
      .catch(function (err) {
        state(body, "pb-unreachable", "The preview server did not answer: " + err.message);
        panel.dataset.state = "unreachable";
      });
  }

  previews.forEach(function (pv) {
    var select = pv.querySelector(".pb-range");
    var refresh = pv.querySelector(".pb-refresh");
    function all() {
      pv.querySelectorAll('.pb-panel[data-kind="FlameChart"]').forEach(function (panel) { load(panel, select.value); });
    }
    select.addEventListener("change", all);
    refresh.addEventListener("click", all);
    all();
  });
})();
