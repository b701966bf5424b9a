/* pyrobuild flame graph: draws the flamebearer JSON that Grafana Pyroscope
   answers on /pyroscope/render, for the dashboard previews. No dependency, no
   network: the site works offline. Frames are DOM elements, so they can be
   focused, read by screen readers and found by tests.

   API: PyroFlame.render(container, data, {palette, showTable, showFlameGraph,
   zoom, search, onState}) returns {search(text), reset(), state(), destroy()}.
   zoom and search restore a state (zoom is a frame's path: the names from
   the root's child down to it, joined by ";"); onState({zoom, search}) is
   called whenever the zoom or the search changes. */
(function (root) {
  "use strict";

  var ROW = 20; // px per level; matches --pf-row in flamegraph.css
  var MIN_FRAME = 0.5; // narrower frames are not drawn (px)
  var MIN_LABEL = 24; // narrower frames have no label (px)
  var EMPTY = "No profile data for this query and time range";

  // ---- Model ------------------------------------------------------------

  // parse checks the answer and turns its levels into absolute frames:
  // per row, start = cursor + offset and cursor = start + total. It throws
  // an Error with a readable message for anything it cannot draw.
  function parse(data) {
    if (typeof data === "string") data = JSON.parse(data);
    if (!data || typeof data !== "object") throw new Error("the answer is not a JSON object");
    var fb = data.flamebearer;
    if (!fb && Array.isArray(data.levels)) fb = data; // a bare flamebearer
    if (!fb) throw new Error("the answer has no flamebearer");
    var md = data.metadata || {};
    if (md.format === "double") throw new Error("diff flame graphs are not supported");
    var names = fb.names, levels = fb.levels;
    if (!Array.isArray(names) || !names.length) throw new Error("flamebearer.names is empty");
    if (!Array.isArray(levels) || !levels.length) throw new Error("flamebearer.levels is empty");
    var frames = [], byLevel = [], maxSelf = 0, prev = [];
    for (var l = 0; l < levels.length; l++) {
      var row = levels[l], cur = [], cursor = 0, p = 0;
      if (!Array.isArray(row) || row.length % 4) throw new Error("levels[" + l + "] is not a list of quadruples");
      if (l === 0 && row.length !== 4) throw new Error("the root level must hold one frame");
      for (var i = 0; i < row.length; i += 4) {
        var off = row[i], total = row[i + 1], self = row[i + 2], ni = row[i + 3];
        if (!isCount(off) || !isCount(total) || !isCount(self) || self > total)
          throw new Error("levels[" + l + "] frame " + i / 4 + " has invalid values");
        if (!isCount(ni) || ni >= names.length) throw new Error("levels[" + l + "] frame " + i / 4 + " names no function");
        var start = cursor + off;
        cursor = start + total;
        var f = { index: frames.length, level: l, start: start, total: total, self: self,
          name: String(names[ni]), parent: -1 };
        if (l > 0) {
          // Rows are sorted and disjoint, so one pass pairs each frame with
          // the frame of the row above that contains it.
          while (p < prev.length && prev[p].start + prev[p].total < cursor) p++;
          if (p === prev.length || prev[p].start > start) throw new Error("levels[" + l + "] frame " + i / 4 + " has no caller");
          f.parent = prev[p].index;
        }
        if (self > maxSelf) maxSelf = self;
        frames.push(f);
        cur.push(f);
      }
      byLevel.push(cur);
      prev = cur;
    }
    return { frames: frames, byLevel: byLevel, numTicks: frames[0].total, maxSelf: maxSelf, metadata: md };
  }

  function isCount(v) { return typeof v === "number" && v >= 0 && Math.floor(v) === v; }

  // packageOf returns the package of a Go symbol: what precedes the first
  // dot after the last slash (net/http.(*conn).serve -> net/http). Type
  // parameters are dropped first, as they may hold slashes and dots.
  function packageOf(name) {
    var s = name.replace(/\[.*$/, "");
    var slash = s.lastIndexOf("/");
    var dot = s.indexOf(".", slash + 1);
    return dot > 0 ? s.slice(0, dot) : s;
  }

  // hash is FNV-1a: the same package gets the same colour on every page.
  function hash(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }

  // ---- Formatting ---------------------------------------------------------

  function num(x) {
    var s = x >= 100 ? x.toFixed(0) : x.toFixed(2);
    return s.indexOf(".") >= 0 ? s.replace(/\.?0+$/, "") : s;
  }

  function duration(sec) {
    if (sec === 0) return "0 s";
    if (sec < 1e-6) return num(sec * 1e9) + " ns";
    if (sec < 1e-3) return num(sec * 1e6) + " µs";
    if (sec < 1) return num(sec * 1e3) + " ms";
    if (sec < 60) return num(sec) + " s";
    if (sec < 3600) return num(sec / 60) + " min";
    return num(sec / 3600) + " h";
  }

  function bytes(b) {
    var u = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i === 0 ? String(b) : num(b)) + " " + u[i];
  }

  function count(n) {
    if (n < 10000) return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
    var u = ["k", "M", "G", "T", "P"], i = -1;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return num(n) + " " + u[i];
  }

  // formatter returns how values of this profile read: CPU "samples" are
  // time (sampleRate per second; 1e9 makes them nanoseconds), and so are
  // "nanoseconds"; "bytes" are sizes; "objects" and the rest are counts.
  function formatter(md) {
    var units = md.units || "", rate = Number(md.sampleRate) || 0;
    if (units === "samples" && rate > 0) return function (v) { return duration(v / rate); };
    if (units === "nanoseconds") return function (v) { return duration(v / 1e9); };
    if (units === "bytes") return bytes;
    if (units === "objects" || units === "samples" || units === "count" || units === "") return count;
    return function (v) { return count(v) + " " + units; };
  }

  // shortName fits a function's name in n characters. It cuts from the
  // left, so the function itself stays readable: first the import path
  // before the package (github.com/x/y/pkg.(*T).M reads …pkg.(*T).M), then
  // characters. Below three characters there is no label.
  function shortName(name, n) {
    if (name.length <= n) return name;
    if (n < 3) return "";
    var slash = name.replace(/\[.*$/, "").lastIndexOf("/");
    if (slash >= 0 && name.length - slash <= n) return "…" + name.slice(slash + 1);
    return "…" + name.slice(name.length - n + 1);
  }

  function percent(v, total) {
    if (!total) return "0%";
    var p = (v / total) * 100;
    if (p > 0 && p < 0.01) return "<0.01%";
    return p.toFixed(2).replace(/\.?0+$/, "") + "%";
  }

  // ---- DOM helpers ----------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function noop() { return { matches: 0, percent: "0%" }; }

  function stateView(container, cls, text, role) {
    container.textContent = "";
    var box = el("div", "pyroflame");
    var msg = el("div", "pf-state " + cls, text);
    msg.setAttribute("role", role);
    box.appendChild(msg);
    container.appendChild(box);
    return { search: noop, reset: function () {}, destroy: function () { container.textContent = ""; } };
  }

  // ---- Render ---------------------------------------------------------------

  function render(container, data, options) {
    var opts = options || {};
    var palette = opts.palette === "value" ? "value" : "package-name";
    var showGraph = opts.showFlameGraph !== false, showTable = opts.showTable !== false;

    if (data && typeof data === "object" && typeof data.message === "string" && !data.flamebearer)
      return stateView(container, "pf-error", "Pyroscope: " + data.message, "alert");
    var model;
    try {
      model = parse(data);
    } catch (e) {
      return stateView(container, "pf-error", "Cannot draw this profile: " + e.message, "alert");
    }
    if (model.numTicks === 0) return stateView(container, "pf-empty", EMPTY, "status");
    if (!showGraph && !showTable)
      return stateView(container, "pf-empty", "The flame graph and the table are both turned off for this panel", "status");

    var fmt = formatter(model.metadata), frames = model.frames, total = model.numTicks;
    var state = { zoom: 0, focus: 0, query: "", matched: null };
    var sortKey = "total", sortDir = -1, rows = []; // the table's order and rows
    var cleanups = [];
    function on(target, type, fn, opt) {
      target.addEventListener(type, fn, opt);
      cleanups.push(function () { target.removeEventListener(type, fn, opt); });
    }

    container.textContent = "";
    var box = el("div", "pyroflame");
    box.dataset.palette = palette;
    var bar = el("div", "pf-toolbar");
    bar.setAttribute("role", "toolbar");
    var input = el("input", "pf-search");
    input.type = "search";
    input.placeholder = "Search functions";
    input.setAttribute("aria-label", "Search functions");
    var info = el("span", "pf-match");
    info.setAttribute("aria-live", "polite");
    var reset = el("button", "pf-reset", "Reset zoom");
    reset.type = "button";
    reset.disabled = true;
    reset.hidden = !showGraph; // nothing to zoom in the table alone
    var what = model.metadata.name ? model.metadata.name + " · " : "";
    var summary = el("span", "pf-summary", what + "total " + fmt(total));
    bar.append(input, info, reset, summary);
    box.appendChild(bar);

    var graph = null, tip = null, table = null, tbody = null;
    if (showGraph) {
      graph = el("div", "pf-graph");
      graph.setAttribute("role", "group");
      graph.setAttribute("aria-label", "Flame graph. Arrow keys move between frames, Enter zooms, Escape resets.");
      graph.style.height = model.byLevel.length * ROW + "px";
      tip = el("div", "pf-tooltip");
      tip.setAttribute("role", "tooltip");
      tip.id = "pf-tip-" + Math.random().toString(36).slice(2);
      tip.hidden = true;
      box.append(graph, tip);
    }
    if (showTable) {
      table = buildTable();
      // The table scrolls in its own box: a profile has hundreds of
      // functions, and the page should not grow by all of them.
      var wrap = el("div", "pf-table-wrap");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Functions by self and total");
      wrap.appendChild(table);
      box.appendChild(wrap);
    }
    container.appendChild(box);

    // colour sets a frame's or swatch's colour variables.
    function colour(node, f) {
      if (f.level === 0 || f.name === "other") {
        node.classList.add("pf-neutral");
        return;
      }
      if (palette === "value") {
        var heat = model.maxSelf ? f.self / model.maxSelf : 0;
        node.style.setProperty("--pf-h", String(Math.round(48 * (1 - heat))));
        node.style.setProperty("--pf-s", Math.round(55 + 40 * heat) + "%");
      } else {
        node.style.setProperty("--pf-h", String(hash(packageOf(f.name)) % 360));
      }
    }

    // ---- Flame graph ----

    function isAncestor(a, f) { // a is f or one of its callers
      for (var i = f.index; i >= 0; i = frames[i].parent) if (i === a) return true;
      return false;
    }

    // charWidth measures a label character once (labels are monospace), to
    // know how much of a name fits in a frame.
    var charWidth = 0;
    function measure() {
      var probe = el("span", "pf-frame", "0000000000");
      probe.style.cssText = "visibility:hidden;padding:0;width:auto";
      graph.appendChild(probe);
      charWidth = probe.getBoundingClientRect().width / 10;
      graph.removeChild(probe);
    }

    function draw() {
      if (!graph) return;
      var width = graph.clientWidth;
      graph.textContent = "";
      if (!width) return; // hidden: the resize observer draws when shown
      if (!charWidth) measure();
      var z = frames[state.zoom], scale = width / z.total, end = z.start + z.total;
      var frag = document.createDocumentFragment(), focusable = null;
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i], x, w, ancestor = false;
        if (f.level < z.level) {
          if (!isAncestor(i, z)) continue;
          x = 0; w = width; ancestor = true;
        } else {
          if (f.start < z.start || f.start + f.total > end || (f.level === z.level && i !== z.index)) continue;
          x = (f.start - z.start) * scale;
          w = f.total * scale;
          if (w < MIN_FRAME) continue;
        }
        var node = el("div", "pf-frame");
        node.dataset.index = String(i);
        node.dataset.name = f.name;
        node.setAttribute("role", "button");
        node.setAttribute("tabindex", i === state.focus ? "0" : "-1");
        node.setAttribute("aria-label", f.name + ": total " + fmt(f.total) + " (" + percent(f.total, total) + "), self " + fmt(f.self));
        node.style.left = x + "px";
        node.style.width = Math.max(w - (ancestor ? 0 : 1), MIN_FRAME) + "px";
        node.style.top = f.level * ROW + "px";
        if (ancestor) node.classList.add("pf-ancestor");
        if (state.matched) node.classList.add(state.matched[i] ? "pf-hit" : "pf-dim");
        colour(node, f);
        if (w >= MIN_LABEL) {
          // The frame's padding (8 px) and its 1 px gap are not for text.
          var label = charWidth ? shortName(f.name, Math.floor((w - 9) / charWidth)) : f.name;
          if (label) node.appendChild(el("span", "pf-label", label));
        }
        if (i === state.focus) focusable = node;
        frag.appendChild(node);
      }
      graph.appendChild(frag);
      if (!focusable) { // the focused frame is not drawn: the zoomed one takes the tab stop
        state.focus = state.zoom;
        focusable = graph.querySelector('[data-index="' + state.zoom + '"]');
        if (focusable) focusable.setAttribute("tabindex", "0");
      }
      reset.disabled = state.zoom === 0;
    }

    // pathOf and findPath name a frame by its stack, so that a zoom outlives
    // the answer it was made in (a rebuild or a new range fetches another).
    function pathOf(i) {
      var names = [];
      for (; i > 0; i = frames[i].parent) names.unshift(frames[i].name);
      return names.join(";");
    }

    function findPath(p) {
      var cur = 0, names = p ? String(p).split(";") : [];
      for (var k = 0; k < names.length; k++) {
        var next = -1, lvl = model.byLevel[k + 1] || [];
        for (var j = 0; j < lvl.length && next < 0; j++)
          if (lvl[j].parent === cur && lvl[j].name === names[k]) next = lvl[j].index;
        if (next < 0) return -1;
        cur = next;
      }
      return cur;
    }

    function current() { return { zoom: pathOf(state.zoom), search: state.query }; }

    function notify() {
      if (typeof opts.onState === "function") opts.onState(current());
    }

    function zoom(i) {
      if (!graph) return;
      // Drawing replaces the frames, so whether one had the focus is
      // noted first, to give it back to the new one.
      var hadFocus = graph.contains(document.activeElement);
      state.zoom = frames[i].level === 0 ? 0 : i;
      state.focus = i;
      hideTip();
      draw();
      var n = frameNode(i);
      if (n && hadFocus) n.focus();
      notify();
    }

    function frameNode(i) { return graph && graph.querySelector('[data-index="' + i + '"]'); }

    function showTip(f, x, y) {
      tip.textContent = "";
      tip.appendChild(el("strong", "pf-tip-name", f.name));
      var dl = el("dl", "pf-tip-values");
      dl.append(el("dt", null, "Total"), el("dd", null, fmt(f.total) + " (" + percent(f.total, total) + ")"),
        el("dt", null, "Self"), el("dd", null, fmt(f.self) + " (" + percent(f.self, total) + ")"));
      tip.appendChild(dl);
      tip.hidden = false;
      // Kept inside the component, on the pointer's side with most room.
      var bw = box.clientWidth, tw = tip.offsetWidth, th = tip.offsetHeight;
      var left = x + 14 + tw > bw ? Math.max(0, x - 14 - tw) : x + 14;
      tip.style.left = left + "px";
      tip.style.top = Math.max(0, y - th - 8) + "px";
    }

    function hideTip() { if (tip) tip.hidden = true; }

    function frameOf(target) {
      var n = target && target.closest ? target.closest(".pf-frame") : null;
      return n && graph.contains(n) ? n : null;
    }

    if (graph) {
      on(graph, "mousemove", function (e) {
        var n = frameOf(e.target);
        if (!n) return hideTip();
        var r = box.getBoundingClientRect();
        showTip(frames[+n.dataset.index], e.clientX - r.left, e.clientY - r.top);
      });
      on(graph, "mouseleave", hideTip);
      on(graph, "click", function (e) {
        var n = frameOf(e.target);
        if (n) zoom(+n.dataset.index);
      });
      on(graph, "focusin", function (e) {
        var n = frameOf(e.target);
        if (!n) return;
        state.focus = +n.dataset.index;
        var r = box.getBoundingClientRect(), fr = n.getBoundingClientRect();
        showTip(frames[state.focus], Math.max(0, fr.left - r.left), fr.top - r.top);
      });
      on(graph, "focusout", hideTip);
      on(graph, "keydown", function (e) {
        var n = frameOf(e.target);
        if (!n) return;
        var i = +n.dataset.index, next = -1;
        switch (e.key) {
          case "Enter": case " ": zoom(i); e.preventDefault(); return;
          case "ArrowUp": next = frames[i].parent; break;
          case "ArrowDown": next = widestChild(i); break;
          case "ArrowLeft": next = sibling(n, -1); break;
          case "ArrowRight": next = sibling(n, 1); break;
          case "Home": next = 0; break;
          default: return;
        }
        e.preventDefault();
        var m = next >= 0 ? frameNode(next) : null;
        if (m) {
          n.setAttribute("tabindex", "-1");
          m.setAttribute("tabindex", "0");
          m.focus();
        }
      });
      // Frames are laid out in pixels, so they are drawn again when the
      // width changes (the panel is resized, or shown after being hidden).
      if (typeof ResizeObserver === "function") {
        var lastWidth = -1, pending = 0;
        var ro = new ResizeObserver(function () {
          if (graph.clientWidth === lastWidth || pending) return;
          pending = requestAnimationFrame(function () {
            pending = 0;
            lastWidth = graph.clientWidth;
            draw();
          });
        });
        ro.observe(graph);
        cleanups.push(function () { ro.disconnect(); if (pending) cancelAnimationFrame(pending); });
      }
    }

    function widestChild(i) {
      var best = -1, lvl = model.byLevel[frames[i].level + 1] || [];
      for (var k = 0; k < lvl.length; k++)
        if (lvl[k].parent === i && frameNode(lvl[k].index) && (best < 0 || lvl[k].total > frames[best].total)) best = lvl[k].index;
      return best;
    }

    function sibling(n, dir) { // the next drawn frame on the same level
      var lvl = model.byLevel[frames[+n.dataset.index].level], pos = lvl.indexOf(frames[+n.dataset.index]);
      for (var k = pos + dir; k >= 0 && k < lvl.length; k += dir) if (frameNode(lvl[k].index)) return lvl[k].index;
      return -1;
    }

    // ---- Search ----

    function search(text) {
      var q = String(text == null ? "" : text).trim();
      state.query = q;
      if (input.value.trim() !== q) input.value = q;
      var res = { matches: 0, percent: "0%" };
      if (!q) {
        state.matched = null;
        info.textContent = "";
      } else {
        var lower = q.toLowerCase(), hit = new Array(frames.length), sum = 0;
        for (var i = 0; i < frames.length; i++) {
          if (frames[i].name.toLowerCase().indexOf(lower) < 0) continue;
          hit[i] = true;
          res.matches++;
          var nested = false; // a match under a match is counted once
          for (var a = frames[i].parent; a >= 0; a = frames[a].parent) if (hit[a]) { nested = true; break; }
          if (!nested) sum += frames[i].total;
        }
        state.matched = hit;
        res.percent = percent(sum, total);
        info.textContent = res.matches
          ? res.matches + (res.matches === 1 ? " frame" : " frames") + " · " + res.percent + " of total"
          : "No match";
      }
      draw();
      filterTable();
      notify();
      return res;
    }

    on(input, "input", function () { search(input.value); });
    on(reset, "click", function () { zoom(0); });
    on(box, "keydown", function (e) {
      if (e.key !== "Escape") return;
      if (e.target === input && input.value) search("");
      else if (state.zoom !== 0) zoom(0);
      else search("");
    });

    // ---- Table ----

    function buildTable() {
      var byName = {}, list = [];
      for (var i = 1; i < frames.length; i++) {
        var f = frames[i], r = byName[f.name];
        if (!r) { r = byName[f.name] = { name: f.name, self: 0, total: 0, frame: f }; list.push(r); }
        r.self += f.self;
        // A recursive function's total counts its outermost frames only.
        var inner = false;
        for (var a = f.parent; a > 0; a = frames[a].parent) if (frames[a].name === f.name) { inner = true; break; }
        if (!inner) r.total += f.total;
      }
      rows = list;
      var t = el("table", "pf-table");
      t.appendChild(el("caption", "pf-caption", "Functions"));
      var head = el("thead"), hr = el("tr");
      [["name", "Function"], ["self", "Self"], ["total", "Total"]].forEach(function (c) {
        var th = el("th");
        th.scope = "col";
        th.dataset.key = c[0];
        var b = el("button", "pf-sort", c[1]);
        b.type = "button";
        th.appendChild(b);
        hr.appendChild(th);
      });
      head.appendChild(hr);
      tbody = el("tbody");
      t.append(head, tbody);
      on(head, "click", function (e) {
        var th = e.target.closest("th");
        if (!th) return;
        var key = th.dataset.key;
        sortDir = key === sortKey ? -sortDir : key === "name" ? 1 : -1;
        sortKey = key;
        fillTable();
      });
      on(tbody, "click", function (e) {
        var tr = e.target.closest("tr");
        if (tr) search(tr.dataset.name);
      });
      return t;
    }

    function fillTable() {
      if (!table) return;
      rows.sort(function (a, b) {
        var d = sortKey === "name" ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a[sortKey] - b[sortKey];
        return d * sortDir || (a.name < b.name ? -1 : 1);
      });
      table.querySelectorAll("th").forEach(function (th) {
        th.setAttribute("aria-sort", th.dataset.key !== sortKey ? "none" : sortDir > 0 ? "ascending" : "descending");
      });
      tbody.textContent = "";
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) {
        var tr = el("tr");
        tr.dataset.name = r.name;
        var fn = el("td", "pf-fn"), sw = el("span", "pf-swatch");
        colour(sw, r.frame);
        fn.append(sw, el("span", null, r.name));
        tr.append(fn, cell(r.self), cell(r.total));
        frag.appendChild(tr);
      });
      tbody.appendChild(frag);
      filterTable();
    }

    function cell(v) {
      var td = el("td", "pf-num", fmt(v));
      td.appendChild(el("span", "pf-pct", " " + percent(v, total)));
      return td;
    }

    function filterTable() {
      if (!tbody) return;
      var q = state.query.toLowerCase();
      for (var tr = tbody.firstChild; tr; tr = tr.nextSibling)
        tr.hidden = !!q && tr.dataset.name.toLowerCase().indexOf(q) < 0;
    }

    fillTable();
    if (opts.zoom && graph) {
      var zi = findPath(opts.zoom);
      if (zi > 0) state.zoom = state.focus = zi;
    }
    if (opts.search) search(opts.search); // draws
    else draw();
    if (opts.zoom && state.zoom === 0) notify(); // the zoomed frame is gone

    return {
      search: search,
      reset: function () { zoom(0); },
      state: current,
      destroy: function () {
        cleanups.forEach(function (f) { f(); });
        cleanups = [];
        container.textContent = "";
      },
    };
  }

  var api = { render: render, parse: parse, packageOf: packageOf, formatter: formatter, percent: percent, shortName: shortName, EMPTY: EMPTY };
  root.PyroFlame = api;
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
