#!/usr/bin/env bash
# Installs the pinned emulators into Python venvs (idempotent):
#   .venv/moto        moto server (scripts/emulators/requirements-moto.txt)
#   .venv/localstack  LocalStack community on Python 3.13 (requirements-localstack.txt)
# Usage: scripts/emulators/install.sh [moto] [localstack]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/../.."
want=("$@")
[ ${#want[@]} -eq 0 ] && want=(moto localstack)

stamp_ok() { [ -f "$1/.wharf-installed" ] && cmp -s "$1/.wharf-installed" <(cat "${@:2}"); }

for name in "${want[@]}"; do
  case "$name" in
    moto)
      venv=.venv/moto; reqs=(scripts/emulators/requirements-moto.txt)
      stamp_ok "$venv" "${reqs[@]}" && continue
      python3 -m venv "$venv" >&2
      "$venv/bin/pip" install --quiet --disable-pip-version-check -r "${reqs[0]}" >&2
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
      "$venv/bin/pip" install --quiet --disable-pip-version-check -r "${reqs[0]}" -c "${reqs[1]}" >&2
      ;;
    *) echo "unknown emulator: $name" >&2; exit 2 ;;
  esac
  cat "${reqs[@]}" > "$venv/.wharf-installed"
done
