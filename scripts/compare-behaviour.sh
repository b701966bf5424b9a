#!/usr/bin/env bash
# Runs two pyrobuild binaries over the same inputs and compares everything
# they print and write: exit codes, stdout, stderr (text, JSON and GitHub
# diagnostics) and output trees. A refactoring that should change nothing
# must show no difference here.
#
#   scripts/compare-behaviour.sh OLD_BINARY NEW_BINARY
#   scripts/compare-behaviour.sh --rev REV            # REV against the work tree
#
# With two binaries, both run in this work tree. With --rev, REV's binary
# runs in a checkout of REV, with REV's sources, Go SDK and corpus: the
# before and after of a change as a user would see them (a change to the
# SDK's protocol needs this, since a binary reads the SDK of its own
# version).
#
# The corpus: the examples (YAML, JSON and CRD output, check in every
# diagnostics format, the JSON Schema), every broken source of the
# compiler's and the Go programs' corpora one by one, the broken docs site,
# this repository's docs site, diff between two versions, and init in every
# language. Both binaries run from the repository root with the same paths
# and a fresh cache each, so paths in messages are the same. Differences
# are printed as unified diffs; the exit code is 1 when there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "${1:-}" = "--rev" ]; then
	[ $# -eq 2 ] || { echo "usage: $0 --rev REV" >&2; exit 2; }
	tmp=$(mktemp -d)
	git worktree add -q --detach "$tmp/src" "$2"
	trap 'git worktree remove --force "$tmp/src"; rm -rf "$tmp"' EXIT
	(cd "$tmp/src" && go build -o "$tmp/old" ./cmd/pyrobuild)
	go build -o "$tmp/new" ./cmd/pyrobuild
	OLD_ROOT="$tmp/src" "$0" "$tmp/old" "$tmp/new"
	exit
fi
[ $# -eq 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY | --rev REV" >&2; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")
OLD_ROOT=${OLD_ROOT:-$ROOT}

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
SITEFLAGS=(--dashboards examples --base-url https://pyrobuild.github.io/pyrobuild/
	--repo-url https://github.com/pyrobuild/pyrobuild
	--edit-url https://github.com/pyrobuild/pyrobuild/edit/main/
	--source-url https://github.com/pyrobuild/pyrobuild/blob/main/)

# run NAME ARGS...: runs the current binary with ARGS and records its exit
# code, stdout and stderr under $W/$side/NAME.
run() {
	local name=$1
	shift
	local dir="$W/$side/$name"
	mkdir -p "$(dirname "$dir")"
	set +e
	NO_COLOR=1 "$bin" "$@" >"$dir.stdout" 2>"$dir.stderr" </dev/null
	echo $? >"$dir.code"
	set -e
}

# keep NAME PATH: moves the output tree PATH under $W/$side/NAME.tree.
keep() {
	if [ -e "$2" ]; then
		mv "$2" "$W/$side/$1.tree"
	fi
}

# corpus_dir NAME: the folder testdata/NAME of the package that holds it.
corpus_dir() {
	local d
	for d in internal/compiler/testdata/"$1" internal/compiler/*/testdata/"$1" internal/bundle/testdata/"$1"; do
		[ -d "$d" ] && { echo "$d"; return; }
	done
	echo "no corpus testdata/$1 found" >&2
	exit 1
}

# normalise: the corpora's folders named alike in every recorded text.
normalise() {
	find "$W/$side" -maxdepth 2 -type f \( -name '*.stdout' -o -name '*.stderr' \) -exec \
		sed -i -e "s#$broken#@broken#g" -e "s#$gobroken#@gobroken#g" -e "s#$diffdata#@diff#g" {} +
}

corpus() {
	local out="$W/out"
	run examples-yaml compile examples -o "$out"
	keep examples-yaml "$out"
	run examples-json compile examples --format json -o "$out"
	keep examples-json "$out"
	run examples-crd compile examples --crd -o "$out"
	keep examples-crd "$out"
	for mode in text json github; do
		run "examples-check-$mode" check examples --diagnostics "$mode"
	done
	run schema schema -o "$W/schema.json"
	keep schema "$W/schema.json"

	# The corpora are found where this side keeps them, and their folders are
	# named alike in what is recorded (see normalise), so that moving a
	# corpus is not a difference.
	broken=$(corpus_dir broken) gobroken=$(corpus_dir go/broken) diffdata=$(corpus_dir diff)
	local c
	for c in "$broken"/* "$gobroken"/*; do
		case $c in *.fixed*) continue ;; esac
		for mode in text json github; do
			run "broken/$(basename "$c")-$mode" check "$c" --server-datasource default --diagnostics "$mode"
		done
		run "broken/$(basename "$c")-nodefault" check "$c"
	done
	run broken-all compile "$broken" --server-datasource default -o "$out"

	for mode in text json github; do
		run "site-broken-$mode" build --root internal/site/testdata/broken --cache-dir off -o "$out" --diagnostics "$mode"
	done
	run site build "${SITEFLAGS[@]}" --cache-dir off -o "$out"
	keep site "$out"

	run diff-compile compile "$diffdata/v1" -o "$out"
	run diff diff "$diffdata/v2" --against "$out"
	run diff-json diff "$diffdata/v2" --against "$out" --output json
	run diff-exit diff --exit-code "$diffdata/v2" --against "$out"
	rm -rf "$out"

	local lang
	for lang in yaml cue go; do
		(cd "$W" && run "init-$lang" init "proj" --lang "$lang" --sdk "$W/sdk")
		keep "init-$lang" "$W/proj"
	done
}

for side in old new; do
	bin=$OLD side_root=$OLD_ROOT
	[ $side = new ] && bin=$NEW side_root=$ROOT
	export PYROBUILD_CACHE="$W/cache"
	rm -rf "$PYROBUILD_CACHE"
	ln -sfn "$side_root" "$W/sdk"
	(cd "$side_root" && corpus && normalise)
done
rm -rf "$W/cache"

# Folders compared as trees; the .code/.stdout/.stderr files compared whole.
if diff -ru "$W/old" "$W/new" >"$W/diff.txt"; then
	echo "no differences: $(find "$W/old" -type f | wc -l) files compared"
	exit 0
fi
# Long lines (minified JSON, the search index) are cut so a difference
# stays readable; the list of differing files comes first.
diff -rq "$W/old" "$W/new" | sed "s#$W/##g" >&2 || true
sed "s#$W/##g" "$W/diff.txt" | cut -c1-400
echo "differences found" >&2
exit 1
