#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, starting Debian's dockerd in the
# background if none does (run as root). The test machines have no init system, so nothing else
# would start it. Idempotent: with an engine already answering it only checks.
# Exits non-zero, with the tail of the engine's log, if the engine does not answer within the bound.
#
# The flags, and why (measured on this project's machine, itself a container in a VM, 2026-11-23):
#   --bridge=none --iptables=false
#       Every test container uses host networking (each SSH host on its own 127.0.x.y address), so
#       no docker0 bridge and no NAT are needed. With the defaults, dockerd also works here, but it
#       creates docker0 and rewrites the machine's firewall (FORWARD policy DROP, DOCKER chains,
#       MASQUERADE) — changes to the shared machine that nothing needs, and that fail where the
#       container has no iptables rights.
#   no --storage-driver
#       dockerd picks the first driver that works: overlay2 here (backing filesystem ext4). Where
#       overlayfs is unavailable (overlay on overlay) it falls back to vfs by itself: slower, but it
#       works, so forcing a driver would only make the script break on such machines.
#   log to /var/log/warren-dockerd.log, appended: one file to read when the engine fails.
set -euo pipefail

LOG=/var/log/warren-dockerd.log
WAIT_SECONDS=${WARREN_DOCKER_WAIT_SECONDS:-60}

log() { printf 'start-docker: %s\n' "$*"; }

engine_answers() { docker info >/dev/null 2>&1; }

if engine_answers; then
  log "engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if ! command -v dockerd >/dev/null; then
  log "no dockerd on this machine: install Debian's docker.io (scripts/install-test-deps.sh does)"
  exit 1
fi

log_tail() {
  log "the Docker engine does not answer (waited at most $WAIT_SECONDS s); from $LOG:"
  # Its warnings and errors first (the info lines around them are mostly gRPC chatter), then the end.
  grep -E 'level=(warning|error|fatal)|^failed|Error' "$LOG" 2>/dev/null | tail -n 10 | sed 's/^/  ! /' || true
  tail -n 10 "$LOG" 2>/dev/null | sed 's/^/  | /'
}

start_dockerd() {
  # A pid file left by an engine that died with its machine blocks the next start when its pid
  # has been reused by another process.
  local pidfile=/var/run/docker.pid old
  if [ -f "$pidfile" ]; then
    old=$(cat "$pidfile" 2>/dev/null || true)
    if [ -z "$old" ] || ! grep -qs dockerd "/proc/$old/comm"; then
      rm -f "$pidfile"
    fi
  fi
  mkdir -p "$(dirname "$LOG")"
  printf '\n=== %s start-docker: dockerd --bridge=none --iptables=false ===\n' "$(date -u +%FT%TZ)" >> "$LOG"
  # setsid + nohup: the engine outlives this script, the Maven build and the CI step that ran it.
  setsid nohup dockerd --bridge=none --iptables=false < /dev/null >> "$LOG" 2>&1 &
  log "started dockerd (pid $!), log: $LOG"
}

# Wait for the engine; start one whenever no dockerd runs (also when one that was shutting down
# has just exited), but at most once: a second death is a failure, not something to retry.
start=$SECONDS
started=0
until engine_answers; do
  if ! pgrep -x dockerd >/dev/null; then
    if [ "$started" = 1 ]; then
      log "dockerd exited"
      log_tail
      exit 1
    fi
    start_dockerd
    started=1
  fi
  if [ $((SECONDS - start)) -ge "$WAIT_SECONDS" ]; then
    log_tail
    exit 1
  fi
  sleep 0.5
done
log "engine answers after $((SECONDS - start)) s ($(docker info --format '{{.ServerVersion}}, storage {{.Driver}}' 2>/dev/null))"
