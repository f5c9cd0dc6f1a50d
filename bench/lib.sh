# Shared by the bench scripts: builds the bench module and the CLI, makes sure the PostgreSQL client tools exist.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="$ROOT/tributary-bench"
CLI="$ROOT/tributary-cli"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

bench_build() {
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    (cd "$ROOT" && ./mvnw -B -q -pl tributary-bench,tributary-cli -am package -Dmaven.test.skip=true) >&2
  fi
}

# pg_recvlogical and psql are the baselines: install Debian's client when running as root, otherwise say how.
need_pg_client() {
  if command -v pg_recvlogical >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the PostgreSQL client tools (pg_recvlogical, psql) for the baselines..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >&2
  else
    echo "This bench needs pg_recvlogical and psql (the baselines): install the PostgreSQL client tools," >&2
    echo "for example: sudo apt-get install -y postgresql-client" >&2
    exit 1
  fi
}

# Runs a bench main class with the bench class path; the CLI's class path goes to the child JVMs it starts.
bench_run() {
  local main="$1"; shift
  mkdir -p "$ROOT/bench/results"
  exec "$JAVA" ${BENCH_JAVA_OPTS:--Xmx4g} \
    -Dbench.cli.jar="$CLI/target/tributary-cli.jar" -Dbench.cli.classpath="$CLI/target/classpath.txt" \
    -Dbench.results="${BENCH_RESULTS:-$ROOT/bench/results}" \
    -cp "$MODULE/target/classes:$(cat "$MODULE/target/classpath.txt")" "$main" "$@"
}
