#!/usr/bin/env bash
# Stops an emulator started by start.sh (by its PID).
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:?usage: stop.sh moto|localstack}"
if [ -f ".emulators/$name.pid" ]; then
  pid="$(cat ".emulators/$name.pid")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f ".emulators/$name.pid" ".emulators/$name.env"
fi
