#!/usr/bin/env bash
# bench-compile.sh measures pyrobuild against `cue export FILE --out yaml`,
# once per file, one file after the other: the way `percli dac build` runs
# `cue`, but on sources that import pyrobuild's schema, which is lighter to
# evaluate than the Perses CUE SDK and plugin schemas. Both compile the same
# generated CUE sources (internal/benchgen): N dashboards in
# team-TT/svc-NNNNN/dashboard.cue, one package per folder, two FlameChart
# panels with Pyroscope queries in authoring form; and per team of 50 a
# team-TT/project.cue holding the Project and its default Pyroscope
# Datasource.
#
# With PERCLI, PERSES_SDK and PERSES_PLUGINS it also times the real anchor:
# `percli dac build` on the same dashboards written with the Perses CUE SDK
# (benchgen -format cue-sdk), side by side, and prints the ratios.
#
# No timed run follows a mass deletion (creating files right after many were
# deleted costs several times more on some file systems): every timed run
# writes to a new output and cache folder, and the work folder is removed
# at exit, after the last timed run. The report names the work folder's
# file system, its mount options and free space, and the load average
# before and after.
#
# Environment:
#   SIZES    dashboard counts to measure (default "50 500 10000")
#   QUICK=1  leave out the 10000 scale run from the default sizes
#   SAMPLE   when N is larger, the baseline times only SAMPLE files, evenly
#            spread, and extrapolates linearly to all N + N/50 files, marked
#            "(est.)" (default 50); 0 times every file
#   RUNS     runs per size of pyrobuild (and of percli dac build), the
#            median is reported (default 3)
#   OUT      also write the Markdown table to this file (default: stdout only)
#   CUE_VERSION  cue CLI installed from the Go module proxy into the work
#            folder, for the baseline and for percli (default v0.16.1)
#   TRASH    move the work folder into this folder at exit instead of
#            deleting it (scripts/bench.sh deletes them all after its last
#            timed run)
#   PERCLI   the real anchor: path to a percli binary; needs PERSES_SDK and
#            PERSES_PLUGINS
#   PERSES_SDK      a perses/perses checkout of the same version; its cue/
#            folder is the Perses CUE SDK (module github.com/perses/perses/cue)
#   PERSES_PLUGINS  a folder of plugin modules, one per plugin, as
#            `percli --plugin.path` reads them: NAME/cue.mod/module.cue (the
#            module path), NAME/schemas, NAME/mf-manifest.json; must hold
#            the Pyroscope and FlameChart plugins
#   PERSES_SHARED   the module github.com/perses/shared/cue the SDK imports
#            (default: found in PERSES_SDK's or a plugin's cue.mod/pkg)
#   PERCLI_VERSION  printed when the binary does not report its version
#   ANCHOR_MAX  largest N percli dac build is timed on (default 500; it
#            costs 50–80 ms per file)
#   MODE=go  measure Go sources instead: N dashboards programs (one main
#            package per folder, using pyrobuild's Go SDK from this
#            checkout), pyrobuild with an empty and a full build cache
#            against `go run main.go` per program, one after the other (what
#            `percli dac build` does for Go files), with changed programs
#            (Go compiles and links each) and unchanged ones (Go's own cache
#            holds them); SIZES defaults to "50"
#
# The SDK dependencies are vendored into each generated module's
# cue.mod/pkg, the layout `cue` resolves without a registry (`percli dac
# setup` fetches them into the CUE module cache instead; the evaluation is
# the same).
#
# Usage: scripts/bench-compile.sh
#        QUICK=1 OUT=BENCHMARKS-compile.md scripts/bench-compile.sh
#        PERCLI=~/bin/percli PERSES_SDK=~/src/perses PERSES_PLUGINS=~/perses-plugins \
#            SIZES="50 200" scripts/bench-compile.sh
#        MODE=go scripts/bench-compile.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
CUE_VERSION=${CUE_VERSION:-v0.16.1}
SAMPLE=${SAMPLE:-50}
RUNS=${RUNS:-3}
MODE=${MODE:-cue}
ANCHOR_MAX=${ANCHOR_MAX:-500}
if [[ -z "${SIZES:-}" ]]; then
	SIZES="50 500"
	[[ "${QUICK:-0}" == 1 ]] || SIZES="$SIZES 10000"
	[[ "$MODE" == go ]] && SIZES=50
