#!/usr/bin/env bash
# Installs Debian's Prometheus (binary and promtool) for tests/integration/test_prometheus.py,
# which starts its own instance. Root only; without it those tests skip (and fail in CI).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
command -v prometheus >/dev/null && command -v promtool >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "prometheus missing and not root: the Prometheus tests will be skipped"
  exit 0
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 prometheus >/dev/null
# The package enables and may start a system Prometheus on :9090; the tests need only the binary.
if [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
else
  invoke-rc.d prometheus stop >/dev/null 2>&1 || true
fi
