#!/usr/bin/env bash
# Vendors mermaid (diagrams in the docs site) from the npm registry into
# templates/assets/vendor/mermaid/. The site must work offline and without a
# CDN, so the library ships inside the binary, gzip-compressed; the site
# writes it out only for sites with diagrams and loads it only on pages
# that have one. Re-run with another VERSION and SHA256 to upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${VERSION:-12.3.0}
SHA256=${SHA256:-336df803d87a38b70a01e736e666c8f7601d2ce42f5e47c8fafe5d721074b9a3}
dest=templates/assets/vendor/mermaid
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "mermaid@$VERSION" --silent >/dev/null)
tar -xzf "$tmp/mermaid-$VERSION.tgz" -C "$tmp" package/dist/mermaid.min.js package/LICENSE
echo "$SHA256  $tmp/package/dist/mermaid.min.js" | sha256sum -c --quiet
mkdir -p "$dest"
gzip -9 -n -c "$tmp/package/dist/mermaid.min.js" > "$dest/mermaid.min.js.gz"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "mermaid $VERSION" > "$dest/VERSION"
echo "vendored mermaid $VERSION into $dest"
