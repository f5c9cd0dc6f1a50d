#!/usr/bin/env bash
# What history.<table> adds per change: the same CDC stream committed with bronze+silver only and with
# history as well, alternating in one JVM. See bench/README.md.
#   bench/history.sh [--keys N] [--batches N] [--batch-changes N] [--rounds N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/tributary-bench"

(cd "$ROOT" && ./mvnw -B -q -pl tributary-bench -am package -Dmaven.test.skip=true) >&2

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$MODULE/target/classes:$(cat "$MODULE/target/classpath.txt")" \
  io.tributary.bench.HistoryCost "$@"
