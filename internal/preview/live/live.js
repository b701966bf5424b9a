// pyrobuild serve: live updates and the error overlay. Injected by the
// preview server only; built sites never carry it. A rebuilt page is
// swapped in place where it can be (see update), reloaded otherwise.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me ? me.dataset.build : "";
  var root = document.documentElement;
  var state = window.__pyrobuildLive = { build: build, messages: 0, last: null, swaps: 0, lastSwap: null, remounted: [] };
  // The server's built-in error page (no page could be built yet): any
  // newer build replaces it.
  var fallback = root.dataset.pbFallback === "1";
  var scrollKey = "pyrobuild-scroll:" + location.pathname;

  try {
    var y = sessionStorage.getItem(scrollKey);
    if (y !== null) {
      sessionStorage.removeItem(scrollKey);
      window.addEventListener("load", function () { window.scrollTo(0, parseInt(y, 10) || 0); });
    }
  } catch (e) { /* storage disabled */ }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) { /* ignore */ }
    location.reload();
  }

  function samePage(p) {
    var here = location.pathname.replace(/index\.html$/, "");
    return p === here || p + "/" === here || p === here + "/";
  }

  function swapCSS(hrefs) {
    hrefs.forEach(function (href) {
      var path = href.split("?")[0];
      document.querySelectorAll('link[rel="stylesheet"]').forEach(function (l) {
        var u = new URL(l.href, location.href);
        if (u.pathname === path && u.pathname + u.search !== href) {
          // Load the new sheet before removing the old one: no flash.
          var n = l.cloneNode();
          n.href = href;
          n.addEventListener("load", function () { l.remove(); });
          l.after(n);
        }
      });
    });
  }

  var overlay = null;
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function showProblems(problems) {
    hideProblems();
    overlay = document.createElement("div");
    overlay.id = "pyrobuild-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,22,26,.94);color:#e6e8eb;" +
      "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem";
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    var html = '<div style="max-width:60rem;margin:0 auto">' +
      '<button type="button" id="pyrobuild-overlay-close" style="float:right;font:inherit;background:none;color:inherit;border:1px solid #555;border-radius:4px;padding:.2rem .6rem;cursor:pointer">Dismiss</button>' +
      '<h2 style="margin:0 0 1rem;color:#ff8a80;font-size:1.2rem">pyrobuild: ' + errors + (errors === 1 ? " error" : " errors") +
      '</h2><p style="margin:0 0 1.5rem;color:#a9b1bb">' + (fallback
        ? "No page could be built yet. Fix the source and save: the site loads by itself."
        : "The page below is the last one built. Fix the source and save: this clears by itself.") +
      '</p><ol style="padding-left:1.2rem">';
    problems.forEach(function (p) {
      var colour = p.severity === "error" ? "#ff8a80" : "#f2b24c";
      html += '<li class="pyrobuild-problem" style="margin-bottom:1.2rem">' +
        (p.where ? '<strong class="where">' + esc(p.where) + "</strong>: " : "") +
        '<span style="color:' + colour + '">' + esc(p.severity) + "</span>: " +
        '<span class="message">' + esc(p.message) + "</span>" + (p.code ? ' <span style="color:#a9b1bb">[' + esc(p.code) + "]</span>" : "") +
        (p.excerpt ? '<pre style="margin:.4rem 0;padding:.5rem;background:#0d0f12;border-radius:4px;overflow:auto">' + esc(p.excerpt) + "</pre>" : "") +
        (p.hint ? '<div style="color:#5fd08a">hint: ' + esc(p.hint) + "</div>" : "") +
        (p.notes || []).map(function (n) {
          return '<div class="pyrobuild-note" style="margin-top:.4rem">' +
            (n.where ? '<strong class="where">' + esc(n.where) + "</strong>: " : "") +
            '<span style="color:#7fc8ff">note</span>: ' + esc(n.message) +
            (n.excerpt ? '<pre style="margin:.4rem 0;padding:.5rem;background:#0d0f12;border-radius:4px;overflow:auto">' + esc(n.excerpt) + "</pre>" : "") +
            "</div>";
        }).join("") + "</li>";
    });
    overlay.innerHTML = html + "</ol></div>";
    document.body.appendChild(overlay);
    document.getElementById("pyrobuild-overlay-close").addEventListener("click", hideProblems);
  }
  function hideProblems() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  // Swapping a rebuilt page in place: the new page is fetched and only
  // what changed replaces the old, so that what the reader did on the page
  // (a flame graph's zoom and search, a panel's data, the scroll) stays.
  // Parts are compared by their HTML: the common start and end of each
  // list of children stay, the middle is replaced. The regions below are
  // entered instead of compared whole, and a dashboard's panels are
  // matched by their key and the hash of what they draw (data-panel,
  // data-hash). The table of contents is entered too, so that its entries
  // that stay keep what site.js bound to them (the mark of the section
  // being read). Anything else (another template, a changed script, a
  // replaced part holding a script or content tabs, whose handlers are
  // bound at load) reloads the page.
  var REGIONS = [".layout", "#site-nav", "#content", "article.page", ".pb-preview", ".toc", ".toc > ul"];
  var BOUND = "script, .tabs, .site-header, .pb-panel, .layout, #site-nav, #content, article.page, .pb-preview";

  function regionOf(n) {
    if (n.nodeType !== 1) { return ""; }
    for (var i = 0; i < REGIONS.length; i++) {
      if (n.matches(REGIONS[i])) { return REGIONS[i]; }
    }
    return "";
  }

  // html is what a node is compared by; the table of contents without the
  // mark site.js puts on the section being read.
  function html(n) {
    if (n.nodeType === 3) { return "#" + n.data; }
    if (n.nodeType === 8) { return "<!--" + n.data; }
    if (n.nodeType !== 1) { return ""; }
    if (n.closest(".toc")) {
      var c = n.cloneNode(true);
      [c].concat(Array.from(c.querySelectorAll(".active"))).forEach(function (e) { e.classList.remove("active"); if (!e.classList.length) { e.removeAttribute("class"); } });
      return c.outerHTML;
    }
    return n.outerHTML;
  }

  function bound(n) {
    return n.nodeType === 1 && (n.matches(BOUND) || !!n.querySelector(BOUND));
  }

  // assets lists the scripts a page runs and the stylesheets it links
  // (without their versions: swapCSS swaps those).
  function assets(d) {
    var out = [];
    d.querySelectorAll("script").forEach(function (s) {
      var src = s.getAttribute("src");
      if (src !== "/_pyrobuild/live.js") { out.push(src ? "src " + src : "inline " + s.textContent); }
    });
    d.querySelectorAll('link[rel="stylesheet"]').forEach(function (l) {
      out.push("css " + (l.getAttribute("href") || "").split("?")[0]);
    });
    return out.sort().filter(function (v, i, a) { return i === 0 || a[i - 1] !== v; }).join("\n");
  }

  // patchNodes plans, into ops, turning the nodes a (children of parent,
  // followed by ref) into the nodes b of the new page. It returns false
  // when that needs a reload.
  function patchNodes(parent, a, b, ref, ops) {
    for (var x = 0; x < a.length; x++) {
      var region = regionOf(a[x]);
      if (!region) { continue; }
      for (var y = 0; y < b.length; y++) {
        if (regionOf(b[y]) === region) {
          return patchNodes(parent, a.slice(0, x), b.slice(0, y), a[x], ops) &&
            patchRegion(a[x], b[y], region, ops) &&
            patchNodes(parent, a.slice(x + 1), b.slice(y + 1), ref, ops);
        }
      }
      // A region the new page lacks: replaced as any node, if it may be.
    }
    var i = 0, j = 0;
    while (i < a.length && i < b.length && html(a[i]) === html(b[i])) { i++; }
    while (j < a.length - i && j < b.length - i && html(a[a.length - 1 - j]) === html(b[b.length - 1 - j])) { j++; }
    var gone = a.slice(i, a.length - j), added = b.slice(i, b.length - j);
    if (gone.some(bound) || added.some(bound)) { return false; }
    if (!gone.length && !added.length) { return true; }
    var before = j ? a[a.length - j] : ref;
    ops.push(function () {
      gone.forEach(function (n) { n.remove(); });
      added.forEach(function (n) { parent.insertBefore(document.importNode(n, true), before); });
    });
    return true;
  }

  function patchRegion(cur, next, region, ops) {
    if (region === ".pb-preview") { return patchPreview(cur, next, ops); }
    return patchNodes(cur, Array.from(cur.childNodes), Array.from(next.childNodes), null, ops);
  }

  // patchPreview plans the update of a dashboard's preview: a panel whose
  // hash is the same stays, its title and place updated; a changed or new
  // panel is mounted afresh (preview.js loads it with the range chosen and
  // its zoom and search from the address); a panel gone is unmounted.
  function patchPreview(pv, npv, ops) {
    var api = window.pyrobuildPreview;
    var grid = pv.querySelector(".pb-preview-grid"), ngrid = npv.querySelector(".pb-preview-grid");
    // The toolbar is made from the preview's attributes (the dashboard's
    // duration), and preview.js adds controls to it: it is compared
    // through them, and a new one takes a reload.
    if (!api || !grid || !ngrid || !pv.querySelector(".pb-preview-toolbar") || attributes(pv) !== attributes(npv)) {
      return false;
    }
    var old = {};
    Array.from(grid.children).forEach(function (p) { old[p.dataset.panel] = p; });
    var wanted = Array.from(ngrid.children);
    if (wanted.some(function (p) { return !p.matches(".pb-panel") || !p.dataset.panel; })) { return false; }
    ops.push(function () {
      var kept = {};
      wanted.forEach(function (np) {
        var key = np.dataset.panel, p = old[key];
        if (p && p.dataset.hash && p.dataset.hash === np.dataset.hash) {
          kept[key] = p;
          if (p.getAttribute("style") !== np.getAttribute("style")) { p.setAttribute("style", np.getAttribute("style") || ""); }
          retitle(p.querySelector(".pb-panel-title"), np.querySelector(".pb-panel-title"));
          return;
        }
        var el = document.importNode(np, true), scroll = 0;
        if (p) {
          var body = p.querySelector(".pb-panel-body");
          scroll = body ? body.scrollTop : 0;
          api.unmount(p);
          p.replaceWith(el);
        } else {
          grid.appendChild(el);
        }
        kept[key] = el;
        el.__pbMount = scroll;
        state.remounted.push(key);
      });
      Object.keys(old).forEach(function (key) {
        if (!kept[key]) { api.unmount(old[key]); old[key].remove(); }
      });
      // The new order, moving as few panels as possible (a moved panel
      // loses its scroll).
      var at = grid.firstElementChild;
      wanted.forEach(function (np) {
        var p = kept[np.dataset.panel];
        if (p === at) { at = at.nextElementSibling; } else { grid.insertBefore(p, at); }
      });
      wanted.forEach(function (np) {
        var p = kept[np.dataset.panel];
        if (p.__pbMount !== undefined) {
          var scroll = p.__pbMount;
          delete p.__pbMount;
          api.mount(p, scroll);
        }
      });
    });
    return true;
  }

  function attributes(el) {
    return Array.from(el.attributes).map(function (a) { return a.name + "=" + a.value; }).sort().join("\n");
  }

  // retitle gives a kept panel its new title, leaving what preview.js
  // added to the title (the link to Pyroscope) in place.
  function retitle(t, nt) {
    if (!t || !nt) { return; }
    var texts = Array.from(t.childNodes).filter(function (n) { return n.nodeType === 3; });
    if (texts.map(function (n) { return n.data; }).join("") === nt.textContent) { return; }
    texts.forEach(function (n) { n.remove(); });
    t.insertBefore(document.createTextNode(nt.textContent), t.firstChild);
  }

  // swapPage turns this page into doc, the same page rebuilt; false (and
  // nothing changed) when that takes a reload.
  function swapPage(doc) {
    var layout = document.querySelector("body > .layout"), nlayout = doc.querySelector("body > .layout");
    if (!layout || !nlayout || !layout.querySelector("#content > article.page") || !nlayout.querySelector("#content > article.page") ||
      assets(document) !== assets(doc)) {
      return false;
    }
    // The header's controls are bound at load: only its text may not change.
    var head = document.querySelector(".site-header"), nhead = doc.querySelector(".site-header");
    var brand = function (h) { return h ? Array.from(h.querySelectorAll(".brand, .repo-link")).map(html).join("") : ""; };
    if (!head !== !nhead || brand(head) !== brand(nhead)) { return false; }
    var ops = [];
    if (!patchRegion(layout, nlayout, ".layout", ops)) { return false; }
    var foot = document.querySelector("body > .site-footer"), nfoot = doc.querySelector("body > .site-footer");
    if (!foot !== !nfoot) { return false; }
    if (foot && html(foot) !== html(nfoot)) {
      ops.push(function () { foot.replaceWith(document.importNode(nfoot, true)); });
    }
    ops.forEach(function (op) { op(); });
    if (document.title !== doc.title) { document.title = doc.title; }
    // site.js marks the section being read from the headings it found at
    // load: an edit may have added or removed some.
    if (window.pyrobuildSite && window.pyrobuildSite.toc) { window.pyrobuildSite.toc(); }
    return true;
  }

  var swapping = false, queued = null;
  // queue keeps the reload messages that come during a swap, merged: the
  // page goes to the newest build with every change seen.
  function queue(m) {
    if (!queued || queued.type !== "reload") { queued = m; return; }
    if (m.type !== "reload") { return; }
    queued = { type: "reload", build: m.build, sent: m.sent, all: queued.all || m.all,
      pages: (queued.pages || []).concat(m.pages || []), css: newest((queued.css || []).concat(m.css || [])) };
  }
  // newest keeps the last version of each stylesheet.
  function newest(hrefs) {
    var last = {};
    hrefs.forEach(function (h) { last[h.split("?")[0]] = h; });
    return Object.keys(last).map(function (k) { return last[k]; });
  }
  // update brings this page to the newest build: swapped in place when it
  // can be, reloaded otherwise.
  function update(m) {
    if (swapping) { queue(m); return; }
    swapping = true;
    var started = Date.now();
    state.remounted = [];
    fetch(location.pathname + location.search, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var tag = doc.querySelector('script[src="/_pyrobuild/live.js"]');
        if (!tag || doc.documentElement.dataset.pbFallback === "1" || !swapPage(doc)) {
          reload();
          return;
        }
        build = tag.dataset.build || m.build;
        state.build = build;
        state.swaps++;
        var done = Date.now();
        // Latencies in ms: server's message to the page swapped, and the
        // fetch and swap alone.
        state.lastSwap = { build: build, fromMessage: m.sent ? done - m.sent : null, took: done - started, remounted: state.remounted };
        swapping = false;
        if (queued) {
          var q = queued;
          queued = null;
          if (q.type === "reload") { route(q); } else if (q.build !== build) { update(q); }
        }
      })
      .catch(function () { reload(); });
  }

  // route acts on a reload message: swap or reload this page when it is
  // among the pages changed, swap stylesheets, or just note the build.
  function route(m) {
    // Stylesheets first: a swap may have brought this page to a build
    // newer than the message while its stylesheets stayed.
    if (m.css && m.css.length && !m.all) { swapCSS(m.css); }
    if (m.build === build) { return; }
    if (m.all) {
      reload(); // a script or an image changed
      return;
    }
    if ((m.pages || []).some(samePage)) {
      update(m);
      return;
    }
    build = m.build;
    state.build = build;
  }

  function handle(m) {
    state.messages++;
    state.last = m;
    if (m.type === "errors") {
      showProblems(m.problems || []);
      return;
    }
    if (fallback && m.build !== build && (m.type === "ok" || m.type === "reload")) {
      reload();
      return;
    }
    if (m.type === "ok") {
      hideProblems();
      if (m.build && m.build !== build && state.messages === 1 && build && !swapping) {
        // Reconnected after missing a rebuild: this page may be stale.
        update(m);
      }
      return;
    }
    if (m.type === "reload") {
      if (swapping) { queue(m); } else { route(m); }
    }
  }

  function connect() {
    var es = new EventSource("/_pyrobuild/events");
    es.onopen = function () { root.dataset.pbLive = "connected"; };
    es.onerror = function () { root.dataset.pbLive = "reconnecting"; };
    es.onmessage = function (e) {
      try { handle(JSON.parse(e.data)); } catch (err) { /* malformed: ignore */ }
    };
  }
  connect();
})();
