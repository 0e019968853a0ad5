#!/usr/bin/env bash
# Generates gen/ from proto/ (default), lints the protos (`lint`), or checks that gen/ is fresh (`check`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
case ${1:-generate} in
  generate) buf lint && buf generate ;;
  lint) buf lint ;;
  check)
    buf lint
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    cp -r gen "$tmp/before"
    buf generate
    if ! diff -r "$tmp/before" gen >/dev/null; then
      echo "gen/ is stale: run 'npm run generate' and commit the result" >&2
      diff -r "$tmp/before" gen | head -20 >&2
      exit 1
    fi ;;
  *) echo "usage: scripts/gen.sh [generate|lint|check]" >&2; exit 2 ;;
esac
