#!/usr/bin/env bash
# Stops what dockerd-up.sh started (by its recorded PID) and removes its files.
ENGINE_DIR=${ENGINE_DIR:-/tmp/tcf-dockerd}; D="$ENGINE_DIR/dk"
export DOCKER_HOST="unix://$ENGINE_DIR/docker.sock"
ids=$(docker ps -aq 2>/dev/null || true); [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
if [ -f "$D/dockerd.bgpid" ]; then
  pid=$(cat "$D/dockerd.bgpid"); kill "$pid" 2>/dev/null || true   # dockerd also stops its containerd
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
rm -rf "$D" "$ENGINE_DIR/docker.sock" "$ENGINE_DIR/rootfs" "$ENGINE_DIR/ctx" "$ENGINE_DIR/bb.tar"
