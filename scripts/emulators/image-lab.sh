#!/usr/bin/env bash
# The image lab: what `wharf build`/`push`/`deploy` talk to in tests and in the demo.
#   - Debian's docker-registry with TLS and htpasswd on 127.0.0.1:443, reached under moto's
#     ECR hostname (123456789012.dkr.ecr.us-east-1.amazonaws.com) through an /etc/hosts line,
#     its CA in /etc/containers/certs.d/<host>/, and accepting moto's ECR token
#     (user AWS, password 123456789012-auth-token). wharf runs its real AWS code path:
#     GetAuthorizationToken, `docker login` to the proxy endpoint, push to the repository URI.
#   - `podman system service` on DIR/podman.sock, the docker-compatible socket the docker CLI
#     uses (DOCKER_HOST), with its own image storage under DIR.
# Needs root (port 443, /etc/hosts, certs.d) and the apt packages from install.sh.
# Usage: image-lab.sh start DIR   writes DIR/env (KEY=VALUE lines to export)
#        image-lab.sh stop DIR    stops both, removes the hosts line and the CA it added
set -euo pipefail
cd "$(dirname "$0")/../.."
cmd="${1:?usage: image-lab.sh start|stop DIR}"
dir="$(mkdir -p "${2:?usage: image-lab.sh start|stop DIR}" && cd "$2" && pwd)"
host="123456789012.dkr.ecr.us-east-1.amazonaws.com"
token="123456789012-auth-token"
marker="# wharf-image-lab $dir"
certs="/etc/containers/certs.d/$host"

stop_pid() {
  [ -f "$1" ] || return 0
  local pid; pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

stop() {
  stop_pid "$dir/podman.pid"
  stop_pid "$dir/registry.pid"
  # Edit in place: /etc/hosts may be a bind mount that cannot be replaced.
  if grep -qF "$marker" /etc/hosts 2>/dev/null; then
    grep -vF "$marker" /etc/hosts > "$dir/hosts.new" || true
    cat "$dir/hosts.new" > /etc/hosts
    rm -f "$dir/hosts.new"
  fi
  if [ -f "$dir/certs-added" ]; then rm -rf "$certs"; rm -f "$dir/certs-added"; fi
  # podman's overlay storage mounts itself privately; unmount before the caller deletes DIR.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  rm -f "$dir/env"
}

start() {
  for tool in docker-registry podman openssl curl; do
    command -v "$tool" >/dev/null || { echo "image lab: $tool is missing; run scripts/emulators/install.sh images" >&2; exit 1; }
  done
  [ -x .venv/moto/bin/python ] || { echo "image lab: .venv/moto is missing; run scripts/emulators/install.sh moto" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || { echo "image lab: needs root (port 443, /etc/hosts, /etc/containers/certs.d)" >&2; exit 1; }
  if grep -qE "^[^#]*[[:space:]]$host([[:space:]]|\$)" /etc/hosts && ! grep -qF "$marker" /etc/hosts; then
    echo "image lab: /etc/hosts already maps $host: another lab is running, or one was not stopped" >&2
    grep -F "$host" /etc/hosts | sed 's/^/  /' >&2
    echo "  (a line ending in '# wharf-image-lab DIR' is removed by: scripts/emulators/image-lab.sh stop DIR)" >&2
    exit 1
  fi
  trap 'stop' ERR

  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$host" \
    -addext "subjectAltName=DNS:$host,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  .venv/moto/bin/python -c "import bcrypt,sys; print('AWS:' + bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(rounds=5)).decode())" "$token" > "$dir/htpasswd"
  cat > "$dir/registry.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/registry-data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:443
  tls: {certificate: $dir/cert.pem, key: $dir/key.pem}
auth:
  htpasswd: {realm: ecr, path: $dir/htpasswd}
YML
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  echo $! > "$dir/registry.pid"

  echo "127.0.0.1 $host $marker" >> /etc/hosts
  if [ ! -e "$certs" ]; then mkdir -p "$certs"; touch "$dir/certs-added"; fi
  cp "$dir/cert.pem" "$certs/ca.crt"

  # runc with lowered limits: crun cannot run in this sandbox (see the README, "Emulators").
  cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
  export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"
  podman system service --time=0 "unix://$dir/podman.sock" >"$dir/podman.log" 2>&1 &
  echo $! > "$dir/podman.pid"

  for _ in $(seq 1 150); do
    if curl -fsS --cacert "$dir/cert.pem" -u "AWS:$token" "https://$host/v2/" >/dev/null 2>&1 \
      && curl -fsS --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1; then
      cat > "$dir/env" <<ENV
DOCKER_HOST=unix://$dir/podman.sock
CONTAINERS_CONF=$dir/containers.conf
CONTAINERS_STORAGE_CONF=$dir/storage.conf
WHARF_LAB_REGISTRY=https://$host
WHARF_LAB_REGISTRY_CA=$dir/cert.pem
WHARF_LAB_REGISTRY_AUTH=AWS:$token
ENV
      return 0
    fi
    for p in registry podman; do
      kill -0 "$(cat "$dir/$p.pid")" 2>/dev/null || { echo "image lab: $p exited:" >&2; tail -n 20 "$dir/$p.log" >&2; stop; exit 1; }
    done
    sleep 0.1
  done
  echo "image lab: not ready after 15 s" >&2; tail -n 20 "$dir/registry.log" "$dir/podman.log" >&2; stop; exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: image-lab.sh start|stop DIR" >&2; exit 2 ;;
esac
