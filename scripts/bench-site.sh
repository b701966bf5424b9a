#!/usr/bin/env bash
# Side-by-side benchmark of the docs site build: `pyrobuild build` against
# Hugo on the same generated pages (about 3 KB each, with a table and two
# 20-line code blocks), in one run on one machine. Hugo comes from the Go
# module proxy (v0.165.0: later versions need a newer Go).
#
#   PAGES=1000 RUNS=5 scripts/bench-site.sh
#
# Prints a markdown table: median wall time, pages/s and peak RSS of each
# tool, and the ratios. OUT=FILE also writes it there. TRASH=DIR moves the
# work folder there at exit instead of deleting it.
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${PAGES:-1000}
RUNS=${RUNS:-5}
export HUGO_VERSION=${HUGO_VERSION:-v0.165.0}
work=$(mktemp -d)
# At exit, after the timed runs: TRASH (set by scripts/bench.sh) defers the
# deletion until the last script's timed runs are over too.
trap 'if [ -n "${TRASH:-}" ]; then mkdir -p "$TRASH" && mv "$work" "$TRASH/"; else rm -rf "$work"; fi' EXIT

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
bin="$work/bin"
mkdir -p "$bin"
go build -o "$bin/pyrobuild" ./cmd/pyrobuild
go build -o "$bin/benchgen" ./internal/benchgen/cmd/benchgen
if ! command -v hugo >/dev/null || [ "$(hugo version 2>/dev/null | grep -o 'v0\.[0-9.]*' | head -1)" != "$HUGO_VERSION" ]; then
  echo "installing hugo $HUGO_VERSION from the Go module proxy (a few minutes the first time)" >&2
  GOBIN="$bin" go install "github.com/gohugoio/hugo@$HUGO_VERSION"
fi
export PATH="$bin:$PATH"

"$bin/benchgen" -format pages -n "$PAGES" -out "$work/pyro"
"$bin/benchgen" -format hugo -n "$PAGES" -out "$work/hugo"

# measure NAME CMD...: runs CMD RUNS times; prints "median_seconds max_rss_kb".
measure() {
  local name=$1; shift
  local times=() rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r t m < "$work/time"
    times+=("$t")
    (( m > rss )) && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $rss"
}

read -r hugo_t hugo_m < <(measure hugo hugo --quiet --source "$work/hugo" --destination "$work/hugo-out" --cleanDestinationDir --noBuildLock)
# Cold: no page or highlight cache. Each run gets a cache and an output
# folder of its own, new paths: deleting the last run's files right before
# a timed run would time the file system's recovery from the deletion.
cold_cmd() {
  local i
  i=$(( $(cat "$work/cold-runs" 2>/dev/null || echo 0) + 1 ))
  echo "$i" >"$work/cold-runs"
  pyrobuild build --root "$work/pyro" -o "$work/pyro-out-$i" --cache-dir "$work/cache-$i" -q
}
export -f cold_cmd; export work
read -r cold_t cold_m < <(measure cold bash -c cold_cmd)
# Warm: the caches and output the last cold run left (pages unchanged: each
# is kept from the previous output).
cache="$work/cache-$RUNS" out="$work/pyro-out-$RUNS"
pyrobuild build --root "$work/pyro" -o "$out" --cache-dir "$cache" -q
read -r warm_t warm_m < <(measure warm pyrobuild build --root "$work/pyro" -o "$out" --cache-dir "$cache" -q)

table=$(awk -v n="$PAGES" -v ht="$hugo_t" -v hm="$hugo_m" -v ct="$cold_t" -v cm="$cold_m" -v wt="$warm_t" -v wm="$warm_m" -v runs="$RUNS" 'BEGIN {
  printf "| %d pages, median of %d runs | wall | pages/s | peak RSS | vs Hugo (pages/s) | vs Hugo (RSS) |\n", n, runs
  print "|---|---|---|---|---|---|"
  printf "| Hugo %s | %.2f s | %.0f | %.0f MB | 1.00× | 1.00× |\n", ENVIRON["HUGO_VERSION"], ht, n/ht, hm/1024
  printf "| pyrobuild build, cold | %.2f s | %.0f | %.0f MB | %.2f× | %.2f× |\n", ct, n/ct, cm/1024, ht/ct, cm/hm
  printf "| pyrobuild build, warm (page cache) | %.2f s | %.0f | %.0f MB | %.2f× | %.2f× |\n", wt, n/wt, wm/1024, ht/wt, wm/hm
}')
echo "$table"
if [ -n "${OUT:-}" ]; then echo "$table" > "$OUT"; fi
