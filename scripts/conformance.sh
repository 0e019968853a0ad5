#!/usr/bin/env bash
# Runs the Connect conformance suite (connectrpc.com/conformance, the suite connect-go and
# connect-node are validated with) in server mode against test/conformance/server.ts: the
# service's own gRPC transport and connect-node, on one port, as startServer serves them.
# Two runs: responses uncompressed (the service's default) and compressed (COMPRESS_MIN_BYTES=0).
# The runner is built once with `go install` from the Go module proxy and cached; the TypeScript
# for its protos is generated from the module's own proto/ into test/conformance/gen (not kept).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
VERSION=v1.0.7
CACHE=${NELITI_STACK_CACHE:-/var/cache/neliti-stack}
BIN=$CACHE/conformance-$VERSION
HERE=test/conformance

if [ ! -x "$BIN/connectconformance" ]; then
  echo "[conformance] building connectconformance $VERSION (go install, once)"
  mkdir -p "$BIN"
  GOBIN=$BIN GOFLAGS=-mod=mod go install "connectrpc.com/conformance/cmd/connectconformance@$VERSION"
fi
protos=$(GOFLAGS=-mod=mod go mod download -json "connectrpc.com/conformance@$VERSION" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))')/proto
rm -rf "$HERE/gen"
buf generate "$protos" --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":"'"$HERE"'/gen","opt":["target=ts","import_extension=js"]}]}'

tsc -p "$HERE/tsconfig.json"

server=(node --import tsx "$HERE/server.ts")
status=0
for compress in off on; do
  echo "[conformance] responses compressed: $compress"
  env_compress=()
  [ "$compress" = on ] && env_compress=(env COMPRESS_MIN_BYTES=0)
  "$BIN/connectconformance" --mode server --conf "$HERE/config.yaml" --known-failing "@$HERE/known-failing.txt" \
    --parallel 4 --max-servers 2 -- "${env_compress[@]}" "${server[@]}" || status=$?
done
exit "$status"
