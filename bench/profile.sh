#!/usr/bin/env bash
# Where the CPU samples of a flight recording fall, by component and thread, e.g. after
#   bench/throughput.sh --jfr /tmp/tributary.jfr      (records the catch-up process)
#   bench/profile.sh /tmp/tributary.jfr [TOP]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
bench_run io.tributary.bench.JfrProfile "$@"
