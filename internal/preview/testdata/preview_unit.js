// Unit tests of preview.js's pure functions (ranges, axes, the link to
// Pyroscope's UI), run by TestPreviewJSUnit under Node with TZ set:
// TZ=Asia/Kolkata node preview_unit.js path/to/preview.js
"use strict";
const assert = require("assert");
const path = require("path");
const P = require(path.resolve(process.argv[2]));

let n = 0;
function check(name, fn) {
  try { fn(); } catch (e) { e.message = name + ": " + e.message; throw e; }
  n++;
}

// Local times in the test's zone, UTC+05:30 (no daylight saving time):
// rounding to local hours and days is checked where it differs from UTC's.
const local = (s) => new Date(s).getTime();
assert.strictEqual(new Date(0).getTimezoneOffset(), -330, "run with TZ=Asia/Kolkata");

check("rangeQuery", () => {
  assert.deepStrictEqual(P.rangeQuery("15m"), { from: "now-15m", until: "now" });
  assert.deepStrictEqual(P.rangeQuery({ from: 1796597385000, until: 1796601000000 }), { from: "1796597385000", until: "1796601000000" });
});

check("readRange", () => {
  const r = (qs, fb) => P.readRange(new URLSearchParams(qs), fb);
  assert.strictEqual(r("", "1h"), "1h");
  assert.strictEqual(r("range=15m", "1h"), "15m");
  assert.strictEqual(r("range=now-6h", "1h"), "6h");
  assert.deepStrictEqual(r("range=15m&from=1000&until=2000", "1h"), { from: 1000, until: 2000 });
  // A reversed, half or non-numeric absolute range is ignored.
  assert.strictEqual(r("range=15m&from=2000&until=1000", "1h"), "15m");
  assert.strictEqual(r("from=1000", "1h"), "1h");
  assert.strictEqual(r("from=now-1h&until=now", "1h"), "1h");
});

check("checkRange", () => {
  const now = local("2026-12-07T12:00:00.750");
  assert.deepStrictEqual(P.checkRange("2026-12-07T10:00", "2026-12-07T10:30:15", now),
    { range: { from: local("2026-12-07T10:00:00"), until: local("2026-12-07T10:30:15") } });
  // A "to" in the future is clamped to now, in whole seconds.
  assert.deepStrictEqual(P.checkRange("2026-12-07T11:00", "2026-12-08T10:00", now),
    { range: { from: local("2026-12-07T11:00:00"), until: local("2026-12-07T12:00:00") } });
  assert.match(P.checkRange("2026-12-07T10:30", "2026-12-07T10:00", now).error, /before/);
  assert.match(P.checkRange("2026-12-07T10:30", "2026-12-07T10:30", now).error, /before/);
  assert.match(P.checkRange("2026-12-07T12:30", "2026-12-07T13:00", now).error, /future/);
  assert.match(P.checkRange("", "2026-12-07T10:00", now).error, /both/);
  assert.match(P.checkRange("2026-12-07T10:00", "not a time", now).error, /both/);
});

check("rangeText", () => {
  assert.strictEqual(P.rangeText("15m"), "over the last 15m");
  assert.strictEqual(P.rangeText({ from: local("2026-12-07T10:00:00"), until: local("2026-12-07T10:30:00") }), "from 2026-12-07 10:00:00 to 10:30:00");
  assert.strictEqual(P.rangeText({ from: local("2026-12-06T23:00:00"), until: local("2026-12-07T01:00:00") }), "from 2026-12-06 23:00:00 to 2026-12-07 01:00:00");
});

check("pyroscopeLink", () => {
  const q = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api",env=~"prod|staging"}';
  assert.strictEqual(P.pyroscopeLink("http://pyroscope:4040/", q, "1h"),
    "http://pyroscope:4040/?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22api%22%2Cenv%3D%7E%22prod%7Cstaging%22%7D&from=now-1h&until=now");
  // A base path is kept, with one slash; an absolute range in epoch ms.
  const u = new URL(P.pyroscopeLink("https://example.com/pyroscope", q, { from: 1796597385000, until: 1796601000000 }));
  assert.strictEqual(u.origin + u.pathname, "https://example.com/pyroscope/");
  assert.strictEqual(u.searchParams.get("query"), q);
  assert.strictEqual(u.searchParams.get("from"), "1796597385000");
  assert.strictEqual(u.searchParams.get("until"), "1796601000000");
  assert.strictEqual(new URL(P.pyroscopeLink("http://h//", q, "5m")).pathname, "/");
  // No server named, or not a web address: no link.
  for (const base of [null, "", "javascript:alert(1)", "/relative", "http://"]) {
    assert.strictEqual(P.pyroscopeLink(base, q, "1h"), "", String(base));
  }
  assert.strictEqual(P.pyroscopeLink("http://h/", "", "1h"), "");
});

