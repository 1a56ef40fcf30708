#!/usr/bin/env bash
# Installs the pinned checkov (scripts/checkov/requirements.txt, dependencies pinned by
# constraints.txt) into .venv/checkov (idempotent) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/checkov
REQS=(scripts/checkov/requirements.txt scripts/checkov/constraints.txt)
if [ ! -x "$VENV/bin/checkov" ] || ! cmp -s "$VENV/.wharf-installed" <(cat "${REQS[@]}"); then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check -r "${REQS[0]}" -c "${REQS[1]}" >&2
  cat "${REQS[@]}" > "$VENV/.wharf-installed"
fi
echo "$PWD/$VENV/bin/checkov"
