#!/usr/bin/env bash
# bench-ab.sh times two pyrobuild binaries on the same generated inputs,
# alternating their runs so that both see the same machine: the check that
# a change meant to keep speed (a refactoring) did keep it.
#
#   scripts/bench-ab.sh OLD_BINARY NEW_BINARY
#   scripts/bench-ab.sh --rev REV              # REV against the work tree
#   RUNS=7 N=500 PAGES=1000 scripts/bench-ab.sh ...
#
# Cases: N CUE dashboards compiled cold (empty cache, fresh output folder)
# and warm (unchanged sources and cache), and a docs site of PAGES pages
# built cold and warm. Prints a markdown table of median wall seconds and
# peak RSS, and NEW/OLD time ratios (below 1 is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
N=${N:-500}
PAGES=${PAGES:-1000}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/pair.sh
pair "$work" "$@"

go run ./internal/benchgen/cmd/benchgen -format cue -n "$N" -out "$work/cue"
go run ./internal/benchgen/cmd/benchgen -format pages -n "$PAGES" -out "$work/site"

# timed FILE CMD...: appends "seconds peak_rss_kib" of one run of CMD to FILE.
timed() {
	local file=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	cat "$work/time" >>"$file"
}

# Each timed run writes to a path never used before, and old outputs are
# removed only after the run, so no run pays for the file system's work of
# a mass deletion just before it.
run=0
for _ in $(seq "$RUNS"); do
	for side in old new; do
		run=$((run + 1))
		b=${bin[$side]}
		timed "$work/$side.compile-cold" env PYROBUILD_CACHE="$work/cache-$run" "$b" compile "$work/cue" -o "$work/out-$run" -q
		timed "$work/$side.compile-warm" env PYROBUILD_CACHE="$work/cache-$run" "$b" compile "$work/cue" -o "$work/out-$run" -q
		timed "$work/$side.site-cold" "$b" build --root "$work/site" -o "$work/pub-$run" --cache-dir "$work/scache-$run" -q
		timed "$work/$side.site-warm" "$b" build --root "$work/site" -o "$work/pub-$run" --cache-dir "$work/scache-$run" -q
		rm -rf "$work/cache-$run" "$work/out-$run" "$work/pub-$run" "$work/scache-$run"
	done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| case (median of $RUNS, alternating) | old (s) | new (s) | new/old | old RSS (MiB) | new RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|"
for c in compile-cold compile-warm site-cold site-warm; do
	ot=$(cut -d' ' -f1 "$work/old.$c" | median)
	nt=$(cut -d' ' -f1 "$work/new.$c" | median)
	om=$(cut -d' ' -f2 "$work/old.$c" | sort -n | tail -1)
	nm=$(cut -d' ' -f2 "$work/new.$c" | sort -n | tail -1)
	label=$c
	case $c in compile-*) label="$N CUE dashboards, ${c#compile-}" ;; site-*) label="$PAGES-page site, ${c#site-}" ;; esac
	awk -v l="$label" -v ot="$ot" -v nt="$nt" -v om="$om" -v nm="$nm" \
		'BEGIN { printf "| %s | %.3f | %.3f | %.2f | %.0f | %.0f |\n", l, ot, nt, nt/ot, om/1024, nm/1024 }'
done
echo
echo "$(nproc) cores, $(go env GOVERSION), load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs."
