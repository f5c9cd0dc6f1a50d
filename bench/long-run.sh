#!/usr/bin/env bash
# A steady workload streamed for a long time through two `tributary run` processes into two lakes, one with lake
# maintenance and one without; prints files per table and silver query time every few minutes. See bench/README.md.
#   bench/long-run.sh [--duration 30m] [--every 3m] [--maintenance on|off|both] ...   (--help lists every option)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:--Xmx1g}" bench_run io.tributary.bench.LongRun "$@"
