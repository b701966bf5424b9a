#!/usr/bin/env bash
# Runs two pyrobuild binaries over the same inputs and compares everything
# they print and write: exit codes, stdout, stderr (text, JSON and GitHub
# diagnostics) and output trees. A refactoring that should change nothing
# must show no difference here.
#
#   scripts/compare-behaviour.sh OLD_BINARY NEW_BINARY
#   scripts/compare-behaviour.sh --rev REV            # REV against the work tree
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
	(cd "$tmp/src" && go build -o "$tmp/old" ./cmd/pyrobuild)
	git worktree remove --force "$tmp/src"
	go build -o "$tmp/new" ./cmd/pyrobuild
	exec "$0" "$tmp/old" "$tmp/new"
fi
[ $# -eq 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY | --rev REV" >&2; exit 2; }
OLD=$(realpath "$1")
NEW=$(realpath "$2")

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

	local c
	for c in internal/compiler/testdata/broken/* internal/compiler/testdata/go/broken/*; do
		case $c in *.fixed*) continue ;; esac
		for mode in text json github; do
			run "broken/$(basename "$c")-$mode" check "$c" --server-datasource default --diagnostics "$mode"
		done
		run "broken/$(basename "$c")-nodefault" check "$c"
	done
	run broken-all compile internal/compiler/testdata/broken --server-datasource default -o "$out"

	for mode in text json github; do
		run "site-broken-$mode" build --root internal/site/testdata/broken --cache-dir off -o "$out" --diagnostics "$mode"
	done
	run site build "${SITEFLAGS[@]}" --cache-dir off -o "$out"
	keep site "$out"

	run diff-compile compile internal/compiler/testdata/diff/v1 -o "$out"
	run diff diff internal/compiler/testdata/diff/v2 --against "$out"
	run diff-json diff internal/compiler/testdata/diff/v2 --against "$out" --output json
	run diff-exit diff --exit-code internal/compiler/testdata/diff/v2 --against "$out"
	rm -rf "$out"

	local lang
	for lang in yaml cue go; do
		(cd "$W" && run "init-$lang" init "proj" --lang "$lang" --sdk "$ROOT")
		keep "init-$lang" "$W/proj"
	done
}

for side in old new; do
	bin=$OLD
	[ $side = new ] && bin=$NEW
	export PYROBUILD_CACHE="$W/cache"
	rm -rf "$PYROBUILD_CACHE"
	corpus
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
