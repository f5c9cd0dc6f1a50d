#!/usr/bin/env bash
# Streaming throughput: 1,000,000 changes committed in PostgreSQL while `tributary run` streams them into bronze and
# silver, against pg_recvlogical (pgoutput) decoding the same changes into /dev/null. See bench/README.md.
#   bench/throughput.sh [--changes N] [--transaction N] [--heap 1g] [--jfr FILE] ...   (--help lists every option)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pg_client
bench_build
bench_run io.tributary.bench.Throughput "$@"
