#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit tests, CLI tests
# (including cfn-lint on every generated template and the Copilot corpus check), the
# integration tests against the emulators (which the tests start and stop), then the
# checkov scan of the generated templates (scripts/checkov.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

WHARF_CFN_LINT="$(scripts/install-cfn-lint.sh)"
scripts/emulators/install.sh
export WHARF_CFN_LINT
if [ -z "${WHARF_COPILOT_CORPUS:-}" ] && [ -d ../shared/copilot-corpus ]; then
  export WHARF_COPILOT_CORPUS="$PWD/../shared/copilot-corpus"
fi
if [ -z "${WHARF_COPILOT_GOLDEN:-}" ] && [ -d ../shared/copilot-golden ]; then
  export WHARF_COPILOT_GOLDEN="$PWD/../shared/copilot-golden"
fi

cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
WHARF="$PWD/target/debug/wharf" scripts/checkov.sh  # the binary `cargo test` built
