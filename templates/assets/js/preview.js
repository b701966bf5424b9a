// pyrobuild serve: live dashboard previews. Each FlameChart panel fetches
// its flame graphs from Pyroscope through the preview server's proxy (which
// holds the datasource's secrets, enforces its allowed endpoints and checks
// the answers) and draws them with flamegraph.js: one per query of the
// panel, each labelled with its query when there are several. With the
// panel's showSeries option, the query's time series is drawn above its
// flame graph.
//
// The page's address carries what the reader chose: the time range
// (range=15m) and each flame graph's zoom and search (zoom.PANEL.QUERY,
// search.PANEL.QUERY), so that the reload after a rebuild, a reload by
// hand or a shared link shows the same view.
(function () {
  "use strict";
  var previews = document.querySelectorAll(".pb-preview");
  if (!previews.length || !window.PyroFlame) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var view = new URLSearchParams(location.search);

  // Each panel's own scroll (a panel scrolls when its flame graph and
  // table are taller than it) is kept over a reload, as live.js keeps the
  // page's: saved when the page goes, put back when the panel has loaded.
  var scrollKey = "pyrobuild-panel-scroll:" + location.pathname, scrolls = {};
  try {
    scrolls = JSON.parse(sessionStorage.getItem(scrollKey) || "{}") || {};
    sessionStorage.removeItem(scrollKey);
  } catch (e) { /* storage disabled */ }
  window.addEventListener("pagehide", function () {
    var kept = {};
    document.querySelectorAll(".pb-panel").forEach(function (p) {
      var b = p.querySelector(".pb-panel-body");
      if (b && b.scrollTop > 0) { kept[p.dataset.panel] = b.scrollTop; }
    });
    try { sessionStorage.setItem(scrollKey, JSON.stringify(kept)); } catch (e) { /* ignore */ }
  });

  // remember records one piece of the view in the address, without a new
  // history entry; an empty value removes it.
  function remember(key, value) {
    if (value) { view.set(key, value); } else { view.delete(key); }
    var qs = view.toString();
    try {
      history.replaceState(history.state, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
    } catch (e) { /* an address the browser refuses: the view still works */ }
  }

  function state(body, cls, text) {
    body.innerHTML = "";
    var p = document.createElement("p");
    p.className = "pb-state " + cls;
    p.textContent = text;
    body.appendChild(p);
    return p;
  }

  function parse(text, fallback) {
    try { return JSON.parse(text || ""); } catch (e) { return fallback; }
  }

  // units turns a timeline value into what the profile measures, as the
  // flame graph prints it (1.09 GiB, 3.2 s, 12.4 k).
  function units(md, v) {
    return window.PyroFlame.formatter(md || {})(v);
  }

  // series draws the timeline Pyroscope sends with the flame graph (the
  // sum of the selected series over the range) as an area chart.
  function series(box, data, height) {
    var tl = data && data.timeline;
    var wrap = document.createElement("div");
    wrap.className = "pb-series";
    box.appendChild(wrap);
    if (!tl || !Array.isArray(tl.samples) || !tl.samples.length) {
      wrap.textContent = "No time series in this answer.";
      return;
    }
    var s = tl.samples.map(function (v) { return typeof v === "number" && v > 0 ? v : 0; });
    var max = Math.max.apply(null, s.concat([1]));
    var w = Math.max(s.length - 1, 1);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " 100");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    var step = tl.durationDelta || 0;
    var label = "Time series: " + s.length + " points" + (step ? " every " + step + " s" : "") + ", peak " + units(data.metadata, max);
    svg.setAttribute("aria-label", label);
    svg.style.cssText = "display:block;width:100%;height:" + height + "px";
    var pts = s.map(function (v, i) { return i + "," + (100 - (v / max) * 96).toFixed(2); });
    if (s.length === 1) { pts.push("1," + pts[0].split(",")[1]); }
    var area = document.createElementNS(SVG, "polygon");
    area.setAttribute("points", "0,100 " + pts.join(" ") + " " + w + ",100");
    area.setAttribute("fill", "currentColor");
    area.setAttribute("fill-opacity", "0.25");
    var line = document.createElementNS(SVG, "polyline");
    line.setAttribute("points", pts.join(" "));
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "currentColor");
    line.setAttribute("stroke-width", "1.5");
    line.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(area, line);
    var cap = document.createElement("div");
    cap.className = "pb-series-caption";
    cap.style.cssText = "font-size:.8em;opacity:.75";
    cap.textContent = label;
    wrap.append(svg, cap);
  }

  // rangeMillis reads a range such as 15m, 1h30m or 7d.
  function rangeMillis(r) {
    var unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, y: 31536e6 }, sum = 0, m;
    var re = /(\d+)(ms|s|m|h|d|w|y)/g;
    while ((m = re.exec(r))) { sum += Number(m[1]) * unit[m[2]]; }
    return sum || 36e5;
  }

  // labelValues asks the datasource, through the proxy, for the values of
  // a label over the range (Pyroscope's LabelValues, as Perses asks it).
  function labelValues(q, headers, name, matcher, start, end) {
    var body = { name: name, start: start, end: end };
    if (matcher) { body.matchers = [matcher]; }
    var h = Object.assign({ "Content-Type": "application/json" }, headers);
    return fetch(q.proxy + "/querier.v1.QuerierService/LabelValues", { method: "POST", headers: h, body: JSON.stringify(body), credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (d) { return (d && Array.isArray(d.names) ? d.names : []).slice().sort(); });
  }

  function listed(names) {
    return names.length > 8 ? names.slice(0, 8).join(", ") + " and " + (names.length - 8) + " more" : names.join(", ");
  }

  // explainEmpty says what an empty answer was asked for, then asks the
  // datasource why: is the service there over the range, does it have the
  // profile type, so do the filters select nothing. Where the datasource
  // does not answer those questions (its allowedEndpoints refuse them),
  // the first sentence stays alone.
  function explainEmpty(q, box, range, headers) {
    var over = "over the last " + range;
    var what = q.service ? "service \u201c" + q.service + "\u201d" : "this query";
    var first = state(box, "pb-empty", "No profile data for " + what + ", profile type " + (q.profileType || "?") +
      (q.filters ? ", filters " + q.filters : "") + ", " + over + ".");
    var end = Date.now(), start = end - rangeMillis(range);
    function why(text) {
      if (!first.isConnected) { return; } // the panel was loaded again meanwhile
      var p = document.createElement("p");
      p.className = "pb-state pb-reason";
      p.textContent = text;
      box.appendChild(p);
    }
    var svc = q.service ? '{service_name="' + q.service.replace(/["\\]/g, "\\$&") + '"}' : "";
    var services = q.service ? labelValues(q, headers, "service_name", "", start, end) : Promise.resolve(null);
    services.then(function (names) {
      if (names && names.indexOf(q.service) < 0) {
        why(names.length ? "Pyroscope has no service \u201c" + q.service + "\u201d " + over + "; it has " + listed(names) + "."
          : "Pyroscope has no profiles at all " + over + ".");
        return;
      }
      return labelValues(q, headers, "__profile_type__", svc, start, end).then(function (types) {
        var whose = q.service ? "Service \u201c" + q.service + "\u201d" : "Pyroscope";
        if (types.indexOf(q.profileType) < 0) {
          why(whose + " has no profile type " + q.profileType + " " + over + (types.length ? "; it has " + listed(types) + "." : "."));
        } else if (q.filters) {
          why(whose + " has " + q.profileType + " " + over + ", but no series matches the filters " + q.filters + ".");
        } else {
          why(whose + " has " + q.profileType + " " + over + ", but Pyroscope answered no samples.");
        }
      });
    }).catch(function () { /* the question is not allowed or failed: the first sentence stands */ });
  }

  function isEmpty(data) {
    try { return window.PyroFlame.parse(data).numTicks === 0; } catch (e) { return false; }
  }

  // loadQuery fetches and draws one query into box and calls done with
  // its state: loaded, empty, error, invalid (the proxy found the answer
  // malformed), unreachable or unavailable.
  function loadQuery(panel, q, index, box, range, opts, done) {
    if (!q.proxy) {
      state(box, "pb-unavailable", q.note || "The preview cannot reach this query's datasource.");
      done("unavailable");
      return;
    }
    state(box, "pb-loading", "Loading profile…");
    var params = new URLSearchParams({ query: q.query, from: "now-" + range, until: "now" });
    if (q.maxNodes) { params.set("maxNodes", q.maxNodes); }
    // The proxy answers only requests carrying the token the preview
    // server put in this page (other web sites cannot read it).
    var token = document.querySelector('meta[name="pyrobuild-proxy-token"]');
    var headers = { Accept: "application/json" };
    if (token) { headers["X-Pyrobuild-Token"] = token.content; }
    fetch(q.proxy + "/pyroscope/render?" + params.toString(), { headers: headers, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (text) {
          return { ok: r.ok, status: r.status, data: parse(text, null), proxyError: r.headers.get("X-Pyrobuild-Error") };
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
          var st = res.proxyError === "invalid-answer" ? "invalid" : res.proxyError ? "unreachable" : "error";
          state(box, "pb-" + st, msg);
          done(st);
          return;
        }
        if (isEmpty(res.data)) {
          explainEmpty(q, box, range, headers);
          done("empty");
          return;
        }
        box.innerHTML = "";
        if (opts.showSeries === true) {
          series(box, res.data, opts.traceHeight > 0 ? Math.min(opts.traceHeight, 600) : 80);
        }
        var graph = document.createElement("div");
        box.appendChild(graph);
        var key = panel.dataset.panel + "." + index;
        panel._flames.push(window.PyroFlame.render(graph, res.data, {
          palette: opts.palette || "package-name",
          showTable: opts.showTable !== false,
          showFlameGraph: opts.showFlameGraph !== false,
          zoom: view.get("zoom." + key),
          search: view.get("search." + key),
          onState: function (st) {
            remember("zoom." + key, st.zoom);
            remember("search." + key, st.search);
          }
        }));
        done("loaded");
      })
      .catch(function (err) {
        state(box, "pb-unreachable", "The preview server did not answer: " + err.message);
        done("unreachable");
      });
  }

  function load(panel, range) {
    var qs = parse(panel.dataset.queries, []);
    if (!qs.length) { return; }
    var body = panel.querySelector(".pb-panel-body");
    (panel._flames || []).forEach(function (f) { f.destroy(); });
    panel._flames = [];
    body.innerHTML = "";
    delete panel.dataset.state;
    var opts = parse(panel.dataset.options, {}) || {};
    var states = [], pending = qs.length;
    qs.forEach(function (q, i) {
      var box = body, item = null;
      if (qs.length > 1) {
        item = document.createElement("div");
        item.className = "pb-query";
        item.dataset.index = String(i);
        var label = document.createElement("div");
        label.className = "pb-query-label";
        label.style.cssText = "font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:.6rem 0 .3rem";
        label.textContent = "Query " + (i + 1) + ": " + q.query + (q.datasource ? " (" + q.datasource + ")" : "");
        box = document.createElement("div");
        box.className = "pb-query-body";
        item.append(label, box);
        body.appendChild(item);
      }
      loadQuery(panel, q, i, box, range, opts, function (st) {
        states[i] = st;
        if (item) { item.dataset.state = st; }
        if (--pending === 0) {
          // The panel is loaded when every query is; otherwise it shows
          // the first problem.
          var bad = states.filter(function (s) { return s !== "loaded"; });
          if (scrolls[panel.dataset.panel]) {
            body.scrollTop = scrolls[panel.dataset.panel];
            delete scrolls[panel.dataset.panel];
          }
          panel.dataset.state = bad.length ? bad[0] : "loaded";
        }
      });
    });
  }

  // pyrobuildPreview lets the live script of pyrobuild serve replace the
  // panels a rebuild changed without reloading the page: it unmounts the
  // old panel and mounts the new one, which loads with the range chosen,
  // its zoom and search from the address and the body's scroll given.
  window.pyrobuildPreview = {
    mount: function (panel, scrollTop) {
      if (panel.dataset.kind !== "FlameChart") { return; }
      if (scrollTop > 0) { scrolls[panel.dataset.panel] = scrollTop; }
      var pv = panel.closest(".pb-preview");
      load(panel, pv._range || pv.querySelector(".pb-range").value);
    },
    unmount: function (panel) {
      (panel._flames || []).forEach(function (f) { f.destroy(); });
      panel._flames = [];
    }
  };

  previews.forEach(function (pv) {
    var select = pv.querySelector(".pb-range");
    var refresh = pv.querySelector(".pb-refresh");
    function all() {
      pv.querySelectorAll('.pb-panel[data-kind="FlameChart"]').forEach(function (panel) { load(panel, select.value); });
    }
    // The range in the address wins over the dashboard's own, if offered.
    var wanted = view.get("range");
    if (wanted && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
      select.value = wanted;
    }
    select.addEventListener("change", function () {
      var first = Array.prototype.find.call(select.options, function (o) { return o.defaultSelected; });
      remember("range", first && first.value === select.value ? "" : select.value);
      all();
    });
    refresh.addEventListener("click", all);
    all();
  });
})();
