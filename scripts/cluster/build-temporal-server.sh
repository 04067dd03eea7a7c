#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from the Go module go.temporal.io/server at VERSION into OUT:
#   OUT/bin/temporal-server, OUT/bin/temporal-sql-tool, OUT/manifest.json
# Usage: build-temporal-server.sh VERSION OUT
# Once per machine (about 10 minutes on 2 cores, the Go build cache makes a rebuild quicker); scripts/cluster/ keys
# OUT by the version and this file's hash, so a changed recipe builds beside the old one.
set -euo pipefail
version=$1
out=$2

# The server's go.mod asks for a newer Go than the machine's 1.26; the Go module proxy serves this toolchain like a
# module. A machine ignores go.mod's toolchain line unless told, so every build says it.
export GOTOOLCHAIN=go1.27.3
# A static binary: no libc to match between the machine that builds and the one that runs.
export CGO_ENABLED=0

mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
if [ -f "$out/manifest.json" ]; then
  echo "already built by another process: $out"
  exit 0
fi

tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "go install go.temporal.io/server/cmd/server@v$version and cmd/tools/sql (GOTOOLCHAIN=$GOTOOLCHAIN)"
GOBIN="$tmp/bin" go install \
  "go.temporal.io/server/cmd/server@v$version" \
  "go.temporal.io/server/cmd/tools/sql@v$version"
mv "$tmp/bin/server" "$tmp/bin/temporal-server"
mv "$tmp/bin/sql" "$tmp/bin/temporal-sql-tool"
"$tmp/bin/temporal-server" --version
go_version=$(go env GOVERSION)
printf '{"version":"%s","go":"%s","builtAt":"%s"}\n' "$version" "$go_version" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp/manifest.json"
chmod 0755 "$tmp" "$tmp/bin"
mv -T "$tmp" "$out"
trap - EXIT
echo "built $out"
