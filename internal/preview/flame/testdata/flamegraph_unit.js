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

console.log(n + " checks passed");
