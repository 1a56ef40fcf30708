#!/usr/bin/env bash
# Security scan of the CloudFormation wharf generates: renders every environment and
# service stack of the examples and the test fixture workspaces (offline, with
# target/debug/wharf, or $WHARF), runs the pinned checkov on them, and fails on any
# finding not accepted in scripts/checkov/skip.txt (see scripts/checkov/verdict.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CHECKOV="$(scripts/install-checkov.sh)"
if [ -z "${WHARF:-}" ]; then
  cargo build --locked --quiet
  WHARF="$ROOT/target/debug/wharf"
fi
DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/templates"

names() { # names env|svc: the workspace's environments or services, one a line
  "$WHARF" "$1" ls --local --output json |
    python3 -c 'import json, sys; [print(r["name"]) for r in json.load(sys.stdin)["data"]]'
}

quietly() { # runs a command, showing its output only when it fails
  "$@" > "$work/log" 2>&1 || { cat "$work/log" >&2; echo "failed: $*" >&2; exit 1; }
}

for ws in examples/storefront examples/hello examples/orders tests/fixtures/workspaces/*; do
  dest="$out/$ws"
  mkdir -p "$dest"
  envs="$(cd "$ws" && names env)"
  svcs="$(cd "$ws" && names svc)"
  [ -n "$envs" ] || { echo "$ws: no environments" >&2; exit 1; }
  for e in $envs; do
    (cd "$ws" && quietly "$WHARF" env package -n "$e" --output-dir "$dest")
    for s in $svcs; do
      (cd "$ws" && quietly "$WHARF" svc package -n "$s" -e "$e" --digest "$DIGEST" --output-dir "$dest")
    done
  done
done
find "$out" -name '*.params.json' -delete
# Addons templates are the user's own CloudFormation (what `copilot storage init` wrote),
# not wharf's: cfn-lint checks them in the package tests; their security is theirs.
find "$out" -name '*.addons.yml' -delete

# --skip-download and BC_SKIP_MAPPING: no calls to Prisma Cloud. --soft-fail: the verdict
# is verdict.py's, which also fails on unscanned templates and on stale skip entries.
BC_SKIP_MAPPING=TRUE "$CHECKOV" -d "$out" --framework cloudformation --skip-download \
  --soft-fail --compact -o json > "$work/report.json"
python3 scripts/checkov/verdict.py "$work/report.json" scripts/checkov/skip.txt "$out"
