// Unit tests of flamegraph.js's pure functions, run by TestFlamegraphJSUnit
// under Node: node flamegraph_unit.js path/to/flamegraph.js
"use strict";
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const PF = require(path.resolve(process.argv[2]));

let n = 0;
function check(name, fn) { fn(); n++; }

check("packageOf", () => {
  const cases = {
    "net/http.(*conn).serve": "net/http",
    "github.com/grafana/pyroscope-go.TagWrapper": "github.com/grafana/pyroscope-go",
    "crypto/internal/fips140/sha256.(*Digest).Sum": "crypto/internal/fips140/sha256",
    "runtime.main": "runtime",
    "main.main.func1": "main",
    "slices.SortFunc[go.shape.[]github.com/x/y.T]": "slices",
    "total": "total",
  };
  for (const [in_, want] of Object.entries(cases)) assert.strictEqual(PF.packageOf(in_), want, in_);
});

check("formatter", () => {
  const cpu = PF.formatter({ units: "samples", sampleRate: 1e9 });
  assert.strictEqual(cpu(33910000000), "33.91 s");
  assert.strictEqual(cpu(450000000), "450 ms");
  assert.strictEqual(cpu(10000000), "10 ms");
  assert.strictEqual(cpu(1500), "1.5 µs");
  assert.strictEqual(cpu(120e9), "2 min");
  const ns = PF.formatter({ units: "nanoseconds", sampleRate: 100 });
  assert.strictEqual(ns(65728062), "65.73 ms");
  const bytes = PF.formatter({ units: "bytes", sampleRate: 100 });
  assert.strictEqual(bytes(512), "512 B");
  assert.strictEqual(bytes(1536), "1.5 KiB");
  assert.strictEqual(bytes(26916224367), "25.07 GiB");
  const objects = PF.formatter({ units: "objects", sampleRate: 100 });
  assert.strictEqual(objects(74), "74");
  assert.strictEqual(objects(1234), "1,234");
  assert.strictEqual(objects(1234567), "1.23 M");
  assert.strictEqual(PF.formatter({ units: "widgets" })(3), "3 widgets");
});

check("human units", () => {
  // What the issue saw as 1.09e+3 MiB, and the other units.
  assert.strictEqual(PF.formatter({ units: "bytes" })(1170378588), "1.09 GiB");
  assert.strictEqual(PF.formatter({ units: "bytes" })(1090 * 1048576), "1.06 GiB");
  assert.strictEqual(PF.formatter({ units: "samples", sampleRate: 100 })(320), "3.2 s");
  assert.strictEqual(PF.formatter({ units: "objects" })(12400), "12.4 k");
  assert.strictEqual(PF.formatter({ units: "count" })(9999), "9,999");
  assert.strictEqual(PF.formatter({ units: "nanoseconds" })(5400e9), "1.5 h");
  assert.strictEqual(PF.formatter({})(2.5e9), "2.5 G");
});

check("shortName", () => {
  const cases = [
    ["runtime.main", 20, "runtime.main"],
    ["runtime.main", 12, "runtime.main"],
    ["github.com/grafana/pyroscope-go.(*Session).takeSnapshot", 40, "…pyroscope-go.(*Session).takeSnapshot"],
    ["github.com/grafana/pyroscope-go.(*Session).takeSnapshot", 20, "…ssion).takeSnapshot"],
    ["net/http.(*conn).serve", 19, "…http.(*conn).serve"],
    ["net/http.(*conn).serve", 17, "…tp.(*conn).serve"],
    ["net/http.(*conn).serve", 14, "…(*conn).serve"],
    ["slices.SortFunc[go.shape.[]github.com/x/y.T]", 20, "…[]github.com/x/y.T]"],
    ["runtime.mallocgc", 3, "…gc"],
    ["runtime.mallocgc", 2, ""],
  ];
  for (const [name, n, want] of cases) {
    const got = PF.shortName(name, n);
    assert.strictEqual(got, want, name + " in " + n);
    assert.ok(got.length <= n, got);
  }
});

check("percent", () => {
  assert.strictEqual(PF.percent(19680000000, 33910000000), "58.04%");
  assert.strictEqual(PF.percent(1, 1), "100%");
  assert.strictEqual(PF.percent(1, 1e6), "<0.01%");
  assert.strictEqual(PF.percent(0, 0), "0%");
});

check("parse fixtures", () => {
  const dir = path.join(__dirname);
  const full = PF.parse(fs.readFileSync(path.join(dir, "render_cpu_full.json"), "utf8"));
  assert.strictEqual(full.frames.length, 916);
  assert.strictEqual(full.byLevel.length, 22);
  assert.strictEqual(full.numTicks, 33910000000);
  const hot = full.frames.find((f) => f.name === "main.hotLoop");
  assert.deepStrictEqual([hot.level, hot.start, hot.total, hot.self], [7, 6030000000, 19680000000, 450000000]);
  assert.strictEqual(full.frames[hot.parent].name, "main.main.func1");
  const none = PF.parse(fs.readFileSync(path.join(dir, "render_cpu_nodata.json"), "utf8"));
  assert.strictEqual(none.numTicks, 0);
});

check("parse rejects", () => {
  const bad = [
    { flamebearer: { names: [], levels: [[0, 0, 0, 0]] } },
    { flamebearer: { names: ["total"], levels: [[0, 1, 0]] } },
    { flamebearer: { names: ["total"], levels: [[0, 1, 2, 0]] } },
    { flamebearer: { names: ["total"], levels: [[0, 1, 0, 3]] } },
    { flamebearer: { names: ["total", "a"], levels: [[0, 10, 0, 0], [5, 6, 6, 1]] } },
    { flamebearer: { names: ["total"], levels: [[0, 1, 0, 0]] }, metadata: { format: "double" } },
    "not json",
    null,
  ];
  for (const b of bad) assert.throws(() => PF.parse(b), Error, JSON.stringify(b));
});

