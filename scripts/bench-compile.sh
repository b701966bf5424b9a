#!/usr/bin/env bash
# bench-compile.sh measures pyrobuild against the method of `percli dac
# build`: an external `cue export FILE --out yaml`, once per file, one file
# after the other. Both compile the same generated CUE sources
# (internal/benchgen): N dashboards in team-TT/svc-NNNNN/dashboard.cue, one
# package per folder, two FlameChart panels with Pyroscope queries in
# authoring form; and per team of 50 a team-TT/project.cue holding the
# Project and its default Pyroscope Datasource.
#
# Environment:
#   SIZES    dashboard counts to measure (default "50 500 10000")
#   QUICK=1  leave out the 10000 scale run from the default sizes
#   SAMPLE   when N is larger, the baseline times only SAMPLE files, evenly
#            spread, and extrapolates linearly to all N + N/50 files, marked
#            "(est.)" (default 50); 0 times every file
#   RUNS     pyrobuild runs per size, the median is reported (default 3)
#   OUT      also write the Markdown table to this file (default: stdout only)
#   CUE_VERSION  cue CLI installed from the Go module proxy (default v0.16.1)
#   MODE=go  measure Go sources instead: N dashboards programs (one main
#            package per folder, using pyrobuild's Go SDK from this
#            checkout), pyrobuild with an empty and a full build cache
#            against `go run main.go` per program, one after the other (what
#            `percli dac build` does for Go files), with changed programs
#            (Go compiles and links each) and unchanged ones (Go's own cache
#            holds them); SIZES defaults to "50"
#
# Usage: scripts/bench-compile.sh
#        QUICK=1 OUT=BENCHMARKS-compile.md scripts/bench-compile.sh
#        MODE=go scripts/bench-compile.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GO=${GO:-go}
CUE_VERSION=${CUE_VERSION:-v0.16.1}
SAMPLE=${SAMPLE:-50}
RUNS=${RUNS:-3}
MODE=${MODE:-cue}
if [[ -z "${SIZES:-}" ]]; then
	SIZES="50 500"
	[[ "${QUICK:-0}" == 1 ]] || SIZES="$SIZES 10000"
	[[ "$MODE" == go ]] && SIZES=50
fi