// labels of timeTicks over a range, at width px and 7 px a character.
const labels = (a, b, width) => P.timeTicks(local(a), local(b), width, 7).map((t) => t.label);

check("timeTicks: round local times", () => {
  assert.deepStrictEqual(labels("2026-12-07T10:03:10", "2026-12-07T11:03:10", 600),
    ["10:10", "10:20", "10:30", "10:40", "10:50", "11:00"]);
  // Twice the width, twice the ticks.
  assert.deepStrictEqual(labels("2026-12-07T10:03:10", "2026-12-07T11:03:10", 1200),
    ["10:05", "10:10", "10:15", "10:20", "10:25", "10:30", "10:35", "10:40", "10:45", "10:50", "10:55", "11:00"]);
  // Hours in local time (UTC+05:30), not UTC's.
  const h = P.timeTicks(local("2026-12-07T00:20:00"), local("2026-12-07T12:20:00"), 500, 7);
  assert.ok(h.length >= 3, JSON.stringify(h));
  for (const t of h) { assert.strictEqual(new Date(t.t).getMinutes(), 0, t.label); }
});

check("timeTicks: seconds, days", () => {
  const s = labels("2026-12-07T10:00:00", "2026-12-07T10:01:00", 400);
  assert.ok(s.length >= 3 && s.every((l) => /^\d\d:\d\d:\d\d$/.test(l)), s.join(" "));
  // Over days: each local midnight is labelled with its day.
  const d = labels("2026-12-05T13:00:00", "2026-12-07T13:00:00", 800);
  assert.ok(d.includes("Dec 6") && d.includes("Dec 7"), d.join(" "));
  assert.ok(d.filter((l) => /^\d\d:\d\d$/.test(l)).length > 0, d.join(" "));
  const w = labels("2026-11-01T00:00:00", "2026-12-07T00:00:00", 600);
  assert.ok(w.length >= 3 && w.every((l) => /^[A-Z][a-z]{2} \d{1,2}$/.test(l)), w.join(" "));
});

check("timeTicks: never more labels than fit", () => {
  const spans = [60e3, 5 * 60e3, 15 * 60e3, 36e5, 6 * 36e5, 864e5, 7 * 864e5, 30 * 864e5];
  for (const span of spans) {
    for (const width of [80, 200, 400, 856, 1800]) {
      const start = local("2026-12-07T09:17:23");
      const ticks = P.timeTicks(start, start + span, width, 7);
      const widest = Math.max(0, ...ticks.map((t) => t.label.length)) * 7 + 16;
      // Neighbours are at least a label's width apart.
      for (let i = 1; i < ticks.length; i++) {
        const gap = (ticks[i].t - ticks[i - 1].t) / span * width;
        assert.ok(gap >= widest - 0.5, `span ${span} width ${width}: ${ticks[i - 1].label} and ${ticks[i].label} ${gap.toFixed(1)} px apart`);
      }
      assert.ok(ticks.every((t) => t.t >= start && t.t <= start + span));
    }
  }
  assert.deepStrictEqual(P.timeTicks(10, 10, 500, 7), []);
  assert.deepStrictEqual(P.timeTicks(10, 20, 0, 7), []);
});

check("valueTicks", () => {
  assert.deepStrictEqual(P.valueTicks(250e6, 3), { ticks: [0, 100e6, 200e6, 300e6], top: 300e6 });
  assert.deepStrictEqual(P.valueTicks(7, 4), { ticks: [0, 2, 4, 6, 8], top: 8 });
  assert.deepStrictEqual(P.valueTicks(1, 2), { ticks: [0, 0.5, 1], top: 1 });
  assert.deepStrictEqual(P.valueTicks(0, 3), { ticks: [0, 1], top: 1 });
  for (const max of [0.003, 1, 9.99, 12.4e3, 1.09 * 2 ** 30, 3.3e12]) {
    for (const count of [1, 2, 3, 4]) {
      const v = P.valueTicks(max, count);
      assert.ok(v.top >= max && v.ticks.length - 1 <= count + 1 && v.ticks.length >= 2, `${max}/${count}: ${JSON.stringify(v)}`);
    }
  }
});

console.log(n + " checks passed");
