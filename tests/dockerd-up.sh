#!/usr/bin/env bash
# Starts a real Docker Engine (Debian's docker.io) on its own socket, with no registry:
# a busybox image is made from Debian's busybox-static, and three containers are started:
#   web    — healthy (HEALTHCHECK passes), serves HTTP on 8080 inside the container
#   sick   — unhealthy (health command always fails)
#   exited — exited with code 3
# Needs root (without it, says so and exits 0: the Docker tests then skip). An engine already
# answering on the socket is reused and its three containers made afresh.
# Prints `export DOCKER_HOST=...` last. Undo with dockerd-down.sh (`make test` does both).
# Measured on these machines: ~12-14 s the first time (apt), ~4 s when packages are present.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"   # dockerd lives in /usr/sbin, not always on PATH
ENGINE_DIR=${ENGINE_DIR:-/tmp/tcf-dockerd}
D="$ENGINE_DIR/dk"
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
  echo "not root: dockerd is not started, the Docker tests will be skipped" >&2
  exit 0
fi
export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
docker version >/dev/null 2>&1 && REUSE=1
if ! command -v dockerd >/dev/null || ! [ -x /bin/busybox ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 docker.io busybox-static >/dev/null
fi
if [ -z "${REUSE:-}" ]; then
mkdir -p "$D/data" "$D/exec"
# own data/exec root and socket; leaves the host's iptables and bridges alone.
# Drop --bridge=none if a test needs per-container network counters (then `ip link del docker0` after).
# --shutdown-timeout=1: a test stops this engine; its sleep/httpd PID 1s ignore SIGTERM.
dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
  -H "unix://$ENGINE_DIR/docker.sock" --iptables=false --ip6tables=false --ip-forward=false --bridge=none \
  --shutdown-timeout=1 \
  >"$D/dockerd.log" 2>&1 &
echo $! > "$D/dockerd.bgpid"
for _ in $(seq 1 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
if ! docker version >/dev/null 2>&1; then
  echo "dockerd did not answer within 30 s; the end of its log:" >&2
  tail -n 30 "$D/dockerd.log" >&2
  exit 1
fi
fi
docker rm -f web sick exited >/dev/null 2>&1 || true   # left by an earlier run
if ! docker image inspect localhost/bbweb:latest >/dev/null 2>&1; then   # made once per data root
R="$ENGINE_DIR/rootfs"; rm -rf "$R"; mkdir -p "$R"/{bin,www,etc,tmp,proc,sys,dev}
cp /bin/busybox "$R/bin/busybox"
for a in sh sleep httpd wget true false cat echo; do ln -s busybox "$R/bin/$a"; done
echo ok > "$R/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$R/etc/passwd"; echo 'root:x:0:' > "$R/etc/group"
tar -C "$R" -cf "$ENGINE_DIR/bb.tar" .
docker import -c 'CMD ["/bin/sleep","3600"]' -c 'ENV PATH=/bin' "$ENGINE_DIR/bb.tar" localhost/bb:latest >/dev/null
mkdir -p "$ENGINE_DIR/ctx"; cat > "$ENGINE_DIR/ctx/Dockerfile" <<'DOCKERFILE'
FROM localhost/bb:latest
HEALTHCHECK --interval=2s --timeout=2s --retries=1 CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1
CMD ["/bin/httpd","-f","-p","8080","-h","/www"]
DOCKERFILE
DOCKER_BUILDKIT=0 docker build -q -t localhost/bbweb:latest "$ENGINE_DIR/ctx" >/dev/null 2>&1
fi
docker run -d --name web localhost/bbweb:latest >/dev/null
docker run -d --name sick --health-cmd false --health-interval 1s --health-retries 1 localhost/bb:latest >/dev/null
docker run -d --name exited localhost/bb:latest sh -c 'exit 3' >/dev/null
for _ in $(seq 1 100); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' web)" = healthy ] &&
  [ "$(docker inspect -f '{{.State.Health.Status}}' sick)" = unhealthy ] && break
  sleep 0.2
done
echo "export DOCKER_HOST=$DOCKER_HOST"
