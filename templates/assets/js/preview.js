// pyrobuild serve: live dashboard previews. Each FlameChart panel fetches
// its flame graphs from Pyroscope through the preview server's proxy (which
// holds the datasource's secrets, enforces its allowed endpoints and checks
// the answers) and draws them with flamegraph.js: one per query of the
// panel, each labelled with its query when there are several. With the
// panel's showSeries option, the query's time series is drawn above its
// flame graph, with axes and a brush that sets the page's range. Each
// panel links to the Pyroscope UI the proxy names.
//
// The page's address carries what the reader chose: the time range
// (range=15m, or from=MS&until=MS for an absolute one) and each flame
// graph's zoom and search (zoom.PANEL.QUERY,
// search.PANEL.QUERY), so that the reload after a rebuild, a reload by
// hand or a shared link shows the same view.
(function () {
  "use strict";
  // Under Node (the unit tests) there is no page: the pure helpers are
  // exported instead.
  if (typeof document === "undefined") {
    if (typeof module === "object" && module.exports) {
      module.exports = { rangeQuery: rangeQuery, rangeText: rangeText, readRange: readRange, checkRange: checkRange,
        pyroscopeLink: pyroscopeLink, timeTicks: timeTicks, valueTicks: valueTicks };
    }
    return;
  }
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

  // ---- Time ranges --------------------------------------------------------
  // A range is relative, a string such as "15m" (the last 15 minutes up to
  // now), or absolute, {from, until} in epoch milliseconds. The address
  // carries it as range=15m, or as from=MS&until=MS, which win over range
  // (range then keeps the relative choice that Back returns to).

  function isAbsolute(r) { return !!r && typeof r === "object"; }

  // rangeQuery is the range as Pyroscope's from and until read it:
  // now-15m and now, or epoch milliseconds (13 digits).
  function rangeQuery(r) {
    if (isAbsolute(r)) { return { from: String(r.from), until: String(r.until) }; }
    return { from: "now-" + r, until: "now" };
  }

  // rangeBounds is the range in epoch milliseconds, a relative one ending
  // at now.
  function rangeBounds(r, now) {
    return isAbsolute(r) ? [r.from, r.until] : [now - rangeMillis(r), now];
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d, secs) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + (secs ? ":" + pad(d.getSeconds()) : ""); }
  function day(d) { return "JanFebMarAprMayJunJulAugSepOctNovDec".substr(d.getMonth() * 3, 3) + " " + d.getDate(); }
  // localInput is a time as a datetime-local input holds it (local time).
  function localInput(ms) {
    var d = new Date(ms);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + clock(d, true);
  }

  // rangeText says the range in a sentence's words.
  function rangeText(r) {
    if (!isAbsolute(r)) { return "over the last " + r; }
    var a = localInput(r.from).replace("T", " "), b = localInput(r.until).replace("T", " ");
    return "from " + a + " to " + (a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b);
  }

  // readRange reads the range of an address: from and until (epoch
  // milliseconds, from before until), else range (15m or now-15m), else
  // fallback.
  function readRange(params, fallback) {
    var f = params.get("from") || "", u = params.get("until") || "";
    if (/^\d{1,15}$/.test(f) && /^\d{1,15}$/.test(u) && Number(f) < Number(u)) {
      return { from: Number(f), until: Number(u) };
    }
    return (params.get("range") || "").replace(/^now-/, "") || fallback;
  }

  // checkRange validates the picker's from and to (datetime-local values,
  // local time): both set, from before to. A to in the future is clamped
  // to now, whole seconds are kept. It returns {range} or {error}.
  function checkRange(from, to, now) {
    var a = from ? new Date(from).getTime() : NaN, b = to ? new Date(to).getTime() : NaN;
    if (isNaN(a) || isNaN(b)) { return { error: "Set both From and To." }; }
    b = Math.min(b, Math.floor(now / 1000) * 1000);
    if (a >= now) { return { error: "From is in the future." }; }
    if (a >= b) { return { error: "From must be before To." }; }
    return { range: { from: a, until: b } };
  }

  // pyroscopeLink opens a query and range in the Pyroscope UI served at
  // base (the datasource's URL, without credentials, as the proxy names
  // it): the UI's own address state, query=, from= and until=. Without a
  // base there is no link.
  function pyroscopeLink(base, query, r) {
    if (!base || !/^https?:\/\/[^/]/i.test(base) || !query) { return ""; }
    var q = rangeQuery(r);
    return base.replace(/\/*$/, "/") + "?" + new URLSearchParams({ query: query, from: q.from, until: q.until }).toString();
  }

  // ---- Axes -----------------------------------------------------------------

  // timeTicks places the time axis's ticks from start to end (epoch ms)
  // over width pixels: at round local times, as many as fit without their
  // labels touching (charWidth pixels a character, 16 between labels).
  // Labels show seconds when ticks are under a minute apart, and the day
  // at each local midnight.
  function timeTicks(start, end, width, charWidth) {
    var span = end - start;
    if (!(span > 0) || !(width > 0)) { return []; }
    // The candidate steps, 1 s to 30 days.
    var STEPS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6];
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      var chars = STEPS[i] < 6e4 ? 8 : 6;
      if ((chars * charWidth + 16) * (span / STEPS[i] + 1) <= width) { step = STEPS[i]; break; }
    }
    var out = [];
    function add(t) {
      var d = new Date(t), midnight = d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0;
      out.push({ t: t, label: step >= 864e5 || (midnight && step >= 6e4) ? day(d) : clock(d, step < 6e4) });
    }
    if (step < 864e5) {
      // Round in local time: the offset of the range's start.
      var off = -new Date(start).getTimezoneOffset() * 6e4;
      for (var t = Math.ceil((start + off) / step) * step - off; t <= end; t += step) { add(t); }
    } else {
      var d = new Date(start);
      d.setHours(0, 0, 0, 0);
      if (d.getTime() < start) { d.setDate(d.getDate() + 1); }
      for (; d.getTime() <= end; d.setDate(d.getDate() + step / 864e5)) { add(d.getTime()); }
    }
    return out;
  }

  // valueTicks divides 0..max into at most count round steps (1, 2, 2.5
  // or 5 times a power of ten); top is the last tick, at or above max.
  function valueTicks(max, count) {
    if (!(max > 0)) { return { ticks: [0, 1], top: 1 }; }
    var raw = max / Math.max(count, 1), mag = Math.pow(10, Math.floor(Math.log10(raw))), n = raw / mag;
    var step = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
    var ticks = [];
    for (var i = 0; i * step < max * (1 + 1e-9) || i === 1; i++) { ticks.push(Number((i * step).toPrecision(12))); }
    if (ticks[ticks.length - 1] < max) { ticks.push(Number((ticks.length * step).toPrecision(12))); }
    return { ticks: ticks, top: ticks[ticks.length - 1] };
  }

  // ---- Time series ------------------------------------------------------------

  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // fullTime is a point's time for the readout.
  function fullTime(ms, secs) { var d = new Date(ms); return day(d) + ", " + clock(d, secs); }

  // series draws the timeline Pyroscope sends with the flame graph (the
  // sum of the selected series over the range) as an area chart with a
  // time axis in local time and a value axis in the profile's units. The
  // pointer reads a point out; dragging across selects a range, which the
  // chart announces with a pb-range event (the preview then queries every
  // panel over it); a double-click announces pb-range-back. The keyboard
  // does the same: arrows move the readout, Shift+arrows select, Enter
  // applies, Escape clears, Backspace goes back.
  function series(box, data, height) {
    var tl = data && data.timeline;
    var wrap = document.createElement("div");
    wrap.className = "pb-series";
    box.appendChild(wrap);
    if (!tl || !Array.isArray(tl.samples) || !tl.samples.length) {
      wrap.textContent = "No time series in this answer.";
      return;
    }
    var step = (Number(tl.durationDelta) || 0) * 1000, t0 = (Number(tl.startTime) || 0) * 1000;
    var pts = tl.samples.map(function (v, i) { return { t: t0 + i * step, v: typeof v === "number" && v > 0 ? v : 0 }; });
    var peak = pts.reduce(function (a, p) { return p.v > a.v ? p : a; }, pts[0]);
    var c = {
      wrap: wrap, pts: pts, height: height, step: step, t0: t0,
      t1: pts.length > 1 && step > 0 ? pts[pts.length - 1].t : t0 + Math.max(step, 1000),
      fmt: window.PyroFlame.formatter(data.metadata || {}), cursor: -1, anchor: -1
    };
    var secs = step > 0 && step < 6e4;
    var label = "Time series: " + pts.length + " points" + (step ? " every " + step / 1000 + " s" : "") +
      " from " + fullTime(c.t0, secs) + " to " + fullTime(c.t1, secs) + ", peak " + units(data.metadata, peak.v) +
      (peak.v > 0 ? " at " + clock(new Date(peak.t), secs) : "");
    c.svg = svgEl("svg", { role: "img", tabindex: "0", "aria-label": label + ". Drag, or Shift and the arrow keys, to select a range.", "class": "pb-series-chart" });
    c.svg.style.height = height + "px";
    var cap = document.createElement("div");
    cap.className = "pb-series-caption";
    var sum = document.createElement("span");
    sum.textContent = label;
    c.readout = document.createElement("span");
    c.readout.className = "pb-series-readout";
    c.readout.setAttribute("aria-live", "polite");
    cap.append(sum, c.readout);
    wrap.append(c.svg, cap);
    drawSeries(c);
    if (window.ResizeObserver) {
      var width = wrap.clientWidth;
      new ResizeObserver(function () {
        if (wrap.clientWidth !== width && wrap.isConnected) { width = wrap.clientWidth; drawSeries(c); }
      }).observe(wrap);
    }
    brushSeries(c);
  }

  // drawSeries lays the chart out at its box's current width.
  function drawSeries(c) {
    var svg = c.svg, W = Math.max(c.wrap.clientWidth, 120), H = c.height;
    svg.textContent = "";
    svg.setAttribute("width", W);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    var max = c.pts.reduce(function (m, p) { return Math.max(m, p.v); }, 0);
    var vt = valueTicks(max, Math.max(1, Math.min(4, Math.floor((H - 26) / 22))));
    var vlabels = vt.ticks.map(function (v) { return v === 0 ? "0" : c.fmt(v); });
    var left = 10 + 6.5 * Math.max.apply(null, vlabels.map(function (s) { return s.length; }));
    var top = 6, bottom = 18, right = 10, pw = Math.max(W - left - right, 10), ph = Math.max(H - top - bottom, 10);
    c.x = function (t) { return left + (t - c.t0) / (c.t1 - c.t0) * pw; };
    c.t = function (x) { return c.t0 + (Math.min(Math.max(x, left), left + pw) - left) / pw * (c.t1 - c.t0); };
    c.plot = { left: left, top: top, w: pw, h: ph };
    var y = function (v) { return top + ph - v / vt.top * ph; };
    var yAxis = svgEl("g", { "class": "pb-axis pb-axis-y", "aria-hidden": "true" });
    vt.ticks.forEach(function (v, i) {
      yAxis.append(svgEl("line", { x1: left, x2: left + pw, y1: y(v), y2: y(v), "class": "pb-grid" }));
      var tx = svgEl("text", { x: left - 5, y: y(v), "text-anchor": "end", "dominant-baseline": "middle" });
      tx.textContent = vlabels[i];
      yAxis.append(tx);
    });
    var xAxis = svgEl("g", { "class": "pb-axis pb-axis-x", "aria-hidden": "true" });
    xAxis.append(svgEl("line", { x1: left, x2: left + pw, y1: top + ph, y2: top + ph }));
    timeTicks(c.t0, c.t1, pw, 7).forEach(function (tk) {
      var x = c.x(tk.t), half = tk.label.length * 3.5;
      if (x - half < 0 || x + half > W) { return; } // it would leave the chart
      xAxis.append(svgEl("line", { x1: x, x2: x, y1: top + ph, y2: top + ph + 4 }));
      var tx = svgEl("text", { x: x, y: H - 2, "text-anchor": "middle" });
      tx.textContent = tk.label;
      xAxis.append(tx);
    });
    var line = c.pts.map(function (p) { return c.x(p.t).toFixed(1) + "," + y(p.v).toFixed(1); });
    if (line.length === 1) { line.push((left + pw).toFixed(1) + "," + line[0].split(",")[1]); }
    var area = svgEl("polygon", { points: left + "," + (top + ph) + " " + line.join(" ") + " " + line[line.length - 1].split(",")[0] + "," + (top + ph), "class": "pb-series-area" });
    var path = svgEl("polyline", { points: line.join(" "), "class": "pb-series-line" });
    c.sel = svgEl("rect", { y: top, height: ph, width: 0, "class": "pb-brush", visibility: "hidden" });
    c.line = svgEl("line", { y1: top, y2: top + ph, "class": "pb-cursor", visibility: "hidden" });
    c.hit = svgEl("rect", { x: left, y: top, width: pw, height: ph, "class": "pb-series-hit" });
    svg.append(yAxis, xAxis, area, path, c.sel, c.line, c.hit);
    showCursor(c);
    showSelection(c, c.anchor >= 0 && c.cursor >= 0 ? [c.pts[c.anchor].t, c.pts[c.cursor].t] : null);
  }

  // showCursor marks the point at c.cursor and reads it out.
  function showCursor(c) {
    var p = c.pts[c.cursor];
    if (!p || !c.line) {
      if (c.line) { c.line.setAttribute("visibility", "hidden"); }
      c.readout.textContent = "";
      return;
    }
    c.line.setAttribute("x1", c.x(p.t));
    c.line.setAttribute("x2", c.x(p.t));
    c.line.setAttribute("visibility", "visible");
    c.readout.textContent = fullTime(p.t, c.step < 6e4) + ": " + c.fmt(p.v);
  }

  // showSelection draws the selected times [a, b] (either order), or none.
  function showSelection(c, ab) {
    if (!c.sel) { return; }
    if (!ab) { c.sel.setAttribute("visibility", "hidden"); return; }
    var x0 = c.x(Math.min(ab[0], ab[1])), x1 = c.x(Math.max(ab[0], ab[1]));
    c.sel.setAttribute("x", x0);
    c.sel.setAttribute("width", Math.max(x1 - x0, 1));
    c.sel.setAttribute("visibility", "visible");
  }

  // applySelection announces the range from a to b (epoch ms, either
  // order), in whole seconds, at least one second long.
  function applySelection(c, a, b) {
    var from = Math.floor(Math.min(a, b) / 1000) * 1000, until = Math.ceil(Math.max(a, b) / 1000) * 1000;
    if (until - from < 1000) { until = from + 1000; }
    c.anchor = -1;
    showSelection(c, null);
    c.svg.dispatchEvent(new CustomEvent("pb-range", { bubbles: true, detail: { from: from, until: until } }));
  }

  function brushSeries(c) {
    var svg = c.svg, drag = null;
    function px(e) { return e.clientX - svg.getBoundingClientRect().left; }
    function nearest(t) { return Math.max(0, Math.min(c.pts.length - 1, Math.round((t - c.t0) / (c.step || 1)))); }
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.target !== c.hit) { return; }
      e.preventDefault();
      svg.setPointerCapture(e.pointerId);
      drag = { t: c.t(px(e)), x: px(e) };
    });
    svg.addEventListener("pointermove", function (e) {
      var t = c.t(px(e));
      if (drag) { showSelection(c, [drag.t, t]); }
      c.cursor = nearest(t);
      showCursor(c);
    });
    svg.addEventListener("pointerup", function (e) {
      if (!drag) { return; }
      var d = drag;
      drag = null;
      if (Math.abs(px(e) - d.x) >= 3) { applySelection(c, d.t, c.t(px(e))); } else { showSelection(c, null); }
    });
    svg.addEventListener("pointerleave", function () {
      if (!drag && document.activeElement !== svg) { c.cursor = -1; showCursor(c); }
    });
    svg.addEventListener("dblclick", function () {
      svg.dispatchEvent(new CustomEvent("pb-range-back", { bubbles: true }));
    });
    svg.addEventListener("focus", function () {
      if (c.cursor < 0) { c.cursor = c.pts.length - 1; }
      showCursor(c);
    });
    svg.addEventListener("blur", function () { c.cursor = -1; c.anchor = -1; showCursor(c); showSelection(c, null); });
    svg.addEventListener("keydown", function (e) {
      var n = c.pts.length, moves = { ArrowLeft: -1, ArrowRight: 1, PageUp: -Math.ceil(n / 10), PageDown: Math.ceil(n / 10), Home: -n, End: n };
      if (e.key in moves) {
        if (e.shiftKey && c.anchor < 0) { c.anchor = c.cursor; }
        if (!e.shiftKey) { c.anchor = -1; }
        c.cursor = Math.max(0, Math.min(n - 1, c.cursor + moves[e.key]));
        showCursor(c);
        showSelection(c, c.anchor >= 0 ? [c.pts[c.anchor].t, c.pts[c.cursor].t] : null);
      } else if (e.key === "Enter" && c.anchor >= 0 && c.anchor !== c.cursor) {
        applySelection(c, c.pts[c.anchor].t, c.pts[c.cursor].t);
      } else if (e.key === "Escape") {
        c.anchor = -1;
        showSelection(c, null);
      } else if (e.key === "Backspace") {
        svg.dispatchEvent(new CustomEvent("pb-range-back", { bubbles: true }));
      } else {
        return;
      }
      e.preventDefault();
    });
  }

  // openLink puts the link that opens the query in the Pyroscope UI at
  // base in the query's label (a panel of several queries) or the panel's
  // title, replacing an earlier one; without a base (the proxy did not
  // name the server) there is none.
  function openLink(panel, box, q, range, base) {
    var host = box.classList.contains("pb-query-body") ? box.previousElementSibling : panel.querySelector(".pb-panel-title");
    if (!host) { return; }
    var old = host.querySelector(".pb-open");
    if (old) { old.remove(); }
    var href = pyroscopeLink(base, q.query, range);
    if (!href) { return; }
    var a = document.createElement("a");
    a.className = "pb-open";
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = "Open in Pyroscope";
    a.title = (q.service ? "Service " + q.service + ", profile type " : "Profile type ") + q.profileType + ", " +
      rangeText(range) + ", in the Pyroscope UI at " + base;
    host.appendChild(a);
  }

  // rangePicker adds the absolute range's inputs and the Back button to
  // the preview's toolbar; show(range) sets them from a range.
  function rangePicker(pv, apply, back) {
    var bar = pv.querySelector(".pb-preview-toolbar");
    var g = document.createElement("span");
    g.className = "pb-abs";
    g.setAttribute("role", "group");
    g.setAttribute("aria-label", "Absolute time range");
    function input(text, cls) {
      var l = document.createElement("label"), i = document.createElement("input");
      i.type = "datetime-local";
      i.step = "1";
      i.className = cls;
      l.append(text + " ", i);
      g.appendChild(l);
      return i;
    }
    function button(text, cls, title) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = cls;
      b.textContent = text;
      b.title = title;
      g.appendChild(b);
      return b;
    }
    var from = input("From", "pb-from"), to = input("to", "pb-until");
    var ok = button("Apply", "pb-apply", "Show this absolute range");
    var bk = button("Back", "pb-back", "Back to the range before (double-click the time series, or Backspace on it)");
    var err = document.createElement("span");
    err.className = "pb-range-error";
    err.setAttribute("role", "alert");
    g.appendChild(err);
    bar.appendChild(g);
    function submit() {
      var res = checkRange(from.value, to.value, Date.now());
      err.textContent = res.error || "";
      from.setAttribute("aria-invalid", res.error ? "true" : "false");
      if (res.range) { apply(res.range); }
    }
    ok.addEventListener("click", submit);
    [from, to].forEach(function (i) {
      i.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); submit(); } });
    });
    bk.addEventListener("click", back);
    return {
      show: function (r, canBack) {
        var b = rangeBounds(r, Date.now());
        from.value = localInput(b[0]);
        to.value = localInput(b[1]);
        err.textContent = "";
        from.removeAttribute("aria-invalid");
        bk.disabled = !canBack;
      }
    };
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
    var over = rangeText(range);
    var what = q.service ? "service \u201c" + q.service + "\u201d" : "this query";
    var first = state(box, "pb-empty", "No profile data for " + what + ", profile type " + (q.profileType || "?") +
      (q.filters ? ", filters " + q.filters : "") + ", " + over + ".");
    var bounds = rangeBounds(range, Date.now()), start = bounds[0], end = bounds[1];
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
      if (window.PyroRecording && window.PyroRecording.fallback(panel, index, box, opts, q.note || "the preview cannot reach this query's datasource", done)) { return; } // recording.js
      state(box, "pb-unavailable", q.note || "The preview cannot reach this query's datasource.");
      done("unavailable");
      return;
    }
    state(box, "pb-loading", "Loading profile…");
    var params = new URLSearchParams(Object.assign({ query: q.query }, rangeQuery(range)));
    if (q.maxNodes) { params.set("maxNodes", q.maxNodes); }
    // The proxy answers only requests carrying the token the preview
    // server put in this page (other web sites cannot read it).
    var token = document.querySelector('meta[name="pyrobuild-proxy-token"]');
    var headers = { Accept: "application/json" };
    if (token) { headers["X-Pyrobuild-Token"] = token.content; }
    fetch(q.proxy + "/pyroscope/render?" + params.toString(), { headers: headers, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (text) {
          return { ok: r.ok, status: r.status, data: parse(text, null), proxyError: r.headers.get("X-Pyrobuild-Error"),
            ui: r.headers.get("X-Pyrobuild-Pyroscope-Ui") };
        });
      })
      .then(function (res) {
        openLink(panel, box, q, range, res.ui);
        if (!res.ok) {
          var msg = "HTTP " + res.status;
          if (res.data && res.data.error) {
            msg = res.data.error + (res.data.hint ? " (" + res.data.hint + ")" : "");
          } else if (res.data && res.data.message) {
            msg = "Pyroscope: " + res.data.message;
          }
          var st = res.proxyError === "invalid-answer" ? "invalid" : res.proxyError ? "unreachable" : "error";
          if (window.PyroRecording && window.PyroRecording.fallback(panel, index, box, opts, msg, done)) { return; } // recording.js
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
          sandwich: view.get("sandwich." + key), // the function of its sandwich view
          onState: function (st) {
            remember("zoom." + key, st.zoom);
            remember("search." + key, st.search);
            remember("sandwich." + key, st.sandwich);
          }
        }));
        done("loaded");
      })
      .catch(function (err) {
        if (window.PyroRecording && window.PyroRecording.fallback(panel, index, box, opts, "the preview server did not answer: " + err.message, done)) { return; } // recording.js
        state(box, "pb-unreachable", "The preview server did not answer: " + err.message);
        done("unreachable");
      });
  }

  function load(panel, range) {
    // The preview's own range wins: it may be absolute (set by the brush
    // or the picker), which no control's value says.
    var owner = panel.closest(".pb-preview");
    if (owner && owner._range) { range = owner._range; }
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
    var first = Array.prototype.find.call(select.options, function (o) { return o.defaultSelected; });
    // An absolute range shows as "custom range" in the list, which keeps
    // the relative choice that Back returns to.
    var custom = document.createElement("option");
    custom.value = "";
    custom.hidden = true;
    custom.textContent = "custom range";
    select.appendChild(custom);
    var relative = select.value, earlier = [];
    var picker = rangePicker(pv, function (r) { setRange(r, true); }, back);
    function all() {
      select.value = isAbsolute(pv._range) ? "" : pv._range;
      picker.show(pv._range, earlier.length > 0 || isAbsolute(pv._range));
      pv.querySelectorAll('.pb-panel[data-kind="FlameChart"]').forEach(function (panel) { load(panel, pv._range); });
    }
    // setRange shows every panel over r (remembered in the address), the
    // range before it kept for Back when keep is set.
    function setRange(r, keep) {
      if (keep) { earlier.push(pv._range); }
      pv._range = r;
      if (!isAbsolute(r)) {
        relative = r;
        remember("range", first && first.value === r ? "" : r);
      }
      remember("from", isAbsolute(r) ? String(r.from) : "");
      remember("until", isAbsolute(r) ? String(r.until) : "");
      all();
    }
    function back() {
      if (earlier.length) {
        setRange(earlier.pop(), false);
      } else if (isAbsolute(pv._range)) {
        setRange(relative, false);
      }
    }
    // The range in the address wins over the dashboard's own, if offered.
    var wanted = readRange(view, select.value);
    if (!isAbsolute(wanted) && Array.prototype.some.call(select.options, function (o) { return o.value && o.value === wanted; })) {
      select.value = wanted;
      relative = wanted;
    }
    pv._range = isAbsolute(wanted) ? wanted : relative;
    select.addEventListener("change", function () { setRange(select.value, true); });
    // The time series' brush and its way back.
    pv.addEventListener("pb-range", function (e) { setRange(e.detail, true); });
    pv.addEventListener("pb-range-back", back);
    refresh.addEventListener("click", all);
    all();
  });
})();
