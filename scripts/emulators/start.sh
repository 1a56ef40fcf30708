#!/usr/bin/env bash
# Starts an emulator on a free port on 127.0.0.1 and waits until it answers.
# Writes .emulators/<name>.env (AWS_ENDPOINT_URL=…) and .emulators/<name>.pid.
# moto inherits WHARF_LAB_* from the caller: with them, its ECR shows what the image
# lab's registry holds (see moto_server.py, 7).
# Usage: scripts/emulators/start.sh moto|localstack      Stop: scripts/emulators/stop.sh NAME
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:?usage: start.sh moto|localstack}"
mkdir -p .emulators
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log=".emulators/$name.log"
case "$name" in
  moto)
    .venv/moto/bin/python scripts/emulators/moto_server.py -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    ready="/moto-api/" ;;
  localstack)
    GATEWAY_LISTEN="127.0.0.1:$port" LOCALSTACK_HOST="localhost.localstack.cloud:$port" \
    LOCALSTACK_VOLUME_DIR="$PWD/.emulators/localstack-volume" DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 DNS_ADDRESS=0 \
    SERVICES=cloudformation,ec2,iam,logs,s3,ssm,sts \
      .venv/localstack/bin/python -m localstack.runtime.main >"$log" 2>&1 &
    ready="/_localstack/health" ;;
  *) echo "unknown emulator: $name" >&2; exit 2 ;;
esac
pid=$!
echo "$pid" > ".emulators/$name.pid"
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port$ready" >/dev/null 2>&1; then
    echo "AWS_ENDPOINT_URL=http://127.0.0.1:$port" > ".emulators/$name.env"
    echo "http://127.0.0.1:$port"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.2
done
echo "$name did not start; its log:" >&2
tail -n 50 "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
