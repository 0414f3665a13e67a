#!/usr/bin/env bash
# PostgreSQL for the web store tests: install Debian's server if missing, start the cluster
# as the postgres user (listening on loopback only, Debian's default), create the role and
# database the tests use. Idempotent. Chatter goes to stderr; the last line on stdout is the
# URL to export as CRUDEFLOW_TEST_POSTGRES_URL.
set -euo pipefail
exec 3>&1 1>&2
AS_ROOT=""
if [ "$(id -u)" -ne 0 ]; then
  AS_ROOT="sudo"
fi
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $AS_ROOT apt-get update -q
  $AS_ROOT apt-get install -y -q postgresql
fi
VER=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VER main"; then
  $AS_ROOT pg_createcluster "$VER" main
fi
PORT=$(pg_lsclusters -h | awk -v v="$VER" '$1==v && $2=="main" {print $3}')
if ! as_postgres pg_ctlcluster "$VER" main status >/dev/null 2>&1; then
  as_postgres pg_ctlcluster "$VER" main start 3>&-  # the server must not hold our stdout
fi
psql_() { as_postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
for _ in $(seq 1 30); do
  psql_ -c "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done
psql_ -c "SELECT 1 FROM pg_roles WHERE rolname = 'crudeflow'" | grep -q 1 \
  || psql_ -c "CREATE ROLE crudeflow LOGIN PASSWORD 'crudeflow'"
psql_ -c "SELECT 1 FROM pg_database WHERE datname = 'crudeflow_test'" | grep -q 1 \
  || psql_ -c "CREATE DATABASE crudeflow_test OWNER crudeflow"
echo "PostgreSQL $VER running on 127.0.0.1:$PORT (database crudeflow_test)"
echo "postgresql://crudeflow:crudeflow@127.0.0.1:$PORT/crudeflow_test" >&3
