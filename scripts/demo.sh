#!/usr/bin/env bash
# Builds wharf and runs it on examples/storefront: validate every manifest for every
# environment, package every stack into out/storefront/, and check them with cfn-lint.
# No AWS account or credentials are needed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/out/storefront"

cargo build --locked --release
WHARF="$ROOT/target/release/wharf"
CFN_LINT="$(scripts/install-cfn-lint.sh)"

cd examples/storefront
rm -rf "$OUT"
"$WHARF" validate
for env in test prod; do
  "$WHARF" env package -n "$env" --output-dir "$OUT" >/dev/null
  for svc in web api; do
    "$WHARF" svc package -n "$svc" -e "$env" --tag demo --output-dir "$OUT" >/dev/null
  done
done
"$CFN_LINT" --non-zero-exit-code error "$OUT"/*.stack.yml
echo
echo "Templates and parameter files are in out/storefront/ ($(ls "$OUT" | wc -l) files), all cfn-lint clean."
