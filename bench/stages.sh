#!/usr/bin/env bash
# Where the streaming time goes: pg_recvlogical, Debezium alone, + our source and pipeline (no-op writer), + the
# Iceberg lake writer, each catching up the same backlog. See bench/README.md; --help lists every option.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pg_client
bench_build
bench_run io.tributary.bench.Stages "$@"
