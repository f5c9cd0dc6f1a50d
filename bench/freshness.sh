#!/usr/bin/env bash
# Freshness: p50/p95/p99 from a commit in PostgreSQL to the row being visible in a DuckDB query of silver, at a
# steady rate (half the latest throughput result unless --rate). See bench/README.md; --help lists every option.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build
bench_run io.tributary.bench.Freshness "$@"
