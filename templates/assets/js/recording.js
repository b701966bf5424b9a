// pyrobuild: recorded profiles. pyrobuild snapshot records what each
// panel's queries showed from a live Pyroscope; the dashboard page carries
// those answers on each panel (data-recording: per query, the recorded
// answer and the server) and a label saying when, from where and over
// which range (data-recorded). This script draws them with flamegraph.js:
//
//   - on the built site (.pb-recorded), which cannot reach any Pyroscope,
//     every FlameChart panel is drawn from its recording;
//   - in pyrobuild serve (.pb-preview), preview.js draws live data and
//     calls PyroRecording.fallback when a query cannot be answered live,
//     which draws the recording instead, labelled, with why live failed.
(function () {
  "use strict";
  if (!window.PyroFlame) { return; }
  var SVG = "http://www.w3.org/2000/svg";

  function parse(text) {
    try { return JSON.parse(text || ""); } catch (e) { return null; }
  }

  function note(box, cls, text) {
    var p = document.createElement("p");
    p.className = "pb-state " + cls;
    p.textContent = text;
    box.appendChild(p);
    return p;
  }

  // series draws the recorded time series (the sum of the selected series
  // over the range) as an area chart, with its peak in the profile's unit.
  function series(box, data, height) {
    var tl = data && data.timeline;
    if (!tl || !Array.isArray(tl.samples) || !tl.samples.length) { return; }
    var s = tl.samples.map(function (v) { return typeof v === "number" && v > 0 ? v : 0; });
    var max = Math.max.apply(null, s.concat([1]));
    var w = Math.max(s.length - 1, 1);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + w + " 100");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    var label = "Time series: " + s.length + " points" + (tl.durationDelta ? " every " + tl.durationDelta + " s" : "") +
      ", peak " + window.PyroFlame.formatter(data.metadata || {})(max);
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
    var wrap = document.createElement("div");
    wrap.className = "pb-series";
    var cap = document.createElement("div");
    cap.className = "pb-series-caption";
    cap.style.cssText = "font-size:.8em;opacity:.75";
    cap.textContent = label;
    wrap.append(svg, cap);
    box.appendChild(wrap);
  }

  // draw draws the recording of the index-th query of panel into box,
  // under label when there is one; false when the panel's recording does
  // not hold that query.
  function draw(panel, index, box, opts, label) {
    var recs = parse(panel.dataset.recording);
    var rec = recs && recs[index];
    if (!rec || !rec.answer || !rec.answer.flamebearer) { return false; }
    box.innerHTML = "";
    if (label) { note(box, "pb-recorded-note", label).style.cssText = "margin:0 0 .5rem;font-size:.8rem"; }
    var empty = false;
    try { empty = window.PyroFlame.parse(rec.answer).numTicks === 0; } catch (e) { empty = true; }
    if (empty) {
      note(box, "pb-empty", "The recording holds no samples for this query over its range.");
      return true;
    }
    if (opts.showSeries === true) {
      series(box, rec.answer, opts.traceHeight > 0 ? Math.min(opts.traceHeight, 600) : 80);
    }
    var graph = document.createElement("div");
    box.appendChild(graph);
    var flame = window.PyroFlame.render(graph, rec.answer, {
      palette: opts.palette || "package-name",
      showTable: opts.showTable !== false,
      showFlameGraph: opts.showFlameGraph !== false
    });
    if (Array.isArray(panel._flames)) { panel._flames.push(flame); }
    return true;
  }

  window.PyroRecording = {
    draw: draw,
    // fallback draws the recording in place of a live answer that failed
    // for why, and calls done("recorded"); false (and nothing drawn) when
    // the page has no recording of that query.
    fallback: function (panel, index, box, opts, why, done) {
      var pv = panel.closest("[data-recorded]");
      if (!pv) { return false; }
      var label = "Live data unavailable (" + why + "). Showing the recording: " + pv.dataset.recorded + ".";
      if (!draw(panel, index, box, opts || {}, label)) { return false; }
      if (done) { done("recorded"); }
      return true;
    }
  };

  // The built site: every FlameChart panel drawn from its recording.
  document.querySelectorAll(".pb-recorded").forEach(function (rv) {
    rv.querySelectorAll('.pb-panel[data-kind="FlameChart"]').forEach(function (panel) {
      var qs = parse(panel.dataset.queries) || [];
      var opts = parse(panel.dataset.options) || {};
      var body = panel.querySelector(".pb-panel-body");
      body.innerHTML = "";
      var missing = false;
      qs.forEach(function (q, i) {
        var box = body;
        if (qs.length > 1) {
          var item = document.createElement("div");
          item.className = "pb-query";
          var head = document.createElement("div");
          head.className = "pb-query-label";
          head.style.cssText = "font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:.6rem 0 .3rem";
          head.textContent = "Query " + (i + 1) + ": " + q.query;
          box = document.createElement("div");
          item.append(head, box);
          body.appendChild(item);
        }
        if (!draw(panel, i, box, opts, "")) {
          missing = true;
          note(box, "pb-unavailable", "This query is not in the recording: it changed since it was recorded (run pyrobuild snapshot again).");
        }
      });
      panel.dataset.state = missing ? "missing" : "recorded";
    });
  });
})();
