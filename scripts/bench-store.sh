#!/usr/bin/env bash
# bench-store.sh times two pyrobuild binaries on what the unit store and
# the output folder cost: N generated CUE dashboards compiled cold (new
# cache and output folders) and warm (the same ones again), and a project
# written with the Perses CUE SDK (benchgen -format cue-sdk, its modules
# vendored in cue.mod/pkg as scripts/bench-compile.sh does) cold and warm.
# Runs alternate between the binaries so both see the same machine.
#
#   scripts/bench-store.sh OLD_BINARY NEW_BINARY
#   scripts/bench-store.sh --rev REV                # REV against the work tree
#   SIZES="500 5000" RUNS=3 SDK_N=50 PERSES_SDK=... PERSES_SHARED=... \
#     PERSES_PLUGINS=... scripts/bench-store.sh ...
#
# Prints, per case and binary, the median wall and CPU (user + system)
# seconds, peak RSS, and for cold runs the files the run created in the
# cache and output folders and the bytes of the unit store (du -sb:
# folders count too). Every timed
# run writes to paths never used before; nothing is deleted until the end.
# The SDK case runs only when PERSES_SDK, PERSES_SHARED and PERSES_PLUGINS
# are set.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=${SIZES:-"500 5000"}
SDK_N=${SDK_N:-50}

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-store.XXXXXX")
trap 'rm -rf "$work"' EXIT
. scripts/pair.sh
pair "$work" "$@"
go build -o "$work/benchgen" ./internal/benchgen/cmd/benchgen

# timed NAME CMD...: appends "wall cpu rss_kib" of one run of CMD to NAME.
timed() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time" >>"$work/$name"
}

# files DIR: how many files are under DIR (0 when there is none).
files() { if [[ -d $1 ]]; then find "$1" -type f | wc -l; else echo 0; fi; }

# bytes DIR: the bytes under DIR, folders included (0 when there is none).
bytes() { if [[ -d $1 ]]; then du -sb "$1" | cut -f1; else echo 0; fi; }

# median NAME COLUMN
median() { awk -v c="$2" '{ print $c }' "$work/$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

gen_sdk() {
	local n=$1 dir=$2 p mod
	"$work/benchgen" -n "$n" -format cue-sdk -out "$dir"
	local pkg="$dir/cue.mod/pkg/github.com/perses"
	mkdir -p "$pkg/perses" "$pkg/shared/cue"
	printf 'module: "bench.example/dashboards@v0"\nlanguage: version: "v0.15.1"\n' >"$dir/cue.mod/module.cue"
	tar -C "$PERSES_SDK" --exclude=cue/cue.mod -cf - cue | tar -C "$pkg/perses" -xf -
	tar -C "$PERSES_SHARED" --exclude=./cue.mod -cf - . | tar -C "$pkg/shared/cue" -xf -
	for p in "$PERSES_PLUGINS"/*/; do
		[[ -f $p/cue.mod/module.cue && -d $p/schemas ]] || continue
		mod=$(sed -n 's/^module: *"\([^"@]*\).*/\1/p' "$p/cue.mod/module.cue")
		[[ -n $mod ]] || continue
		mkdir -p "$dir/cue.mod/pkg/$mod"
		cp -r "$p/schemas" "$dir/cue.mod/pkg/$mod/"
	done
}

cases=()
for n in $SIZES; do
	"$work/benchgen" -n "$n" -format cue -out "$work/cue-$n"
	cases+=("cue-$n")
done
if [[ -n "${PERSES_SDK:-}" && -n "${PERSES_SHARED:-}" && -n "${PERSES_PLUGINS:-}" ]]; then
	gen_sdk "$SDK_N" "$work/sdk-$SDK_N"
	cases+=("sdk-$SDK_N")
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run=0
for c in "${cases[@]}"; do
	for _ in $(seq "$RUNS"); do
		for side in old new; do
			run=$((run + 1))
			b=${bin[$side]}
			cache="$work/cache-$run" out="$work/out-$run"
			timed "$side.$c.cold" env PYROBUILD_CACHE="$cache" "$b" compile "$work/$c" -o "$out" -q
			echo "$(files "$cache") $(files "$out") $(bytes "$cache/units")" >>"$work/$side.$c.files"
			timed "$side.$c.warm" env PYROBUILD_CACHE="$cache" "$b" compile "$work/$c" -o "$out" -q
		done
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| case | binary | cold wall (s) | cold CPU (s) | cold peak RSS (MB) | warm wall (s) | warm CPU (s) | files created in cache | files in output | unit store bytes |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
	for side in old new; do
		printf '| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |\n' "$c" "$side" \
			"$(median "$side.$c.cold" 1)" "$(median "$side.$c.cold" 2)" "$(($(median "$side.$c.cold" 3) / 1024))" \
			"$(median "$side.$c.warm" 1)" "$(median "$side.$c.warm" 2)" \
			"$(median "$side.$c.files" 1)" "$(median "$side.$c.files" 2)" "$(median "$side.$c.files" 3)"
	done
done
