#!/usr/bin/env bash
# Regenerates the package's stubs (src/neliti_dataplane/_proto) from the repository's proto/ with
# grpcio-tools, then points their imports into the package: the generated modules import
# "neliti.dataplane.v1" and "buf.validate" as top-level packages, which would clash with other
# installs (protovalidate ships its own "buf"). `generate.sh check` fails when they are stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
PYTHON=${PYTHON:-python3}
PROTO=../../proto
out=$PWD/src/neliti_dataplane/_proto
target=$out
if [ "${1:-}" = check ]; then scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT; target=$scratch/_proto; fi
rm -rf "$target" && mkdir -p "$target"
files=$(cd "$PROTO" && ls neliti/dataplane/v1/*.proto buf/validate/validate.proto)
(cd "$PROTO" && "$PYTHON" -m grpc_tools.protoc -I . --python_out="$target" --pyi_out="$target" --grpc_python_out="$target" $files)
find "$target" -name '*.py' -o -name '*.pyi' | xargs sed -i -E \
  -e 's/^from (neliti\.dataplane\.v1|buf\.validate) import/from neliti_dataplane._proto.\1 import/' \
  -e 's/^import (neliti\.dataplane\.v1|buf\.validate)\./import neliti_dataplane._proto.\1./'
for d in "$target" "$target/neliti" "$target/neliti/dataplane" "$target/neliti/dataplane/v1" "$target/buf" "$target/buf/validate"; do
  echo '"""Generated from proto/ by clients/python/generate.sh; do not edit."""' > "$d/__init__.py"
done
if [ "${1:-}" = check ]; then
  diff -r "$out" "$target" >/dev/null || { echo "clients/python stubs are stale: run clients/python/generate.sh" >&2; diff -r "$out" "$target" | head -20 >&2; exit 1; }
fi
