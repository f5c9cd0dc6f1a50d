#!/usr/bin/env bash
# Snapshot: initial load of a 5,000,000-row table into bronze and silver, against COPY (FORMAT binary) to /dev/null.
# See bench/README.md; --help lists every option.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pg_client
bench_build
bench_run io.tributary.bench.Snapshot "$@"
