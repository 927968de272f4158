#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the store tests (root only) and makes a `tcf` role that may
# create databases. Prints nothing on success; the tests skip with a reason when it is absent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
  echo "not root: PostgreSQL is not started, the PostgreSQL store tests will be skipped"
  exit 0
fi
if ! command -v pg_lsclusters >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 postgresql >/dev/null
fi
read -r version cluster _ < <(pg_lsclusters -h | head -n 1) || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1); cluster=main
  pg_createcluster "$version" "$cluster" >/dev/null
fi
pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'tcf'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE tcf LOGIN CREATEDB PASSWORD 'tcf'\""
# DROP DATABASE … WITH (FORCE) at the end of a test ends every session on that database, and
# PostgreSQL 15 refuses to end an autovacuum worker's for a role without pg_signal_backend.
su postgres -c "psql -qc 'GRANT pg_signal_backend TO tcf'" >/dev/null
