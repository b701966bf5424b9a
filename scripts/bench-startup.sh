#!/usr/bin/env bash
# bench-startup.sh times what every command pays before it does anything:
# `pyrobuild --version`, and a warm compile of N CUE dashboards (unchanged
# sources and cache, where start-up is a large part), for two binaries
# that see the same machine.
#
#   scripts/bench-startup.sh OLD_BINARY NEW_BINARY
#   scripts/bench-startup.sh --rev REV              # REV against the work tree
#   STARTS=300 RUNS=9 BATCH=20 N=50 scripts/bench-startup.sh ...
#
# `--version` is run STARTS times by each binary, interleaved in a random
# order (internal/benchgen/cmd/benchstart): the median of one run's wall
# and CPU (user+system) milliseconds and minor page faults. The warm
# compile is run BATCH times by each binary in each of RUNS rounds,
# alternating: the median over rounds of the mean of one run (the loop's
# shell counts in, the same for both). Prints the NEW/OLD ratios (below 1
# is faster), and the package initialisation of each binary by
# GODEBUG=inittrace=1: its total and the packages that allocate most
# (allocations are exact; times move with the machine's load). CPU time
# and page faults are the better guides on a busy machine: waiting for a
# core is wall time, not CPU time, and the faults do not move with load.
#
# Two programs run beside them for scale, built as the binaries are: a Go
# program that prints a line, and the dependency floor: a program that
# links every package pyrobuild's own code imports (this work tree's,
# standard library included) and prints a line. Package initialisation
# runs whether a command uses a package or not, so the floor is what
# `--version` cannot go below without dropping a library; what NEW adds
# to it is pyrobuild's own start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
STARTS=${STARTS:-100}
RUNS=${RUNS:-7}
BATCH=${BATCH:-20}
N=${N:-50}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/pair.sh
pair "$work" "$@"

go run ./internal/benchgen/cmd/benchgen -format cue -n "$N" -out "$work/cue"
for side in old new; do
	# The warm case: the cache and output of a first compile.
	PYROBUILD_CACHE="$work/cache-$side" "${bin[$side]}" compile "$work/cue" -o "$work/out-$side" -q
done

# batch FILE CMD...: runs CMD BATCH times and appends the mean wall and
# CPU milliseconds and minor page faults of one run to FILE (the loop's
# shell counts in all three, the same for both binaries).
batch() {
	local file=$1
	shift
	/usr/bin/time -f "%e %U %S %R" -o "$work/time" bash -c 'for _ in $(seq "$0"); do "$@" >/dev/null || exit 1; done' "$BATCH" "$@"
	awk -v n="$BATCH" '{ printf "%.3f %.3f %.0f\n", $1*1000/n, ($2+$3)*1000/n, $4/n }' "$work/time" >>"$file"
}

# scale NAME MAIN_GO: builds a program of this module's dependencies as
# the binaries are built, and copies it as pair.sh copies them.
scale() {
	local dir=$work/$1
	mkdir -p "$dir"
	cp go.mod go.sum "$dir/"
	printf '%s\n' "$2" >"$dir/main.go"
	(cd "$dir" && CGO_ENABLED=${CGO_ENABLED:-0} GOFLAGS=-mod=mod go build -o "$work/$1.out" .)
	cp "$work/$1.out" "$work/$1.bin"
	realpath "$work/$1.bin"
}
own=github.com/pyrobuild/pyrobuild
imports=$(go list -deps -f '{{if and .Module (eq .Module.Path "'$own'")}}{{join .Imports "\n"}}{{end}}' ./cmd/pyrobuild | grep -v "^$own" | sort -u | sed 's/.*/\t_ "&"/')
floor=$(scale floor "package main
import (
	\"fmt\"
$imports
)
func main() { fmt.Println(\"pyrobuild (dependencies only)\") }")
hello=$(scale hello 'package main
import "fmt"
func main() { fmt.Println("hello") }')

go build -o "$work/benchstart" ./internal/benchgen/cmd/benchstart
"$work/benchstart" -n "$STARTS" "${bin[old]}" "${bin[new]}" "$floor" "$hello" -- --version >"$work/starts"
awk -v o="${bin[old]}" '$1 == o { print $2, $5, $6 }' "$work/starts" >"$work/old.version"
awk -v n="${bin[new]}" '$1 == n { print $2, $5, $6 }' "$work/starts" >"$work/new.version"

for _ in $(seq "$RUNS"); do
	for side in old new; do
		b=${bin[$side]}
		batch "$work/$side.warm" env PYROBUILD_CACHE="$work/cache-$side" "$b" compile "$work/cue" -o "$work/out-$side" -q
	done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| case | old wall (ms) | new wall (ms) | new/old | old CPU (ms) | new CPU (ms) | new/old | old faults | new faults |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in version warm; do
	ow=$(cut -d' ' -f1 "$work/old.$c" | median)
	nw=$(cut -d' ' -f1 "$work/new.$c" | median)
	oc=$(cut -d' ' -f2 "$work/old.$c" | median)
	nc=$(cut -d' ' -f2 "$work/new.$c" | median)
	of=$(cut -d' ' -f3 "$work/old.$c" | median)
	nf=$(cut -d' ' -f3 "$work/new.$c" | median)
	label="pyrobuild --version (median of $STARTS runs, random order)"
	[ "$c" = warm ] && label="compile of $N CUE dashboards, warm (median of $RUNS rounds of $BATCH runs, alternating)"
	awk -v l="$label" -v ow="$ow" -v nw="$nw" -v oc="$oc" -v nc="$nc" -v of="$of" -v nf="$nf" \
		'BEGIN { printf "| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %d | %d |\n", l, ow, nw, nw/ow, oc, nc, nc/oc, of, nf }'
done
echo
for p in floor hello; do
	b=$floor
	label="the dependency floor: pyrobuild's imports, no code of its own"
	if [ "$p" = hello ]; then
		b=$hello
		label="a Go program that prints a line"
	fi
	awk -v b="$b" -v l="$label" '$1 == b { printf "| %s | | %.1f | | | %.1f | | | %d |\n", l, $2, $5, $6 }' "$work/starts"
done
new_ms=$(cut -d' ' -f1 "$work/new.version" | median)
awk -v b="$floor" -v n="$new_ms" '$1 == b { printf "\nNEW --version: %.1f ms over the dependency floor (%.1f ms).\n", n - $2, $2 }' "$work/starts"
echo
for side in old new; do
	GODEBUG=inittrace=1 "${bin[$side]}" --version 2>&1 >/dev/null |
		awk -v s="$side" '$1 == "init" { ms += $5; by += $8; n += $10 }
			END { printf "%s: package init %.1f ms, %.1f MB, %d allocations; the most allocations:\n", s, ms, by/1e6, n }'
	GODEBUG=inittrace=1 "${bin[$side]}" --version 2>&1 >/dev/null |
		awk '$1 == "init" { printf "  %-60s %6.2f ms %8d B %6d allocations\n", $2, $5, $8, $10 }' | sort -k6 -n -r | head -8
done
echo "$(nproc) cores, $(go env GOVERSION), load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs."
