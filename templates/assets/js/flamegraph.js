/* pyrobuild flame graph: draws the flamebearer JSON that Grafana Pyroscope
   answers on /pyroscope/render, for the dashboard previews. No dependency, no
   network: the site works offline. Frames are DOM elements, so they can be
   focused, read by screen readers and found by tests.

   API: PyroFlame.render(container, data, {palette, showTable, showFlameGraph,
   zoom, search, sandwich, onState}) returns {search(text), reset(),
   sandwich(name), state(), destroy()}. zoom, search and sandwich restore a
   state (zoom is a frame's path: the names from the root's child down to
   it, joined by ";"; sandwich a function's name, shown with its callers
   and callees); onState({zoom, search, sandwich}) is called whenever one
   of them changes. PyroFlame.sandwich(parse(data), name) is the merge
   behind the sandwich view. */
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

  // ---- Sandwich -------------------------------------------------------------

  // sandwich merges every place a function appears in a parsed profile into
  // two trees rooted at the function: its callers (each stack's path up to
  // the function, nearest caller first, drawn upside down) and its callees
  // (the subtrees below it). A recursive function is counted once per
  // stack: only its outermost frames are merged, so both roots weigh the
  // function's total as the table counts it, and the inner calls show up
  // among the callees. self sums every frame of the function. The trees
  // have parse's shape, so they draw as flame graphs. null when the
  // profile has no such function (the root, "total", is not one).
  function sandwich(model, name) {
    var frames = model.frames, kids = childrenOf(model), outer = [], self = 0, total = 0;
    for (var i = 1; i < frames.length; i++) {
      var f = frames[i];
      if (f.name !== name) continue;
      self += f.self;
      if (!nested(frames, f)) { outer.push(f); total += f.total; }
    }
    if (!outer.length) return null;
    var callers = node(name), callees = node(name);
    outer.forEach(function (f) {
      merge(callees, f, kids, frames);
      var n = callers;
      n.total += f.total;
      for (var a = f.parent; a > 0; a = frames[a].parent) {
        n = child(n, frames[a].name);
        n.total += f.total;
      }
      n.self += f.total; // nothing above calls it: the stacks start here
    });
    return { name: name, total: total, self: self, places: outer.length,
      callers: layout(callers, model.metadata), callees: layout(callees, model.metadata) };
  }

  // nested tells whether one of f's callers (the root aside) has its name.
  function nested(frames, f) {
    for (var a = f.parent; a > 0; a = frames[a].parent) if (frames[a].name === f.name) return true;
    return false;
  }

  // childrenOf lists each frame's callees, left to right, once per model.
  function childrenOf(model) {
    if (model.children) return model.children;
    var kids = model.frames.map(function () { return []; });
    for (var i = 1; i < model.frames.length; i++) kids[model.frames[i].parent].push(i);
    model.children = kids;
    return kids;
  }

  function node(name) { return { name: name, total: 0, self: 0, kids: Object.create(null), order: [] }; }

  function child(n, name) {
    var c = n.kids[name];
    if (!c) { c = n.kids[name] = node(name); n.order.push(c); }
    return c;
  }

  // merge adds frame f and everything below it to tree node n.
  function merge(n, f, kids, frames) {
    n.total += f.total;
    n.self += f.self;
    var k = kids[f.index];
    for (var i = 0; i < k.length; i++) merge(child(n, frames[k[i]].name), frames[k[i]], kids, frames);
  }

  // layout turns a merged tree into parse's frames, level by level, left
  // to right, callees in name order as Pyroscope sorts them.
  function layout(root, md) {
    var frames = [], byLevel = [], maxSelf = 0, row = [{ n: root, start: 0, parent: -1 }];
    for (var l = 0; row.length; l++) {
      var cur = [], next = [];
      for (var r = 0; r < row.length; r++) {
        var it = row[r], n = it.n;
        var f = { index: frames.length, level: l, start: it.start, total: n.total, self: n.self, name: n.name, parent: it.parent };
        frames.push(f);
        cur.push(f);
        if (f.self > maxSelf) maxSelf = f.self;
        var x = it.start, kids = n.order.slice().sort(byName);
        for (var k = 0; k < kids.length; k++) {
          next.push({ n: kids[k], start: x, parent: f.index });
          x += kids[k].total;
        }
      }
      byLevel.push(cur);
      row = next;
    }
    return { frames: frames, byLevel: byLevel, numTicks: root.total, maxSelf: maxSelf, metadata: md };
  }

  function byName(a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }

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

  // The context menu's actions, in order.
  var ACTIONS = [["focus", "Focus"], ["copy", "Copy function name"], ["sandwich", "Sandwich view"], ["reset", "Reset view"]];

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
    // query and lower: the search; sandwich: the function shown in the
    // sandwich view, "" for the full graph.
    var state = { query: "", lower: "", sandwich: "" };
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
    var status = el("span", "pf-status");
    status.setAttribute("role", "status");
    var what = model.metadata.name ? model.metadata.name + " · " : "";
    var summary = el("span", "pf-summary", what + "total " + fmt(total));
    bar.append(input, info, reset, status, summary);
    box.appendChild(bar);

    // A pane is one drawn flame graph: the full one (main), or the callers
    // (drawn upside down) and callees of the sandwich view. Each has its
    // own zoom and its own tab stop.
    var main = null, graphs = null, sw = null, tip = null, table = null, tbody = null, wrap = null;
    if (showGraph) {
      graphs = el("div", "pf-graphs");
      main = pane(model, "pf-graph", false,
        "Flame graph. Arrow keys move between frames, Enter zooms, Escape resets, S opens the sandwich view, Shift+F10 the menu.");
      sw = el("section", "pf-sandwich");
      sw.hidden = true;
      graphs.append(main.el, sw);
      tip = el("div", "pf-tooltip");
      tip.setAttribute("role", "tooltip");
      tip.id = "pf-tip-" + Math.random().toString(36).slice(2);
      tip.hidden = true;
      box.append(graphs, tip);
    }
    var callers = null, callees = null; // the sandwich's panes, when shown
    if (showTable) {
      table = buildTable();
      // The table scrolls in its own box: a profile has hundreds of
      // functions, and the page should not grow by all of them.
      wrap = el("div", "pf-table-wrap");
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Functions by self and total");
      wrap.appendChild(table);
      box.appendChild(wrap);
    }
    var menu = buildMenu(), menuTarget = null, menuOpened = 0, menuArmed = false;
    box.appendChild(menu);
    container.appendChild(box);

    function pane(m, cls, inverted, label) {
      var g = el("div", cls);
      g.setAttribute("role", "group");
      g.setAttribute("aria-label", label);
      g.style.height = m.byLevel.length * ROW + "px";
      return { el: g, model: m, frames: m.frames, zoom: 0, focus: 0, inverted: inverted, width: -1, sandwich: m !== model };
    }

    function visible() { return state.sandwich ? [callers, callees] : main ? [main] : []; }

    function paneOf(n) {
      var all = [main, callers, callees];
      for (var i = 0; i < all.length; i++) if (all[i] && all[i].el.contains(n)) return all[i];
      return null;
    }

    // colour sets a frame's or swatch's colour variables.
    function colour(node, f, p) {
      if ((f.level === 0 && !p.sandwich) || f.name === "other") {
        node.classList.add("pf-neutral");
        return;
      }
      if (palette === "value") {
        // Merged frames of the sandwich may hold more than any one frame.
        var heat = model.maxSelf ? Math.min(1, f.self / model.maxSelf) : 0;
        node.style.setProperty("--pf-h", String(Math.round(48 * (1 - heat))));
        node.style.setProperty("--pf-s", Math.round(55 + 40 * heat) + "%");
      } else {
        node.style.setProperty("--pf-h", String(hash(packageOf(f.name)) % 360));
      }
    }

    // values is what a frame's tooltip and label say. In the callers'
    // pane, a caller's width is the time spent in the function through it.
    function values(p, f) {
      if (p.inverted && f.level > 0)
        return [["Via this caller", fmt(f.total) + " (" + percent(f.total, total) + ")"]];
      return [["Total", fmt(f.total) + " (" + percent(f.total, total) + ")"], ["Self", fmt(f.self) + " (" + percent(f.self, total) + ")"]];
    }

    // ---- Flame graph ----

    function isAncestor(fr, a, f) { // a is f or one of its callers
      for (var i = f.index; i >= 0; i = fr[i].parent) if (i === a) return true;
      return false;
    }

    // charWidth measures a label character once (labels are monospace), to
    // know how much of a name fits in a frame.
    var charWidth = 0;
    function measure(g) {
      var probe = el("span", "pf-frame", "0000000000");
      probe.style.cssText = "visibility:hidden;padding:0;width:auto";
      g.appendChild(probe);
      charWidth = probe.getBoundingClientRect().width / 10;
      g.removeChild(probe);
    }

    function draw(p) {
      if (!p) return;
      var g = p.el, fr = p.frames, width = g.clientWidth, depth = p.model.byLevel.length;
      g.textContent = "";
      p.width = width;
      if (!width) return; // hidden: the resize observer draws when shown
      if (!charWidth) measure(g);
      var z = fr[p.zoom], scale = width / z.total, end = z.start + z.total;
      var frag = document.createDocumentFragment(), focusable = null;
      for (var i = 0; i < fr.length; i++) {
        var f = fr[i], x, w, ancestor = false;
        if (f.level < z.level) {
          if (!isAncestor(fr, i, z)) continue;
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
        node.setAttribute("tabindex", i === p.focus ? "0" : "-1");
        node.setAttribute("aria-label", f.name + ": " + values(p, f).map(function (v) { return v[0].toLowerCase() + " " + v[1]; }).join(", "));
        node.style.left = x + "px";
        node.style.width = Math.max(w - (ancestor ? 0 : 1), MIN_FRAME) + "px";
        node.style.top = (p.inverted ? depth - 1 - f.level : f.level) * ROW + "px";
        if (ancestor) node.classList.add("pf-ancestor");
        if (state.lower) node.classList.add(f.name.toLowerCase().indexOf(state.lower) >= 0 ? "pf-hit" : "pf-dim");
        colour(node, f, p);
        if (w >= MIN_LABEL) {
          // The frame's padding (8 px) and its 1 px gap are not for text.
          var label = charWidth ? shortName(f.name, Math.floor((w - 9) / charWidth)) : f.name;
          if (label) node.appendChild(el("span", "pf-label", label));
        }
        if (i === p.focus) focusable = node;
        frag.appendChild(node);
      }
      g.appendChild(frag);
      if (!focusable) { // the focused frame is not drawn: the zoomed one takes the tab stop
        p.focus = p.zoom;
        focusable = frameNode(p, p.zoom);
        if (focusable) focusable.setAttribute("tabindex", "0");
      }
      reset.disabled = !visible().some(function (v) { return v.zoom !== 0; });
    }

    function drawAll() { visible().forEach(draw); }

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

    function current() { return { zoom: main ? pathOf(main.zoom) : "", search: state.query, sandwich: state.sandwich }; }

    function notify() {
      if (typeof opts.onState === "function") opts.onState(current());
    }

    // zoom draws pane p from frame i down. The focus follows to the frame
    // when asked, or when it was on the pane's frames (drawing replaces
    // them, so whether one had it is noted first).
    function zoom(p, i, focusIt) {
      if (!p) return;
      if (focusIt === undefined) focusIt = p.el.contains(document.activeElement);
      p.zoom = p.frames[i].level === 0 ? 0 : i;
      p.focus = i;
      hideTip();
      draw(p);
      var n = frameNode(p, i);
      if (n && focusIt) n.focus();
      notify();
    }

    function resetZoom() { visible().forEach(function (p) { zoom(p, 0); }); }

    function frameNode(p, i) { return p && p.el.querySelector('[data-index="' + i + '"]'); }

    // widest is the full graph's widest frame of a function, -1 if none.
    function widest(name) {
      var best = -1;
      for (var i = 1; i < frames.length; i++)
        if (frames[i].name === name && (best < 0 || frames[i].total > frames[best].total)) best = i;
      return best;
    }

    // ---- Sandwich view ----

    // openSandwich shows the callers and callees of one function in place
    // of the full graph (whose zoom is kept for the way back).
    function openSandwich(name, focusIt) {
      if (!main || widest(name) < 0) return false;
      var s = sandwich(model, name);
      closeMenu(false);
      hideTip();
      if (ro && callers) { ro.unobserve(callers.el); ro.unobserve(callees.el); }
      sw.textContent = "";
      sw.setAttribute("aria-label", "Sandwich view of " + name);
      var head = el("div", "pf-sw-head"), back = el("button", "pf-sw-back", "Back to the full graph");
      back.type = "button";
      head.append(el("span", "pf-sw-kind", "Sandwich"), el("strong", "pf-sw-name", name),
        el("span", "pf-sw-values", "total " + fmt(s.total) + " (" + percent(s.total, total) + ") · self " +
          fmt(s.self) + " (" + percent(s.self, total) + ") · called from " + s.places + (s.places === 1 ? " place" : " places")), back);
      callers = pane(s.callers, "pf-graph pf-callers", true, "Callers of " + name + ", merged over every place it is called from; the function is the bottom row.");
      callees = pane(s.callees, "pf-graph pf-callees", false, "Callees of " + name + ", merged; the function is the top row.");
      sw.append(head, el("div", "pf-sw-label", "Callers ↑"), callers.el, el("div", "pf-sw-label", "Callees ↓"), callees.el);
      state.sandwich = name;
      main.el.hidden = true;
      sw.hidden = false;
      draw(main); // empties it while hidden
      draw(callers);
      draw(callees);
      if (ro) { ro.observe(callers.el); ro.observe(callees.el); }
      if (focusIt) { var n = frameNode(callees, 0); if (n) n.focus(); }
      markRow();
      notify();
      return true;
    }

    function closeSandwich(focusIt) {
      if (!state.sandwich) return;
      hideTip();
      if (ro) { ro.unobserve(callers.el); ro.unobserve(callees.el); }
      callers = callees = null;
      state.sandwich = "";
      sw.textContent = "";
      sw.hidden = true;
      main.el.hidden = false;
      draw(main);
      if (focusIt) { var n = frameNode(main, main.focus); if (n) n.focus(); }
      markRow();
      notify();
    }

    // ---- Tooltip ----

    function showTip(p, f, x, y) {
      tip.textContent = "";
      tip.appendChild(el("strong", "pf-tip-name", f.name));
      var dl = el("dl", "pf-tip-values");
      values(p, f).forEach(function (v) { dl.append(el("dt", null, v[0]), el("dd", null, v[1])); });
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
      return n && graphs.contains(n) ? n : null;
    }

    var ro = null;
    if (graphs) {
      on(graphs, "mousemove", function (e) {
        var n = frameOf(e.target);
        if (!n) return hideTip();
        var r = box.getBoundingClientRect(), p = paneOf(n);
        showTip(p, p.frames[+n.dataset.index], e.clientX - r.left, e.clientY - r.top);
      });
      on(graphs, "mouseleave", hideTip);
      on(graphs, "click", function (e) {
        if (e.target.closest(".pf-sw-back")) return closeSandwich(true);
        var n = frameOf(e.target);
        if (n) zoom(paneOf(n), +n.dataset.index);
      });
      on(graphs, "contextmenu", function (e) {
        var n = frameOf(e.target);
        if (!n) return;
        e.preventDefault();
        if (!menu.hidden && Date.now() - menuOpened < 500) return; // the key that opened it
        var p = paneOf(n);
        openMenu({ name: n.dataset.name, pane: p, index: +n.dataset.index, invoker: n }, e.clientX, e.clientY, n);
      });
      on(graphs, "focusin", function (e) {
        var n = frameOf(e.target);
        if (!n) return;
        var p = paneOf(n);
        p.focus = +n.dataset.index;
        var r = box.getBoundingClientRect(), fr = n.getBoundingClientRect();
        showTip(p, p.frames[p.focus], Math.max(0, fr.left - r.left), fr.top - r.top);
      });
      on(graphs, "focusout", hideTip);
      on(graphs, "keydown", function (e) {
        var n = frameOf(e.target);
        if (!n) return;
        var p = paneOf(n), i = +n.dataset.index, f = p.frames[i], next = -1;
        if (isMenuKey(e)) {
          e.preventDefault();
          openMenu({ name: f.name, pane: p, index: i, invoker: n }, 0, 0, n);
          return;
        }
        switch (e.key) {
          case "Enter": case " ": zoom(p, i); e.preventDefault(); return;
          case "ArrowUp": next = p.inverted ? widestChild(p, i) : f.parent; break;
          case "ArrowDown": next = p.inverted ? f.parent : widestChild(p, i); break;
          case "ArrowLeft": next = sibling(p, n, -1); break;
          case "ArrowRight": next = sibling(p, n, 1); break;
          case "Home": next = 0; break;
          case "s": case "S":
            if (e.ctrlKey || e.metaKey || e.altKey) return;
            if (openSandwich(f.name, true)) e.preventDefault();
            return;
          default: return;
        }
        e.preventDefault();
        var m = next >= 0 ? frameNode(p, next) : null;
        if (m) {
          n.setAttribute("tabindex", "-1");
          m.setAttribute("tabindex", "0");
          m.focus();
        }
      });
      // Frames are laid out in pixels, so they are drawn again when the
      // width changes (the panel is resized, or shown after being hidden).
      if (typeof ResizeObserver === "function") {
        var pending = 0;
        ro = new ResizeObserver(function () {
          if (pending) return;
          pending = requestAnimationFrame(function () {
            pending = 0;
            visible().forEach(function (p) { if (p.el.clientWidth !== p.width) draw(p); });
          });
        });
        ro.observe(main.el);
        cleanups.push(function () { ro.disconnect(); if (pending) cancelAnimationFrame(pending); });
      }
    }

    function widestChild(p, i) {
      var best = -1, fr = p.frames, lvl = p.model.byLevel[fr[i].level + 1] || [];
      for (var k = 0; k < lvl.length; k++)
        if (lvl[k].parent === i && frameNode(p, lvl[k].index) && (best < 0 || lvl[k].total > fr[best].total)) best = lvl[k].index;
      return best;
    }

    function sibling(p, n, dir) { // the next drawn frame on the same level
      var f = p.frames[+n.dataset.index], lvl = p.model.byLevel[f.level], pos = lvl.indexOf(f);
      for (var k = pos + dir; k >= 0 && k < lvl.length; k += dir) if (frameNode(p, lvl[k].index)) return lvl[k].index;
      return -1;
    }

    // ---- Context menu ----

    // isMenuKey: the keys that open a context menu from the keyboard.
    function isMenuKey(e) { return e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey); }

    function buildMenu() {
      var m = el("div", "pf-menu");
      m.setAttribute("role", "menu");
      m.hidden = true;
      ACTIONS.forEach(function (a) {
        var b = el("button", "pf-menu-item", a[1]);
        b.type = "button";
        b.tabIndex = -1;
        b.setAttribute("role", "menuitem");
        b.dataset.action = a[0];
        m.appendChild(b);
      });
      return m;
    }

    function items() { return Array.prototype.filter.call(menu.children, function (b) { return !b.disabled; }); }

    // openMenu shows the menu for a frame or a table row at the pointer
    // (x, y in the window), or below the element anchor when opened from
    // the keyboard, kept inside the window.
    function openMenu(target, x, y, anchor) {
      hideTip();
      menuTarget = target;
      menu.setAttribute("aria-label", "Actions for " + target.name);
      var fn = !!main && widest(target.name) > 0;
      menu.querySelector('[data-action="focus"]').disabled = !main || (!target.pane && !fn);
      menu.querySelector('[data-action="sandwich"]').disabled = !fn;
      menu.querySelector('[data-action="reset"]').disabled = !main;
      if (!x && !y && anchor) {
        var r = anchor.getBoundingClientRect();
        x = r.left + Math.min(r.width / 2, 24);
        y = r.bottom;
      }
      menu.style.left = menu.style.top = "0px";
      menu.hidden = false;
      var vw = document.documentElement.clientWidth || window.innerWidth, vh = window.innerHeight;
      var mw = menu.offsetWidth, mh = menu.offsetHeight;
      menu.style.left = Math.max(4, Math.min(x, vw - mw - 4)) + "px";
      menu.style.top = Math.max(4, y + mh + 4 > vh ? y - mh : y) + "px";
      menuOpened = Date.now();
      // A scroll that happened before it opened (focusing a table row's
      // button scrolls the table) is reported a frame later: scrolling
      // closes the menu only from the next frame on.
      menuArmed = false;
      requestAnimationFrame(function () { menuArmed = true; });
      var first = items()[0];
      if (first) first.focus({ preventScroll: true });
    }

    // closeMenu hides the menu; restore gives the focus back to what
    // opened it.
    function closeMenu(restore) {
      if (menu.hidden) return;
      menu.hidden = true;
      var inv = menuTarget && menuTarget.invoker;
      menuTarget = null;
      if (restore && inv && inv.isConnected) inv.focus({ preventScroll: true });
    }

    function act(action) {
      var t = menuTarget;
      if (!t) return;
      closeMenu(true);
      switch (action) {
        case "copy":
          copyText(t.name).then(function (ok) { say(ok ? "Copied \u201c" + t.name + "\u201d" : "Could not copy the name"); });
          break;
        case "focus":
          if (t.pane && t.pane.el.isConnected) { zoom(t.pane, t.index, true); break; }
          closeSandwich(false);
          zoom(main, widest(t.name), true);
          break;
        case "sandwich":
          openSandwich(t.name, true);
          break;
        case "reset":
          closeSandwich(false);
          zoom(main, 0, !!t.pane); // from a row, the focus stays on the row
          break;
      }
    }

    var sayTimer = 0;
    function say(text) {
      status.textContent = text;
      clearTimeout(sayTimer);
      sayTimer = setTimeout(function () { status.textContent = ""; }, 4000);
    }
    cleanups.push(function () { clearTimeout(sayTimer); });

    on(menu, "click", function (e) {
      var b = e.target.closest(".pf-menu-item");
      if (b && !b.disabled) act(b.dataset.action);
    });
    on(menu, "contextmenu", function (e) { e.preventDefault(); });
    on(menu, "keydown", function (e) {
      var list = items(), i = list.indexOf(document.activeElement), next = -1;
      switch (e.key) {
        case "Escape": case "Tab": closeMenu(true); break;
        case "ArrowDown": next = (i + 1) % list.length; break;
        case "ArrowUp": next = (i - 1 + list.length) % list.length; break;
        case "Home": next = 0; break;
        case "End": next = list.length - 1; break;
        default:
          if (!isMenuKey(e)) return; // Enter and Space click the item
      }
      e.preventDefault();
      e.stopPropagation(); // Escape closes the menu only
      if (next >= 0 && list[next]) list[next].focus({ preventScroll: true });
    });
    // It closes as a menu does: on a press elsewhere, on scrolling (of the
    // page or of any box, in the capture phase) and on resizing.
    on(document, "pointerdown", function (e) { if (!menu.hidden && !menu.contains(e.target)) closeMenu(false); }, true);
    on(window, "scroll", function () { if (menuArmed) closeMenu(false); }, { capture: true, passive: true });
    on(window, "resize", function () { if (menuArmed) closeMenu(false); });

    // ---- Search ----

    function search(text) {
      var q = String(text == null ? "" : text).trim();
      state.query = q;
      state.lower = q.toLowerCase();
      if (input.value.trim() !== q) input.value = q;
      var res = { matches: 0, percent: "0%" };
      if (!q) {
        info.textContent = "";
      } else {
        var hit = new Array(frames.length), sum = 0;
        for (var i = 0; i < frames.length; i++) {
          if (frames[i].name.toLowerCase().indexOf(state.lower) < 0) continue;
          hit[i] = true;
          res.matches++;
          var nestedHit = false; // a match under a match is counted once
          for (var a = frames[i].parent; a >= 0; a = frames[a].parent) if (hit[a]) { nestedHit = true; break; }
          if (!nestedHit) sum += frames[i].total;
        }
        res.percent = percent(sum, total);
        info.textContent = res.matches
          ? res.matches + (res.matches === 1 ? " frame" : " frames") + " · " + res.percent + " of total"
          : "No match";
      }
      drawAll();
      filterTable();
      notify();
      return res;
    }

    on(input, "input", function () { search(input.value); });
    on(reset, "click", resetZoom);
    on(box, "keydown", function (e) {
      if (e.key !== "Escape") return;
      if (e.target === input && input.value) search("");
      else if (visible().some(function (p) { return p.zoom !== 0; })) resetZoom();
      else if (state.sandwich) closeSandwich(graphs.contains(document.activeElement));
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
        if (!nested(frames, f)) r.total += f.total;
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
        if (!tr) return;
        if (e.target.closest(".pf-row-sw")) openSandwich(tr.dataset.name, true);
        else search(tr.dataset.name);
      });
      on(tbody, "contextmenu", function (e) {
        var tr = e.target.closest("tr");
        if (!tr) return;
        e.preventDefault();
        if (!menu.hidden && Date.now() - menuOpened < 500) return;
        var inv = tr.querySelector(".pf-row-sw") || wrap;
        openMenu({ name: tr.dataset.name, pane: null, index: -1, invoker: inv }, e.clientX, e.clientY, inv);
      });
      on(tbody, "keydown", function (e) {
        var b = e.target.closest(".pf-row-sw");
        if (!b || !isMenuKey(e)) return;
        e.preventDefault();
        openMenu({ name: b.closest("tr").dataset.name, pane: null, index: -1, invoker: b }, 0, 0, b);
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
        colour(sw, r.frame, { sandwich: false });
        fn.append(sw, el("span", null, r.name));
        if (showGraph) {
          // The row's action: the sandwich view of its function.
          var b = el("button", "pf-row-sw", "⇅");
          b.type = "button";
          b.title = "Sandwich view: callers and callees (right-click the row for more)";
          b.setAttribute("aria-label", "Sandwich view of " + r.name);
          fn.appendChild(b);
        }
        tr.append(fn, cell(r.self), cell(r.total));
        frag.appendChild(tr);
      });
      tbody.appendChild(frag);
      filterTable();
      markRow();
    }

    function cell(v) {
      var td = el("td", "pf-num", fmt(v));
      td.appendChild(el("span", "pf-pct", " " + percent(v, total)));
      return td;
    }

    function filterTable() {
      if (!tbody) return;
      var q = state.lower;
      for (var tr = tbody.firstChild; tr; tr = tr.nextSibling)
        tr.hidden = !!q && tr.dataset.name.toLowerCase().indexOf(q) < 0;
    }

    // markRow marks the table row of the sandwich's function.
    function markRow() {
      if (!tbody) return;
      for (var tr = tbody.firstChild; tr; tr = tr.nextSibling) {
        if (state.sandwich && tr.dataset.name === state.sandwich) tr.setAttribute("aria-current", "true");
        else tr.removeAttribute("aria-current");
      }
    }

    fillTable();
    if (opts.zoom && main) {
      var zi = findPath(opts.zoom);
      if (zi > 0) main.zoom = main.focus = zi;
    }
    if (opts.sandwich && main) openSandwich(String(opts.sandwich), false);
    if (opts.search) search(opts.search); // draws
    else drawAll();
    // A zoomed frame or a sandwiched function the new answer lacks is gone.
    if ((opts.zoom && main && main.zoom === 0) || (opts.sandwich && main && !state.sandwich)) notify();

    return {
      search: search,
      reset: resetZoom,
      sandwich: function (name) { return name ? openSandwich(String(name), false) : (closeSandwich(false), true); },
      state: current,
      destroy: function () {
        cleanups.forEach(function (f) { f(); });
        cleanups = [];
        container.textContent = "";
      },
    };
  }

  // copyText puts text on the clipboard: the asynchronous clipboard where
  // the page may use it, else a selected, hidden text area and the copy
  // command. It resolves to whether either worked.
  function copyText(text) {
    function fallback() {
      var ta = el("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0";
      var had = document.activeElement;
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      if (had && had.focus) had.focus({ preventScroll: true });
      return ok;
    }
    if (typeof navigator !== "undefined" && navigator.clipboard && navigator.clipboard.writeText)
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    return Promise.resolve(fallback());
  }

  var api = { render: render, parse: parse, sandwich: sandwich, packageOf: packageOf, formatter: formatter, percent: percent, shortName: shortName, EMPTY: EMPTY };
  root.PyroFlame = api;
  if (typeof module === "object" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
