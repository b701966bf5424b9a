#!/usr/bin/env bash
# Edit → reload latency of `pyrobuild serve` against `hugo server` on the
# same generated site, in one run: pages are edited in place and by rename
# (as editors save) at random intervals, and the time to each server's
# reload message is measured; peak memory of each server too.
#
#   PAGES=1000 EDITS=15 scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${PAGES:-1000}
EDITS=${EDITS:-15}
HUGO_VERSION=${HUGO_VERSION:-v0.165.0}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/pyrobuild" ./cmd/pyrobuild
go build -o "$bin/benchserve" ./internal/benchgen/cmd/benchserve
hugo=$(command -v hugo || true)
if [ -z "$hugo" ] || [ "$("$hugo" version | grep -o 'v0\.[0-9.]*' | head -1)" != "$HUGO_VERSION" ]; then
  echo "installing hugo $HUGO_VERSION from the Go module proxy (a few minutes the first time)" >&2
  GOBIN="$bin" go install "github.com/gohugoio/hugo@$HUGO_VERSION"
  hugo="$bin/hugo"
fi
"$bin/benchserve" -n "$PAGES" -edits "$EDITS" -pyrobuild "$bin/pyrobuild" -hugo "$hugo" | tee "${OUT:-/dev/null}"
