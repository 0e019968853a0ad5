#!/usr/bin/env bash
# Generates gen/ from proto/ (default), lints the protos (`lint`), or checks that gen/ is fresh (`check`).
# protovalidate's .proto files come from its Go module, at the version pinned below; the Go module
# proxy is the one registry here that serves them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROTOVALIDATE_VERSION=v1.2.2
dep=.buf-deps/protovalidate/buf/validate/validate.proto
if [ ! -f "$dep" ]; then
  dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/bufbuild/protovalidate@$PROTOVALIDATE_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  [ -n "$dir" ] || { echo "could not fetch protovalidate $PROTOVALIDATE_VERSION" >&2; exit 1; }
  mkdir -p "$(dirname "$dep")"
  cp "$dir/proto/protovalidate/buf/validate/validate.proto" "$dep"
fi
export PATH="$PWD/node_modules/.bin:$PATH"
case ${1:-generate} in
  generate) buf lint proto && buf generate proto ;;
  lint) buf lint proto ;;
  check)
    buf lint proto
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    cp -r gen "$tmp/before"
    buf generate proto
    if ! diff -r "$tmp/before" gen >/dev/null; then
      echo "gen/ is stale: run 'npm run generate' and commit the result" >&2
      diff -r "$tmp/before" gen | head -20 >&2
      exit 1
    fi ;;
  *) echo "usage: scripts/gen.sh [generate|lint|check]" >&2; exit 2 ;;
esac
