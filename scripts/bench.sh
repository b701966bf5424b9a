#!/usr/bin/env bash
# bench.sh runs every side-by-side benchmark of pyrobuild against the tool
# users run today, on generated corpora, in one go, and writes
# BENCHMARKS.md: the machine, the versions, the tables and how to rerun.
#
#   make bench                  # everything (about 10 minutes on 2 cores)
#   QUICK=1 make bench          # smaller sizes, for a first look
#
# Tools come from the Go module proxy (cue, hugo) and Debian (time) inside
# the scripts it calls: scripts/bench-compile.sh, scripts/bench-site.sh,
# scripts/bench-serve.sh.
#
# No timed run follows a mass deletion: every run writes to new paths, the
# scripts it calls move their work folders into this one's trash (TRASH),
# and everything is deleted at exit, after the last timed run.
#
# PERCLI, PERSES_SDK and PERSES_PLUGINS (see scripts/bench-compile.sh) add
# the real `percli dac build` to the compile comparison.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=${OUT:-BENCHMARKS.md}
QUICK=${QUICK:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export TRASH="$WORK/trash"
log() { printf '== %s\n' "$*" >&2; }
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

if [[ "$QUICK" == 1 ]]; then
	COMPILE_SIZES="50 200"; SCALE_SIZES="100 500 1000"; PAGES=300; EDITS=15
else
	# 10,000: the size of the compile targets (under 10 s and 300 MB).
	COMPILE_SIZES="50 500 10000"; SCALE_SIZES="100 1000 5000"; PAGES=1000; EDITS=15
fi

log "compile: CUE sources against cue export (pyrobuild's schema) per file${PERCLI:+ and percli dac build} ($COMPILE_SIZES)"
SIZES="$COMPILE_SIZES" RUNS=3 OUT="$WORK/compile.md" bash scripts/bench-compile.sh >/dev/null
log "compile: Go sources against go run per program"
MODE=go SIZES=50 RUNS=3 OUT="$WORK/go.md" bash scripts/bench-compile.sh >/dev/null
log "compile scaling: $SCALE_SIZES CUE dashboards"
PERCLI= SIZES="$SCALE_SIZES" SAMPLE=20 RUNS=1 OUT="$WORK/scale-compile.md" bash scripts/bench-compile.sh >/dev/null

BIN="$WORK/bin"
mkdir -p "$BIN"
go build -o "$BIN/pyrobuild" ./cmd/pyrobuild
go build -o "$BIN/benchgen" ./internal/benchgen/cmd/benchgen

# timed CMD...: "seconds peak_rss_kib" of one run.
timed() {
	/usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
	cat "$WORK/time"
}

log "compile: YAML sources"
{
	echo "| N YAML dashboards | pyrobuild (s) | per dashboard (ms) | peak RSS (MiB) |"
	echo "|---:|---:|---:|---:|"
	for n in $SCALE_SIZES; do
		"$BIN/benchgen" -format yaml -n "$n" -out "$WORK/yaml-$n"
		read -r t m < <(timed "$BIN/pyrobuild" compile "$WORK/yaml-$n" -o "$WORK/yaml-out-$n" -q)
		awk -v n="$n" -v t="$t" -v m="$m" 'BEGIN { printf "| %d | %.2f | %.2f | %.0f |\n", n, t, 1000*t/n, m/1024 }'
	done
} >"$WORK/yaml.md"

log "site: $PAGES pages against Hugo"
PAGES=$PAGES RUNS=3 OUT="$WORK/site.md" bash scripts/bench-site.sh >/dev/null
log "site scaling: $SCALE_SIZES pages"
{
	echo "| pages | pyrobuild build, cold (s) | per page (ms) | peak RSS (MiB) |"
	echo "|---:|---:|---:|---:|"
	for n in $SCALE_SIZES; do
		"$BIN/benchgen" -format pages -n "$n" -out "$WORK/pages-$n"
		read -r t m < <(timed "$BIN/pyrobuild" build --root "$WORK/pages-$n" -o "$WORK/pages-out-$n" --cache-dir off -q)
		awk -v n="$n" -v t="$t" -v m="$m" 'BEGIN { printf "| %d | %.2f | %.2f | %.0f |\n", n, t, 1000*t/n, m/1024 }'
	done
} >"$WORK/scale-site.md"

log "serve: edit → reload latency against hugo server ($PAGES pages)"
PAGES=$PAGES EDITS=$EDITS OUT="$WORK/serve.md" bash scripts/bench-serve.sh >/dev/null

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2/1024/1024 }' /proc/meminfo)
hugo_v=${HUGO_VERSION:-v0.165.0}
{
	echo "# Benchmarks"
	echo
	echo "Measured by \`make bench\` (scripts/bench.sh) on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $mem,"
	echo "$(go version | cut -d' ' -f3-), $(git rev-parse --short HEAD 2>/dev/null || echo 'no git') of pyrobuild; cue v0.16.1 and Hugo $hugo_v from the Go module proxy."
	echo "Each comparison runs both tools on the same generated inputs in the same run; ratios are of throughput"
	echo "(higher is better for pyrobuild) unless marked. Timings on a shared machine move by ±20% between runs."
	echo
	echo "## Compile: CUE dashboards against \`cue export\` (pyrobuild's schema) once per file${PERCLI:+, and \`percli dac build\` on the Perses CUE SDK}"
	echo
	sed '1{/^# /d}' "$WORK/compile.md"
	echo
	echo "## Compile: Go dashboard programs against \`go run\` once per program"
	echo
	sed '1{/^# /d}' "$WORK/go.md"
	echo
	echo "## Compile: YAML dashboards"
	echo
	cat "$WORK/yaml.md"
	echo
	echo "## Docs site: pyrobuild build against Hugo"
	echo
	cat "$WORK/site.md"
	echo
	echo "## Live preview: edit → reload message, pyrobuild serve against hugo server"
	echo
	cat "$WORK/serve.md"
	echo
	echo "## Scaling"
	echo
	echo "Time should grow linearly with the input: the per-item column should stay flat."
	echo
	sed '1{/^# /d}' "$WORK/scale-compile.md"
	echo
	cat "$WORK/scale-site.md"
	echo
	echo "## Rerun"
	echo
	echo '```sh'
	echo 'make bench            # this file'
	echo 'QUICK=1 make bench    # smaller sizes'
	echo 'make bench-compile    # one part: compile (SIZES, RUNS, MODE=go, OUT; see the script)'
	echo '# the real anchor, percli dac build on the same dashboards written with the Perses CUE SDK:'
	echo 'PERCLI=path/to/percli PERSES_SDK=path/to/perses PERSES_PLUGINS=path/to/plugins make bench-compile'
	echo 'make bench-site       # one part: docs site (PAGES, RUNS)'
	echo 'make bench-serve      # one part: live preview (PAGES, EDITS)'
	echo 'make bench-go         # the Go benchmarks (testing.B), for benchstat'
	echo '```'
} >"$OUT"
log "wrote $OUT"
