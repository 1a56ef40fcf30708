#!/usr/bin/env bash
# Installs the pinned cfn-lint into .venv/cfn-lint (idempotent) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
CFN_LINT_VERSION=1.58.0
VENV=.venv/cfn-lint
if [ ! -x "$VENV/bin/cfn-lint" ] || ! "$VENV/bin/cfn-lint" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" >&2
fi
echo "$PWD/$VENV/bin/cfn-lint"
