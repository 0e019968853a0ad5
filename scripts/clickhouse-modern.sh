#!/usr/bin/env bash
# npm run test:clickhouse-modern: the ClickHouse suites against the current ClickHouse engine,
# in process through chdb (npm; 546 MB, so kept out of the project's own dependencies and cached
# here instead), behind test/harness/chdb-http.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CHDB_VERSION=3.4.0
dir=${NELITI_STACK_CACHE:-/var/cache/neliti-stack}/chdb-$CHDB_VERSION
if [ ! -f "$dir/node_modules/chdb/index.mjs" ]; then
  mkdir -p "$dir"
  (cd "$dir" && [ -f package.json ] || printf '{"private":true}\n' > package.json)
  npm install --prefix "$dir" --no-audit --no-fund --no-save "chdb@$CHDB_VERSION" >&2
fi
export CHDB_MODULE=$dir/node_modules/chdb/index.mjs
exec vitest run --config test/clickhouse-modern/vitest.config.ts "$@"
