#!/usr/bin/env bash
# GROUP BY over a streamed silver table (Iceberg data + equality deletes, through LakeSqlEngine) versus the
# same rows in one plain Parquet file, before and after compaction. See bench/README.md.
#   bench/query-speed.sh [--rows N] [--keep] [--dir DIR] ...   (--help lists every option)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/tributary-bench"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl tributary-bench -am package -Dmaven.test.skip=true) >&2
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${BENCH_JAVA_OPTS:--Xmx4g} -cp "$MODULE/target/classes:$(cat "$MODULE/target/classpath.txt")" \
  -Dbench.results="${BENCH_RESULTS:-$ROOT/bench/results}" io.tributary.bench.QuerySpeed "$@"
