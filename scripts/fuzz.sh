#!/usr/bin/env bash
# Fuzzes the manifest loader and validator: fuzz/fuzz_targets/workspace.rs loads,
# validates and renders the diagnostics of a whole in-memory workspace built from each input
# (see `wharf::check::workspace_from_bytes`). Not part of CI or scripts/test.sh.
#
#   scripts/fuzz.sh [RUNS]      default 10,000,000 executions
#
# Bounded: RUNS executions or FUZZ_MAX_TIME seconds (default 14400), whichever comes
# first; one job on one core. Built with debug assertions, so integer overflow panics.
# FUZZ_SANITIZER=address adds AddressSanitizer (wharf has no unsafe code, so the default
# `none` trades it for speed; panics, stack overflows, timeouts over 10 s and memory
# over 2 GiB are caught either way).
#
# Needs the nightly toolchain (`rustup toolchain install nightly`) and cargo-fuzz
# (`cargo install cargo-fuzz`). The first build compiles every dependency again with
# coverage instrumentation (about 10 minutes on two cores).
#
# Seeds: fuzz/seeds/ (small inputs that expand past each limit), every manifest under
# examples/ and tests/, and the Copilot corpus in $WHARF_COPILOT_CORPUS when it is set.
# The corpus grows in fuzz/corpus/workspace/; findings land in fuzz/artifacts/workspace/
# and each one becomes a unit test in src/check.rs. The log is fuzz/fuzz-0.log.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-10000000}"
max_time="${FUZZ_MAX_TIME:-14400}"
sanitizer="${FUZZ_SANITIZER:-none}"
corpus=fuzz/corpus/workspace
mkdir -p "$corpus"

# A seed is `service \0 environment \0 app`; a missing part gets a valid default.
seed() { # NAME FILE PREFIX
  local name
  name="$(printf '%s' "$1" | sha1sum | cut -c1-16)"
  { printf '%b' "$3"; cat "$2"; } > "$corpus/$name"
}
cp fuzz/seeds/* "$corpus"/
default_service='name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n'
while IFS= read -r -d '' f; do
  case "$f" in
    *environments*) seed "$f" "$f" "$default_service\\0" ;;
    *app.yml)       seed "$f" "$f" "$default_service\\0name: test\\ntype: Environment\\n\\0" ;;
    *)              seed "$f" "$f" "" ;;
  esac
done < <(find examples tests ${WHARF_COPILOT_CORPUS:+"$WHARF_COPILOT_CORPUS"} -type f \
  \( -name '*.yml' -o -name '*.yaml' \) -print0)
echo "seed corpus: $(ls "$corpus" | wc -l) inputs" >&2

cd fuzz
exec cargo +nightly fuzz run --debug-assertions --sanitizer "$sanitizer" workspace corpus/workspace -- \
  -runs="$runs" -max_total_time="$max_time" -jobs=1 -workers=1 \
  -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
