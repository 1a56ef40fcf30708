#!/usr/bin/env bash
# Installs what the integration tests and the demo run (idempotent):
#   .venv/moto        moto server (scripts/emulators/requirements-moto.txt)
#   .venv/localstack  LocalStack community on Python 3.13 (requirements-localstack.txt)
#   images            the image lab's Debian packages (podman, buildah, skopeo,
#                     docker-registry, runc; docker.io when no docker CLI is on PATH),
#                     through apt-get as root (see scripts/emulators/image-lab.sh)
# Usage: scripts/emulators/install.sh [moto] [localstack] [images]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/../.."
want=("$@")
[ ${#want[@]} -eq 0 ] && want=(moto localstack images)

stamp_ok() { [ -f "$1/.wharf-installed" ] && cmp -s "$1/.wharf-installed" <(cat "${@:2}"); }

for name in "${want[@]}"; do
  case "$name" in
    images)
      pkgs=()
      for p in podman buildah skopeo docker-registry runc openssl curl; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || pkgs+=("$p")
      done
      command -v docker >/dev/null || pkgs+=(docker.io)
      if [ ${#pkgs[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || { echo "installing ${pkgs[*]} needs root (apt-get)" >&2; exit 1; }
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
      fi
      continue
      ;;
    moto)
      venv=.venv/moto; reqs=(scripts/emulators/requirements-moto.txt)
      stamp_ok "$venv" "${reqs[@]}" && continue
      python3 -m venv "$venv" >&2
      "$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check -r "${reqs[0]}" >&2
      ;;
    localstack)
      venv=.venv/localstack; reqs=(scripts/emulators/requirements-localstack.txt scripts/emulators/constraints-localstack.txt)
      stamp_ok "$venv" "${reqs[@]}" && continue
      py=""
      for c in "$(command -v pyenv >/dev/null && echo "$(pyenv root)/versions/3.13.0/bin/python3")" python3.13; do
        if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then py="$c"; break; fi
      done
      [ -n "$py" ] || { echo "LocalStack needs Python 3.13 (pyenv 3.13.0 or python3.13 on PATH)" >&2; exit 1; }
      "$py" -m venv "$venv" >&2
      "$venv/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check -r "${reqs[0]}" -c "${reqs[1]}" >&2
      ;;
    *) echo "unknown emulator: $name" >&2; exit 2 ;;
  esac
  cat "${reqs[@]}" > "$venv/.wharf-installed"
done