// The sandwich merge, checked against a reference that works on stacks
// rather than frames: every frame's self value is the weight of one stack
// (its path from the root's child). A stack through a function counts
// once: its callers are the path above the function's first (outermost)
// call, its callees the path from there down.
function stacks(m) {
  const out = [];
  for (const f of m.frames) {
    if (f.level === 0 || !f.self) continue;
    const p = [];
    for (let i = f.index; i > 0; i = m.frames[i].parent) p.unshift(m.frames[i].name);
    out.push([p, f.self]);
  }
  return out;
}

function reference(st, name) {
  const r = { total: 0, self: 0, callers: new Map(), callees: new Map() };
  const add = (tree, path, w) => {
    for (let k = 1; k <= path.length; k++) {
      const key = path.slice(0, k).join(";"), v = tree.get(key) || { total: 0, self: 0 };
      v.total += w;
      if (k === path.length) v.self += w;
      tree.set(key, v);
    }
  };
  for (const [p, w] of st) {
    const first = p.indexOf(name);
    if (first < 0) continue;
    r.total += w;
    if (p[p.length - 1] === name) r.self += w;
    add(r.callers, p.slice(0, first + 1).reverse(), w);
    add(r.callees, p.slice(first), w);
  }
  return r;
}

// tree maps each frame of a laid-out sandwich tree by its path, and checks
// the layout: children inside their parent, side by side, in name order.
function tree(m) {
  const out = new Map(), key = [];
  for (const f of m.frames) {
    key[f.index] = f.parent < 0 ? f.name : key[f.parent] + ";" + f.name;
    assert.ok(!out.has(key[f.index]), "a path twice: " + key[f.index]);
    out.set(key[f.index], { total: f.total, self: f.self });
  }
  for (const lvl of m.byLevel.slice(1)) {
    for (let i = 0; i < lvl.length; i++) {
      const f = lvl[i], p = m.frames[f.parent], prev = lvl[i - 1];
      assert.ok(f.start >= p.start && f.start + f.total <= p.start + p.total, "outside its caller: " + f.name);
      if (prev && prev.parent === f.parent) {
        assert.strictEqual(f.start, prev.start + prev.total, "a gap before " + f.name);
        assert.ok(prev.name < f.name, "not in name order: " + f.name);
      } else {
        assert.strictEqual(f.start, p.start, "the first callee does not start with its caller: " + f.name);
      }
    }
  }
  return out;
}

function sameTree(got, want, what) {
  const plain = (mp) => JSON.stringify([...mp.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  assert.strictEqual(plain(got), plain(want), what);
}

check("sandwich against stacks, every function of two recorded profiles", () => {
  const dir = path.join(__dirname);
  for (const file of ["render_cpu_full.json", "render_pyroscope_cpu_v1.21.1.json"]) {
    const m = PF.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const st = stacks(m), names = [...new Set(m.frames.slice(1).map((f) => f.name))];
    const t0 = process.hrtime.bigint();
    for (const name of names) {
      const s = PF.sandwich(m, name), r = reference(st, name), what = file + ": " + name;
      assert.strictEqual(s.total, r.total, what + " total");
      assert.strictEqual(s.self, r.self, what + " self");
      assert.strictEqual(s.callers.numTicks, s.total, what + " callers' root");
      assert.strictEqual(s.callees.numTicks, s.total, what + " callees' root");
      sameTree(tree(s.callers), r.callers, what + " callers");
      sameTree(tree(s.callees), r.callees, what + " callees");
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(file + ": " + names.length + " functions checked (" + m.frames.length + " frames, " + ms.toFixed(1) + " ms with the reference)");
  }
});

check("sandwich of a recursive function", () => {
  // In the server's own profile net/http.HandlerFunc.ServeHTTP calls
  // itself through middlewares: 2 outermost calls, 90 ms in all, and the
  // inner calls are not counted again.
  const m = PF.parse(fs.readFileSync(path.join(__dirname, "render_pyroscope_cpu_v1.21.1.json"), "utf8"));
  const name = "net/http.HandlerFunc.ServeHTTP";
  const all = m.frames.filter((f) => f.name === name);
  assert.ok(all.length > 2, "the fixture no longer has the recursion");
  const s = PF.sandwich(m, name);
  assert.deepStrictEqual([s.total, s.self, s.places], [90000000, 0, 2]);
  assert.ok(all.reduce((a, f) => a + f.total, 0) > s.total, "recursion would be counted twice");
  const callers = s.callers.byLevel[1].map((f) => [f.name, f.total]);
  assert.deepStrictEqual(callers, [["golang.org/x/net/http2.(*serverConn).runHandler", 40000000], ["net/http.serverHandler.ServeHTTP", 50000000]]);
  // Below it, the recursion stays visible: the function again, two levels down.
  assert.deepStrictEqual(s.callees.byLevel[3].map((f) => [f.name, f.total]), [[name, 50000000], [name, 40000000]]);
  // The table's total for it is the same number.
  const cpu = PF.parse(fs.readFileSync(path.join(__dirname, "render_cpu_full.json"), "utf8"));
  const bst = PF.sandwich(cpu, "runtime.binarySearchTree");
  assert.deepStrictEqual([bst.total, bst.self, bst.places, bst.callees.byLevel.length], [10000000, 10000000, 1, 4]);
  assert.strictEqual(bst.callers.byLevel[1][0].name, "runtime.(*stackScanState).buildIndex");
  assert.strictEqual(PF.sandwich(cpu, "total"), null);
  assert.strictEqual(PF.sandwich(cpu, "no.such.function"), null);
});

console.log(n + " checks passed");
