// pyrobuild docs: theme toggle, navigation, copy buttons, content tabs,
// table-of-contents highlighting and search. No dependencies; every
// feature degrades to plain HTML without script.
(function () {
  "use strict";
  var root = document.documentElement;
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };

  // Theme: automatic (follows the system), light, dark.
  var themes = ["auto", "light", "dark"];
  var themeNames = { auto: "automatic", light: "light", dark: "dark" };
  function setTheme(t) {
    root.dataset.theme = t;
    var b = document.querySelector(".theme-toggle");
    if (b) {
      var label = "Colour theme: " + themeNames[t];
      b.setAttribute("aria-label", label);
      b.title = label;
    }
    if (t === "auto") { store.set("pyrobuild-theme", ""); } else { store.set("pyrobuild-theme", t); }
    document.dispatchEvent(new CustomEvent("pyrobuild:theme", { detail: t }));
  }
  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    setTheme(root.dataset.theme || "auto");
    toggle.addEventListener("click", function () {
      var i = themes.indexOf(root.dataset.theme || "auto");
      setTheme(themes[(i + 1) % themes.length]);
    });
  }

  // Navigation drawer on small screens.
  var navToggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (navToggle && nav) {
    navToggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      navToggle.setAttribute("aria-expanded", String(open));
      navToggle.setAttribute("aria-label", open ? "Hide navigation" : "Show navigation");
    });
    // Show the current page's entry by scrolling the navigation itself:
    // scrollIntoView() would also move the browser's starting point for
    // Tab there, so the first Tab would skip the skip link, the search,
    // the theme toggle and the Source link.
    var current = nav.querySelector('[aria-current="page"]');
    if (current) {
      var box = nav.getBoundingClientRect(), at = current.getBoundingClientRect();
      if (at.top < box.top) { nav.scrollTop += at.top - box.top; }
      else if (at.bottom > box.bottom) { nav.scrollTop += at.bottom - box.bottom; }
    }
  }

  // Copy buttons on code blocks.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest(".highlight .copy");
    if (!btn) { return; }
    var code = btn.parentNode.querySelector("pre code, pre");
    var text = code ? code.innerText.replace(/\n$/, "") : "";
    var done = function () {
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  });
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(ta);
  }

  // Content tabs: click or arrow keys; choosing a label (say "CUE") selects
  // it in every tab group of the page and is remembered across pages.
  function selectTab(tab, focus) {
    var list = tab.closest('[role="tablist"]');
    var group = list.parentNode;
    list.querySelectorAll('[role="tab"]').forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel && panel.parentNode === group) { panel.hidden = !on; }
    });
    if (focus) { tab.focus(); }
  }
  function selectLabel(label) {
    document.querySelectorAll(".tabs [role='tab']").forEach(function (t) {
      if (t.textContent.trim() === label) { selectTab(t, false); }
    });
  }
  document.querySelectorAll(".tabs [role='tab']").forEach(function (tab) {
    tab.addEventListener("click", function () {
      var label = tab.textContent.trim();
      selectTab(tab, false);
      selectLabel(label);
      store.set("pyrobuild-tab", label);
    });
    tab.addEventListener("keydown", function (e) {
      var tabs = Array.prototype.slice.call(tab.parentNode.querySelectorAll('[role="tab"]'));
      var i = tabs.indexOf(tab), j = -1;
      if (e.key === "ArrowRight") { j = (i + 1) % tabs.length; }
      if (e.key === "ArrowLeft") { j = (i - 1 + tabs.length) % tabs.length; }
      if (e.key === "Home") { j = 0; }
      if (e.key === "End") { j = tabs.length - 1; }
      if (j >= 0) { e.preventDefault(); selectTab(tabs[j], true); }
    });
  });
  var savedTab = store.get("pyrobuild-tab");
  if (savedTab) { selectLabel(savedTab); }

  // Table of contents: mark the section being read. The preview server
  // binds it again after it swaps a rebuilt page in (pyrobuildSite.toc), so
  // that a section added by an edit is marked too.
  var tocObserver = null;
  function bindToc() {
    if (tocObserver) { tocObserver.disconnect(); tocObserver = null; }
    var tocLinks = document.querySelectorAll(".toc a[href^='#']");
    if (!tocLinks.length || !("IntersectionObserver" in window)) { return; }
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.getAttribute("href").slice(1))] = a; });
    var visible = {};
    tocObserver = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) { visible[en.target.id] = en.isIntersecting; });
      var first = null;
      tocLinks.forEach(function (a) {
        var id = decodeURIComponent(a.getAttribute("href").slice(1));
        if (!first && visible[id]) { first = a; }
      });
      if (first) {
        tocLinks.forEach(function (a) { a.classList.toggle("active", a === first); });
      }
    }, { rootMargin: "0px 0px -60% 0px" });
    Object.keys(byId).forEach(function (id) {
      var h = document.getElementById(id);
      if (h) { tocObserver.observe(h); }
    });
  }
  bindToc();
  window.pyrobuildSite = { toc: bindToc };

  // Search: the index (one entry per section) loads on first use.
  var input = document.getElementById("search-input");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var index = null, loading = null, active = -1;
  function load() {
    if (!loading) {
      loading = fetch(input.dataset.index).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (data) {
        index = data.map(function (d) {
          return { d: d, t: (d.t || "").toLowerCase(), h: (d.h || "").toLowerCase(), x: (d.x || "").toLowerCase() };
        });
      }).catch(function (err) {
        index = [];
        status.textContent = "Search is unavailable: " + err.message;
      });
    }
    return loading;
  }
  function esc(s) {
    return s.replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }
  function mark(text, words) {
    var out = esc(text);
    words.forEach(function (w) {
      if (!w) { return; }
      var re = new RegExp("(" + esc(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "ig");
      out = out.replace(re, "<mark>$1</mark>");
    });
    return out;
  }
  function snippet(text, word) {
    var i = text.toLowerCase().indexOf(word);
    if (i < 0) { return text.slice(0, 140); }
    var start = Math.max(0, i - 50);
    return (start > 0 ? "…" : "") + text.slice(start, start + 160) + (start + 160 < text.length ? "…" : "");
  }
  function search(q) {
    var words = q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { return []; }
    var hits = [];
    index.forEach(function (e) {
      var score = 0;
      for (var i = 0; i < words.length; i++) {
        var w = words[i], s = 0;
        if (e.h.indexOf(w) >= 0) { s += e.h === w ? 12 : 6; }
        if (e.t.indexOf(w) >= 0) { s += 3; }
        // Sections that keep returning to the word are about it.
        for (var at = e.x.indexOf(w), n = 0; at >= 0 && n < 5; at = e.x.indexOf(w, at + w.length), n++) { s += 1; }
        if (!s) { return; }
        score += s;
      }
      hits.push({ e: e, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 12).map(function (h) { return { d: h.e.d, words: words }; });
  }
  function setActive(i) {
    var items = results.querySelectorAll("li[role='option']");
    if (!items.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
    active = (i + items.length) % items.length;
    items.forEach(function (li, j) { li.setAttribute("aria-selected", String(j === active)); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }
  function show(list, q) {
    results.innerHTML = "";
    active = -1;
    if (!q) { close(); return; }
    if (!list.length) {
      results.innerHTML = '<li class="r-empty" role="presentation">No results for “' + esc(q) + '”</li>';
    }
    list.forEach(function (r, i) {
      var d = r.d, words = r.words;
      var li = document.createElement("li");
      li.id = "search-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var heading = d.h && d.h !== d.t ? d.h : d.t;
      li.innerHTML = '<a href="' + esc(d.u) + '"><span class="r-title">' + mark(heading, words) + "</span>" +
        (d.h && d.h !== d.t ? '<span class="r-page">' + esc(d.t) + "</span>" : "") +
        '<span class="r-text">' + mark(snippet(d.x || "", words[0]), words) + "</span></a>";
      results.appendChild(li);
    });
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = list.length + (list.length === 1 ? " result" : " results");
  }
  function close() {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  if (input && results) {
    input.addEventListener("focus", load);
    input.addEventListener("input", function () {
      var q = input.value.trim();
      load().then(function () { if (input.value.trim() === q) { show(search(q), q); } });
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Enter") {
        var items = results.querySelectorAll("li[role='option'] a");
        var target = items[active >= 0 ? active : 0];
        if (target) { e.preventDefault(); window.location.href = target.href; }
      } else if (e.key === "Escape") { close(); input.blur(); }
    });
    document.addEventListener("keydown", function (e) {
      var tag = (e.target.tagName || "").toLowerCase();
      if (e.key === "/" && tag !== "input" && tag !== "textarea" && !e.target.isContentEditable) {
        e.preventDefault();
        input.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (!e.target.closest || !e.target.closest(".search")) { close(); }
    });
  }
})();