fi

log() { printf '%s\n' "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-compile.XXXXXX")
# cleanup removes the work folder, or moves it into TRASH, once every timed
# run is over.
cleanup() {
	if [[ -n "${TRASH:-}" ]]; then
		mkdir -p "$TRASH" && mv "$WORK" "$TRASH/"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
BIN="$WORK/bin"
mkdir -p "$BIN"

# now prints the wall clock in seconds with microseconds.
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# calc evaluates an awk expression.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fixed() { awk -v x="$1" -v p="${2:-2}" 'BEGIN { printf "%.*f", p, x }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# fsstate describes the file system of the work folder: type, mount
# options, free space and free inodes. File creation costs depend on it
# (and on recent deletions, which is why no timed run follows one).
fsstate() {
	local fs
	fs=$(findmnt -n -o FSTYPE,OPTIONS -T "$WORK" 2>/dev/null | awk '{ print $1 " (" $2 ")" }')
	[[ -n $fs ]] || fs=$(stat -f -c %T "$WORK")
	printf '%s; %s free of %s, %s%% of inodes free' "$fs" \
		"$(df -h --output=avail "$WORK" | tail -1 | tr -d ' ')" \
		"$(df -h --output=size "$WORK" | tail -1 | tr -d ' ')" \
		"$(stat -f -c '%d %c' "$WORK" | awk '{ printf "%.0f", 100 * $1 / $2 }')"
}

# gen_go writes N dashboards programs into DIR, a module that takes the Go
# SDK from this checkout; NONCE goes into every program, so a new one makes
# Go's build cache miss.
gen_go() {
	local n=$1 dir=$2 nonce=$3 i name extra
	mkdir -p "$dir"
	printf 'module example.com/bench\n\ngo 1.26.0\n\nrequire github.com/pyrobuild/pyrobuild v0.0.0\n\nreplace github.com/pyrobuild/pyrobuild => %s\n' "$ROOT" >"$dir/go.mod"
	for ((i = 0; i < n; i++)); do
		name=$(printf 'svc-%05d' "$i")
		extra=
		((i == 0)) && extra='
		dac.Project("bench-go"),
		dac.Datasource("bench-go", "pyroscope", dac.Default(), dac.DirectURL("http://pyroscope.example.com:4040")),'
		mkdir -p "$dir/$name"
		cat >"$dir/$name/main.go" <<-EOF
			// Dashboard of $name (build $nonce).
			package main

			import "github.com/pyrobuild/pyrobuild/dac"

			func main() {
				dac.Emit($extra
					dac.Dashboard("bench-go", "$name",
						dac.Row(2, 12,
							dac.FlameChart("cpu", dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(\`{service_name="$name", env="prod"}\`))),
							dac.FlameChart("memory", dac.ProfileQuery(dac.ProfileType("memory"), dac.Query(\`{service_name="$name", env="prod"}\`))),
						),
					),
				)
			}
		EOF
	done
}

# gorun runs `go run main.go` in every program's folder, one after the
# other, and prints the seconds it took.
gorun() {
	local dir=$1 d t0 t1
	t0=$(now)
	for d in "$dir"/svc-*/; do
		(cd "$d" && "$GO" run main.go >/dev/null)
	done
	t1=$(now)
	calc "$t1 - $t0"
}

# pyrogo compiles DIR into OUT with the build cache CACHE and prints the
# seconds.
pyrogo() {
	local dir=$1 cache=$2 out=$3 t0 t1
	t0=$(now)
	PYROBUILD_CACHE=$cache "$BIN/pyrobuild" compile "$dir" -o "$out" -q
	t1=$(now)
	calc "$t1 - $t0"
}

if [[ "$MODE" == go ]]; then
	log "building pyrobuild…"
	(cd "$ROOT" && "$GO" build -o "$BIN/pyrobuild" ./cmd/pyrobuild)
	fs_before=$(fsstate)
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	rows=()
	verdicts=()
	for n in $SIZES; do
		dir="$WORK/go-$n"
		gen_go "$n" "$dir" "pyrobuild-$(now)"
		log "N=$n: pyrobuild, empty cache…"
		cold=$(pyrogo "$dir" "$WORK/cache-$n" "$WORK/out-$n")
		warms=()
		for ((r = 0; r < RUNS; r++)); do
			log "N=$n: pyrobuild, full cache ($((r + 1))/$RUNS)…"
			warms+=("$(pyrogo "$dir" "$WORK/cache-$n" "$WORK/out-$n")")
		done
		warm=$(median "${warms[@]}")
		gen_go "$n" "$dir" "go-run-$(now)"
		log "N=$n: go run per program, changed…"
		rcold=$(gorun "$dir")
		log "N=$n: go run per program, unchanged…"
		rwarm=$(gorun "$dir")
		rc=$(calc "$rcold / $cold")
		rw=$(calc "$rwarm / $warm")
		rows+=("| $n | $(fixed "$rcold") | $(fixed "$cold") | $(fixed "$rc" 1)× | $(fixed "$rwarm") | $(fixed "$warm" 3) | $(fixed "$rw" 0)× |")
		verdicts+=("N=$n: warm $(fixed "$rw" 0)× (target ≥ 10×): $(awk -v r="$rw" 'BEGIN { print (r >= 10) ? "met" : "MISSED" }'); cold $(fixed "$rc" 1)× (target ≥ 1×): $(awk -v r="$rc" 'BEGIN { print (r >= 1) ? "met" : "MISSED" }')")
	done
	table=$(
		echo "# pyrobuild compile benchmark: Go sources"
		echo
		echo "N generated dashboards programs (two FlameChart panels each), one main package per folder, using pyrobuild's Go SDK. Baseline: \`go run main.go\` in each folder, one after the other, as \`percli dac build\` does; \"changed\" programs were just rewritten (Go compiles and links each), \"unchanged\" ones were run before (Go's cache holds the binaries). pyrobuild: \`pyrobuild compile DIR -q\` with an empty build cache (cold: every program built) and a full one (warm: nothing built; median of $RUNS)."
		echo
		echo "| N programs | go run, changed (s) | pyrobuild cold (s) | ratio | go run, unchanged (s) | pyrobuild warm (s) | ratio |"
		echo "|---:|---:|---:|---:|---:|---:|---:|"
		printf '%s\n' "${rows[@]}"
		echo
		printf -- '- %s\n' "${verdicts[@]}"
		echo
		echo "Machine: $(nproc) CPUs, $(uname -sr); $("$GO" version | awk '{ print $3 }'); $(date -u +%Y-%m-%d). Load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg). Work folder's file system before: $fs_before; after: $(fsstate)."
	)
	printf '%s\n' "$table"
	if [[ -n "${OUT:-}" ]]; then
		printf '%s\n' "$table" >"$OUT"
		log "wrote $OUT"
	fi
	exit 0
fi
# GNU time reports the peak RSS; install it when missing.
TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		log "bench-compile: $TIME is missing; install the Debian package 'time'"
		exit 1
	fi
	log "installing GNU time…"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2
fi

log "installing cue $CUE_VERSION…"
GOBIN="$BIN" "$GO" install "cuelang.org/go/cmd/cue@$CUE_VERSION"
CUE="$BIN/cue"
log "building pyrobuild…"
(cd "$ROOT" && "$GO" build -o "$BIN/pyrobuild" ./cmd/pyrobuild && "$GO" build -o "$BIN/benchgen" ./internal/benchgen/cmd/benchgen)
PYRO="$BIN/pyrobuild"

# The real anchor: percli dac build on the dashboards written with the
# Perses CUE SDK. It runs `cue` from PATH, so the one installed above.
ANCHOR=0
if [[ -n "${PERCLI:-}" ]]; then
	[[ -x "$PERCLI" ]] || { log "bench-compile: PERCLI=$PERCLI is not an executable"; exit 2; }
	[[ -d "${PERSES_SDK:-}/cue/dac-utils" ]] || { log "bench-compile: PERSES_SDK must be a perses/perses checkout (with cue/dac-utils), got '${PERSES_SDK:-}'"; exit 2; }
	[[ -d "${PERSES_PLUGINS:-}" ]] || { log "bench-compile: PERSES_PLUGINS must be a folder of plugin modules (NAME/cue.mod/module.cue, NAME/schemas), got '${PERSES_PLUGINS:-}'"; exit 2; }
	if [[ -z "${PERSES_SHARED:-}" ]]; then
		for d in "$PERSES_SDK"/cue/cue.mod/pkg/github.com/perses/shared/cue "$PERSES_PLUGINS"/*/cue.mod/pkg/github.com/perses/shared/cue; do
			if [[ -d $d ]]; then PERSES_SHARED=$d; break; fi
		done
	fi
	[[ -d "${PERSES_SHARED:-}/common" ]] || { log "bench-compile: the Perses SDK needs the module github.com/perses/shared/cue: set PERSES_SHARED to its folder"; exit 2; }
	ANCHOR=1
	# A percli built from source without release flags reports no version.
	v=$("$PERCLI" version 2>/dev/null | awk '/[Vv]ersion/ { gsub(/"/, "", $NF); print $NF; exit }' || true)
	PERCLI_VERSION=${v:-${PERCLI_VERSION:-}}
fi

# gen writes N dashboards into DIR with a cue.mod that lets plain `cue`
# resolve the schema import the way pyrobuild does (cue.mod/pkg).
gen() {
	local n=$1 dir=$2
	"$BIN/benchgen" -n "$n" -format cue -out "$dir"
	local pkg="$dir/cue.mod/pkg/github.com/pyrobuild/pyrobuild/schema"
	mkdir -p "$pkg"
	printf 'module: "bench.example/dashboards"\nlanguage: version: "v0.16.0"\n' >"$dir/cue.mod/module.cue"
	cp "$ROOT"/internal/compiler/schema/*.cue "$pkg/"
}

# gen_sdk writes the same N dashboards with the Perses CUE SDK into DIR, a
# CUE module whose dependencies are vendored in cue.mod/pkg, the layout
# `cue` resolves without a registry: the SDK (github.com/perses/perses/cue),
# the module it imports (github.com/perses/shared/cue) and each plugin's
# schemas under its module path.
gen_sdk() {
	local n=$1 dir=$2 p mod
	"$BIN/benchgen" -n "$n" -format cue-sdk -out "$dir"
	local pkg="$dir/cue.mod/pkg/github.com/perses"
	mkdir -p "$pkg/perses" "$pkg/shared"
	printf 'module: "bench.example/dashboards@v0"\nlanguage: version: "v0.15.1"\n' >"$dir/cue.mod/module.cue"
	# The modules' own cue.mod folders stay behind: in cue.mod/pkg they are
	# plain packages of the generated module.
	tar -C "$PERSES_SDK" --exclude=cue/cue.mod -cf - cue | tar -C "$pkg/perses" -xf -
	mkdir -p "$pkg/shared/cue"
	tar -C "$PERSES_SHARED" --exclude=./cue.mod -cf - . | tar -C "$pkg/shared/cue" -xf -
	for p in "$PERSES_PLUGINS"/*/; do
		[[ -f $p/cue.mod/module.cue && -d $p/schemas ]] || continue
		mod=$(sed -n 's/^module: *"\([^"@]*\).*/\1/p' "$p/cue.mod/module.cue")
		[[ -n $mod ]] || continue
		mkdir -p "$dir/cue.mod/pkg/$mod"
		cp -r "$p/schemas" "$dir/cue.mod/pkg/$mod/"
	done
}

# baseline times `cue export FILE --out yaml` once per file, sequentially,
# over at most SAMPLE files spread evenly over all of them, and prints the
# seconds for all files (extrapolated when sampled), how many files were
# timed and how many there are.
baseline() {
	local n=$1 dir=$2 files=() f i nf timed
	mapfile -t files < <(cd "$dir" && find . -name '*.cue' -not -path './cue.mod/*' | sort)
	nf=${#files[@]}
	if ((nf != n + (n + 49) / 50)); then
		log "bench-compile: generated $nf files for $n dashboards, want $((n + (n + 49) / 50))"
		exit 1
	fi
	local sample=("${files[@]}")
	if ((SAMPLE > 0 && n > SAMPLE)); then
		sample=()
		for ((i = 0; i < SAMPLE; i++)); do
			sample+=("${files[i * nf / SAMPLE]}")
		done
	fi
	# One untimed run warms the page cache, and checks the baseline works.
	local first=./team-00/svc-00000/dashboard.cue
	(cd "$dir" && "$CUE" export "$first" --out yaml) | grep -q '^  kind: Dashboard$' || {
		log "bench-compile: cue export $first did not produce a dashboard"
		exit 1
	}
	local t0 t1
	t0=$(now)
	for f in "${sample[@]}"; do
		(cd "$dir" && "$CUE" export "$f" --out yaml >/dev/null)
	done
	t1=$(now)
	timed=${#sample[@]}
	printf '%s %s %s\n' "$(calc "($t1 - $t0) * $nf / $timed")" "$timed" "$nf"
}

# percli_check fails unless the build folder OUT holds one output per
# source file of DIR, and dashboard 0 and the first datasource came out
# whole: a Dashboard with both Pyroscope queries that `percli lint` accepts
# against the plugin schemas, and a Pyroscope Datasource.
percli_check() {
	local out=$1 nf=$2 count f
	count=$(find "$out" -name '*_output.yaml' | wc -l)
	if ((count != nf)); then
		log "bench-compile: percli dac build wrote $count outputs, want $nf"
		exit 1
	fi
	f="$out/team-00/svc-00000/dashboard_output.yaml"
	if ! grep -q '^kind: Dashboard$' "$f" || ! grep -q '^  name: svc-00000$' "$f" ||
		(($(grep -c 'kind: PyroscopeProfileQuery$' "$f") != 2)); then
		log "bench-compile: $f is not the dashboard svc-00000 with two Pyroscope queries"
		exit 1
	fi
	"$PERCLI" lint -f "$f" --plugin.path "$PERSES_PLUGINS" >/dev/null || {
		log "bench-compile: percli lint rejects $f"
		exit 1
	}
	f="$out/team-00/datasource_output.yaml"
	grep -q '^kind: Datasource$' "$f" && grep -q 'kind: PyroscopeDatasource$' "$f" || {
		log "bench-compile: $f is not a Pyroscope datasource"
		exit 1
	}
}

# anchor times `percli dac build -d .` RUNS times in the SDK module DIR and
# prints the median wall seconds and the median CPU seconds (user + system,
# the `cue` processes included: on a loaded machine they move less). percli writes into DIR/built; each run starts
# without one, because the one before was renamed away (after its timing),
# not deleted: the deletions wait until every timed run is over.
anchor() {
	local n=$1 dir=$2 nf times=() cpus=() r t0 t1
	nf=$((n + (n + 49) / 50))
	for ((r = 0; r < RUNS; r++)); do
		[[ ! -e "$dir/built" ]] || { log "bench-compile: $dir/built exists before a timed run"; exit 1; }
		t0=$(now)
		(cd "$dir" && PATH="$BIN:$PATH" "$TIME" -v -o "$WORK/runs/percli-$n-$r.time" "$PERCLI" dac build -d . >"$WORK/runs/percli-$n-$r.log" 2>&1) || {
			tail -20 "$WORK/runs/percli-$n-$r.log" >&2
			log "bench-compile: percli dac build failed"
			exit 1
		}
		t1=$(now)
		times+=("$(calc "$t1 - $t0")")
		cpus+=("$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$WORK/runs/percli-$n-$r.time")")
		mv "$dir/built" "$WORK/runs/percli-built-$n-$r"
		percli_check "$WORK/runs/percli-built-$n-$r" "$nf"
	done
	printf '%s %s\n' "$(median "${times[@]}")" "$(median "${cpus[@]}")"
}

# pyro runs pyrobuild RUNS times, each with an empty cache and into an
# output folder of its own, both new paths (cold: every package evaluated),
# and prints the median wall seconds, the largest peak RSS in KiB and the
# median CPU seconds (user + system); then RUNS times more with the cache
# and output of the last cold run (warm: an unchanged repository compiled
# again), and prints their median wall seconds and largest peak RSS. TAG
# names the runs' folders apart from other sources of the same N.
pyro() {
	local n=$1 dir=$2 tag=${3:-} times=() cpus=() rss=0 r t0 t1 kb cache out
	for ((r = 0; r < RUNS; r++)); do
		cache="$WORK/runs/cache$tag-$n-$r"
		out="$WORK/runs/out$tag-$n-$r"
		t0=$(now)
		PYROBUILD_CACHE=$cache "$TIME" -v -o "$WORK/time.txt" "$PYRO" compile "$dir" -o "$out" -q
		t1=$(now)
		times+=("$(calc "$t1 - $t0")")
		cpus+=("$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$WORK/time.txt")")
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
		if ((kb > rss)); then rss=$kb; fi
	done
	local count
	count=$(grep -c '^- kind: Dashboard$' "$out/bundle.yaml" || true)
	if ((count != n)); then
		log "bench-compile: pyrobuild wrote $count dashboards, want $n"
		exit 1
	fi
	local warms=() wrss=0
	for ((r = 0; r < RUNS; r++)); do
		t0=$(now)
		PYROBUILD_CACHE=$cache "$TIME" -v -o "$WORK/time.txt" "$PYRO" compile "$dir" -o "$out" -q
		t1=$(now)
		warms+=("$(calc "$t1 - $t0")")
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
		if ((kb > wrss)); then wrss=$kb; fi
	done
	printf '%s %s %s %s %s\n' "$(median "${times[@]}")" "$rss" "$(median "${cpus[@]}")" "$(median "${warms[@]}")" "$wrss"
}

mkdir -p "$WORK/runs"
fs_before=$(fsstate)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
arows=()
anotes=()
cpunotes=()
notes=()
verdicts=()
for n in $SIZES; do
	dir="$WORK/dashboards-$n"
	log "N=$n: generating…"
	gen "$n" "$dir"
	log "N=$n: baseline (cue export of pyrobuild's schema, once per file)…"
	res=$(baseline "$n" "$dir")
	read -r base timed nfiles <<<"$res"
	log "N=$n: pyrobuild (median of $RUNS)…"
	res=$(pyro "$n" "$dir")
	read -r secs rss cpusecs wsecs wrss <<<"$res"
	ratio=$(calc "$base / $secs")
	wratio=$(calc "$base / $wsecs")
	mib=$(calc "$rss / 1024")
	bcell=$(fixed "$base" 2)
	if ((timed < nfiles)); then
		bcell="$bcell (est.)"
		notes+=("N=$n: baseline timed on $timed of the $nfiles files (evenly spread), extrapolated linearly ($(fixed "$(calc "$base * 1000 / $nfiles")" 1) ms per file).")
	fi
	rows+=("| $n | $bcell | $(fixed "$secs" 3) | $(fixed "$ratio" 0)× | $(fixed "$mib" 0) | $(fixed "$wsecs" 3) | $(fixed "$wratio" 0)× | $(fixed "$(calc "$wrss / 1024")" 0) |")
	cpunotes+=("N=$n: pyrobuild used $(fixed "$cpusecs" 2) CPU seconds (user + system, median), $(fixed "$(calc "$secs * 1000 / $n")" 2) ms wall per dashboard.")
	if ((ANCHOR == 1 && n <= ANCHOR_MAX)); then
		sdir="$WORK/sdk-dashboards-$n"
		gen_sdk "$n" "$sdir"
		log "N=$n: percli dac build on the Perses CUE SDK form (median of $RUNS)…"
		res=$(anchor "$n" "$sdir")
		read -r psecs pcpu <<<"$res"
		log "N=$n: pyrobuild on the Perses CUE SDK form (median of $RUNS)…"
		res=$(pyro "$n" "$sdir" -sdk)
		read -r ssecs _ scpu swsecs _ <<<"$res"
		arows+=("| $n | $(fixed "$psecs" 2) | $(fixed "$(calc "$psecs * 1000 / $nfiles")" 1) | $(fixed "$(calc "$base / $psecs")" 2) | $(fixed "$ssecs" 3) | $(fixed "$(calc "$psecs / $ssecs")" 1)× | $(fixed "$swsecs" 3) | $(fixed "$(calc "$psecs / $swsecs")" 0)× | $(fixed "$secs" 3) | $(fixed "$(calc "$psecs / $secs")" 1)× | $(fixed "$pcpu" 2) | $(fixed "$scpu" 2) | $(fixed "$(calc "$pcpu / $scpu")" 1)× |")
	elif ((ANCHOR == 1)); then
		anotes+=("N=$n: percli dac build not timed (N > ANCHOR_MAX=$ANCHOR_MAX).")
	fi
	if ((n == 500)); then
		verdicts+=("N=500: throughput ratio $(fixed "$ratio" 0)× cold, $(fixed "$wratio" 0)× warm (target ≥ 100×): $(awk -v r="$ratio" 'BEGIN { print (r >= 100) ? "met" : "MISSED" }') cold, $(awk -v r="$wratio" 'BEGIN { print (r >= 100) ? "met" : "MISSED" }') warm")
	fi
	if ((n == 10000)); then
		verdicts+=("N=10000 cold: $(fixed "$secs" 2) s (target < 10 s): $(awk -v s="$secs" 'BEGIN { print (s < 10) ? "met" : "MISSED" }'); peak RSS $(fixed "$mib" 0) MiB (target < 300 MB): $(awk -v m="$rss" 'BEGIN { print (m * 1024 < 300e6) ? "met" : "MISSED" }')")
		verdicts+=("N=10000 warm: $(fixed "$wsecs" 2) s (target < 10 s): $(awk -v s="$wsecs" 'BEGIN { print (s < 10) ? "met" : "MISSED" }'); peak RSS $(fixed "$(calc "$wrss / 1024")" 0) MiB (target < 300 MB): $(awk -v m="$wrss" 'BEGIN { print (m * 1024 < 300e6) ? "met" : "MISSED" }')")
	fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
fs_after=$(fsstate)

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
table=$(
	echo "# pyrobuild compile benchmark"
	echo
	echo "Generated CUE sources: N dashboards (two FlameChart panels, Pyroscope queries in authoring form) plus a Project and its default Datasource per team of 50, one package per folder, so N + N/50 files. Baseline: \`cue export FILE --out yaml\` once per file, sequentially, on these sources, which import pyrobuild's schema: the way \`percli dac build\` runs \`cue\`, on a schema lighter than the Perses CUE SDK's (see the real anchor for \`percli dac build\` itself). pyrobuild cold: \`pyrobuild compile DIR -o OUT -q\` with an empty cache and a new output folder, median of $RUNS runs; warm: median of $RUNS more runs on the unchanged repository, with the cache and output folder of the last cold run; peak RSS from \`/usr/bin/time -v\`. Every timed run writes to paths no run used before; nothing is deleted until all timed runs are over."
	echo
	echo "| N dashboards | \`cue export\` (pyrobuild's schema), once per file (s) | pyrobuild cold (s) | ratio | peak RSS (MiB) | pyrobuild warm (s) | ratio | peak RSS (MiB) |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
	if ((${#arows[@]} > 0)); then
		echo
		echo "Real anchor: \`percli dac build -d .\` (percli ${PERCLI_VERSION:-of unknown version}, which runs \`cue eval FILE --out yaml --concrete\` per file) on the same N dashboards and N/50 Pyroscope datasources written with the Perses CUE SDK (dac-utils dashboard and panel groups builders, the FlameChart and Pyroscope plugin schemas; dependencies in cue.mod/pkg), median of $RUNS runs, each into a new build folder (CPU: user + system of percli and its \`cue\` processes, against pyrobuild's cold CPU seconds on the SDK form; less moved by the machine's load than wall time); every run's output checked (one file per source, dashboard 0 accepted by \`percli lint\` with the plugin schemas). pyrobuild compiles the same SDK sources (cold: new cache and output folders; warm: those of the last cold run; median of $RUNS), and the ratios put percli's time over pyrobuild's on the SDK form and, for reference, on the pyrobuild-schema form above. The fourth column is the lighter baseline's share of percli's time."
		echo
		echo "| N dashboards | percli dac build (s) | per file (ms) | \`cue export\` (pyrobuild's schema) / percli | pyrobuild cold, SDK form (s) | ratio | pyrobuild warm, SDK form (s) | ratio | pyrobuild cold, pyrobuild's schema (s) | ratio | percli CPU (s) | pyrobuild cold CPU, SDK form (s) | CPU ratio |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		printf '%s\n' "${arows[@]}"
	fi
	if ((${#anotes[@]} > 0)); then
		echo
		printf '%s\n' "${anotes[@]}"
	fi
	if ((${#notes[@]} > 0)); then
		echo
		for i in "${!notes[@]}"; do
			echo "(est.) ${notes[i]}"
		done
	fi
	echo
	printf -- '- %s\n' "${cpunotes[@]}"
	if ((${#verdicts[@]} > 0)); then
		echo
		printf -- '- %s\n' "${verdicts[@]}"
	fi
	echo
	echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr); $("$GO" version | awk '{ print $3 }'); cue $CUE_VERSION; $(date -u +%Y-%m-%d). Load average before the run: $load_before; after: $load_after (other work on the machine inflates both columns). Work folder's file system before: $fs_before; after: $fs_after."
)
printf '%s\n' "$table"
if [[ -n "${OUT:-}" ]]; then
	printf '%s\n' "$table" >"$OUT"
	log "wrote $OUT"
fi
