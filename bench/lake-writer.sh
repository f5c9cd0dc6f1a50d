#!/usr/bin/env bash
# What IcebergLakeWriter.commit costs with no source at all: large CDC batches (changes/s) and small ones (the fixed
# cost of a commit), raw + bronze + silver + history + checkpoint. See bench/README.md; --help lists the options.
#   BENCH_JAVA_OPTS="-Xmx1g -XX:StartFlightRecording=filename=/tmp/w.jfr,settings=profile" bench/lake-writer.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/tributary-bench"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl tributary-bench -am package -Dmaven.test.skip=true) >&2
fi
mkdir -p "$ROOT/bench/results"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" ${BENCH_JAVA_OPTS:--Xmx1g} -Dbench.results="${BENCH_RESULTS:-$ROOT/bench/results}" \
  -cp "$MODULE/target/classes:$(cat "$MODULE/target/classpath.txt")" io.tributary.bench.LakeWriterCost "$@"
