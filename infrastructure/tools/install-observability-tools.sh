#!/usr/bin/env bash
# Install the tools that infrastructure/tests/test_observability.py needs:
#   promtool    checks prometheus.yml and the rule files, runs the rule unit tests
#   prometheus  the server itself, started by the real-scrape test on a loopback port
#
# Both come from Debian's `prometheus` package (apt), not from a GitHub release
# download: this project's machines reach package registries only. Debian 12
# ships Prometheus 2.42, older than the compose stack's prom/prometheus v3
# image; every file in infrastructure/observability/ is written to work on both.
#
# The package is a *service* package: on a normal systemd machine its
# post-install script enables and starts a system-wide Prometheus on
# 0.0.0.0:9090 (plus node-exporter, a "Recommends", on 9100). We only want the
# binaries, so this script installs without recommends and then stops and
# disables that service, whatever init system (or none) the machine has. The
# tests never use port 9090 anyway: they pick a free port each run.
#
# Idempotent: re-running with promtool present only re-checks the service.
# Usage: sudo bash infrastructure/tools/install-observability-tools.sh   (from anywhere)
set -euo pipefail

log() { printf '[install-observability-tools] %s\n' "$*" >&2; }

# Run as root, or through sudo when it exists (CI runners have passwordless sudo).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root (or sudo) to run: $*"
    exit 1
  fi
}

# --- install --------------------------------------------------------------------------------------
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  log "promtool: already installed ($(promtool --version 2>&1 | head -n 1))"
else
  command -v apt-get >/dev/null 2>&1 || {
    log "apt-get not found: install Prometheus (which ships promtool) with your package manager"
    exit 1
  }
  log "installing Debian's prometheus package (promtool + prometheus)"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh container has empty package lists; refresh them only when needed.
  if ! apt-cache show prometheus >/dev/null 2>&1; then
    as_root apt-get update -q
  fi
  # No recommends: that would add prometheus-node-exporter, another service.
  as_root apt-get install -y -q --no-install-recommends prometheus
  log "promtool: $(promtool --version 2>&1 | head -n 1)"
fi

# --- make sure no system-wide Prometheus keeps running --------------------------------------------
# systemd machines (laptops, GitHub runners): the package enabled and started it.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  if systemctl is-active --quiet prometheus || systemctl is-enabled --quiet prometheus 2>/dev/null; then
    log "stopping and disabling the prometheus systemd service"
    as_root systemctl disable --now prometheus
  fi
# sysvinit-style machines and containers: the package ships /etc/init.d/prometheus.
# (In Docker images /usr/sbin/policy-rc.d usually forbids starting it at all.)
elif [[ -x /etc/init.d/prometheus ]]; then
  if as_root /etc/init.d/prometheus status >/dev/null 2>&1; then
    log "stopping the prometheus init.d service"
    as_root /etc/init.d/prometheus stop
  fi
  if command -v update-rc.d >/dev/null 2>&1; then
    # Keeps the script but removes its start links: it will not come back at boot.
    as_root update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
fi

# Last check, init-system agnostic: a service process started as the package's
# `prometheus` user is what would sit on port 9090.
if pgrep -u prometheus -x prometheus >/dev/null 2>&1; then
  log "warning: a prometheus process owned by user 'prometheus' is still running" \
    "(pid $(pgrep -u prometheus -x prometheus | tr '\n' ' ')); stop it by hand"
else
  log "no system prometheus service running"
fi