log() { printf '%s\n' "$*" >&2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-compile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BIN="$WORK/bin"
mkdir -p "$BIN"

# now prints the wall clock in seconds with microseconds.
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# calc evaluates an awk expression.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fixed() { awk -v x="$1" -v p="${2:-2}" 'BEGIN { printf "%.*f", p, x }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

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

# pyrogo compiles DIR with the build cache CACHE and prints the seconds.
pyrogo() {
	local dir=$1 cache=$2 t0 t1
	t0=$(now)
	PYROBUILD_CACHE=$cache "$BIN/pyrobuild" compile "$dir" -o "$WORK/out" -q
	t1=$(now)
	calc "$t1 - $t0"
}

if [[ "$MODE" == go ]]; then
	log "building pyrobuild…"
	(cd "$ROOT" && "$GO" build -o "$BIN/pyrobuild" ./cmd/pyrobuild)
	rows=()
	verdicts=()
	for n in $SIZES; do
		dir="$WORK/go-$n"
		gen_go "$n" "$dir" "pyrobuild-$(now)"
		log "N=$n: pyrobuild, empty cache…"
		cold=$(pyrogo "$dir" "$WORK/cache-$n")
		warms=()
		for ((r = 0; r < RUNS; r++)); do
			log "N=$n: pyrobuild, full cache ($((r + 1))/$RUNS)…"
			warms+=("$(pyrogo "$dir" "$WORK/cache-$n")")
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
		rm -rf "$dir" "$WORK/cache-$n"
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
		echo "Machine: $(nproc) CPUs, $(uname -sr); $("$GO" version | awk '{ print $3 }'); $(date -u +%Y-%m-%d); load average $(cut -d' ' -f1-3 /proc/loadavg)."
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

# pyro runs pyrobuild RUNS times, each with an empty cache (cold: every
# package evaluated), and prints the median wall seconds, the largest peak
# RSS in KiB and the median CPU seconds (user + system); then RUNS times
# more with the cache the last run filled (warm: an unchanged repository
# compiled again), and prints their median wall seconds and largest peak
# RSS.
pyro() {
	local n=$1 dir=$2 out=$3 times=() cpus=() rss=0 r t0 t1 kb cache
	for ((r = 0; r < RUNS; r++)); do
		cache="$WORK/cache-$n-$r"
		rm -rf "$cache"
		t0=$(now)
		PYROBUILD_CACHE=$cache "$TIME" -v -o "$WORK/time.txt" "$PYRO" compile "$dir" -o "$out" -q
		t1=$(now)
		times+=("$(calc "$t1 - $t0")")
		cpus+=("$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$WORK/time.txt")")
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
		if ((kb > rss)); then rss=$kb; fi
	done
	local count
	count=$(find "$out/projects" -path '*/dashboards/*.yaml' | wc -l)
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
	rm -rf "$WORK"/cache-"$n"-*
	printf '%s %s %s %s %s\n' "$(median "${times[@]}")" "$rss" "$(median "${cpus[@]}")" "$(median "${warms[@]}")" "$wrss"
}


load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
cpunotes=()
notes=()
verdicts=()
for n in $SIZES; do
	dir="$WORK/dashboards-$n"
	log "N=$n: generating…"
	gen "$n" "$dir"
	log "N=$n: baseline (cue export, once per file)…"
	res=$(baseline "$n" "$dir")
	read -r base timed nfiles <<<"$res"
	log "N=$n: pyrobuild (median of $RUNS)…"
	res=$(pyro "$n" "$dir" "$WORK/out-$n")
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
	if ((n == 500)); then
		verdicts+=("N=500: throughput ratio $(fixed "$ratio" 0)× cold, $(fixed "$wratio" 0)× warm (target ≥ 100×): $(awk -v r="$ratio" 'BEGIN { print (r >= 100) ? "met" : "MISSED" }') cold, $(awk -v r="$wratio" 'BEGIN { print (r >= 100) ? "met" : "MISSED" }') warm")
	fi
	if ((n == 10000)); then
		verdicts+=("N=10000 cold: $(fixed "$secs" 2) s (target < 10 s): $(awk -v s="$secs" 'BEGIN { print (s < 10) ? "met" : "MISSED" }'); peak RSS $(fixed "$mib" 0) MiB (target < 300 MB): $(awk -v m="$rss" 'BEGIN { print (m * 1024 < 300e6) ? "met" : "MISSED" }')")
		verdicts+=("N=10000 warm: $(fixed "$wsecs" 2) s (target < 10 s): $(awk -v s="$wsecs" 'BEGIN { print (s < 10) ? "met" : "MISSED" }'); peak RSS $(fixed "$(calc "$wrss / 1024")" 0) MiB (target < 300 MB): $(awk -v m="$wrss" 'BEGIN { print (m * 1024 < 300e6) ? "met" : "MISSED" }')")
	fi
	rm -rf "$dir" "$WORK/out-$n"
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
table=$(
	echo "# pyrobuild compile benchmark"
	echo
	echo "Generated CUE sources: N dashboards (two FlameChart panels, Pyroscope queries in authoring form) plus a Project and its default Datasource per team of 50, one package per folder, so N + N/50 files. Baseline: \`cue export FILE --out yaml\` once per file, sequentially, as \`percli dac build\` does. pyrobuild cold: \`pyrobuild compile DIR -o OUT -q\` with an empty cache, median of $RUNS runs; warm: median of $RUNS more runs on the unchanged repository, with the cache of evaluated packages the last cold run filled; peak RSS from \`/usr/bin/time -v\`."
	echo
	echo "| N dashboards | baseline \`cue export\` (s) | pyrobuild cold (s) | ratio | peak RSS (MiB) | pyrobuild warm (s) | ratio | peak RSS (MiB) |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${rows[@]}"
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
	echo "Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr); $("$GO" version | awk '{ print $3 }'); cue $CUE_VERSION; $(date -u +%Y-%m-%d). Load average before the run: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates both columns)."
)
printf '%s\n' "$table"
if [[ -n "${OUT:-}" ]]; then
	printf '%s\n' "$table" >"$OUT"
	log "wrote $OUT"
fi
