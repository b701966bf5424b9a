// pyrobuild serve: live reload and the error overlay. Injected by the
// preview server only; built sites never carry it.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = me ? me.dataset.build : "";
  var root = document.documentElement;
  var state = window.__pyrobuildLive = { build: build, messages: 0, last: null };
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
        if (u.pathname === path) {
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
      if (m.build && m.build !== build && state.messages === 1 && build) {
        // Reconnected after missing a rebuild: this page may be stale.
        reload();
      }
      return;
    }
    if (m.type !== "reload" || m.build === build) { return; }
    var mine = m.all || (m.pages || []).some(samePage);
    if (mine) {
      reload();
      return;
    }
    if (m.css && m.css.length) { swapCSS(m.css); }
    build = m.build;
    state.build = build;
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
