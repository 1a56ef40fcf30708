#!/usr/bin/env bash
# A no-change `wharf deploy -e test --all` of examples/storefront, end to end, against
# moto and the image lab (see README, "Benchmarks"): both build inputs hashed, ECR asked,
# nothing built or pushed, three stacks found unchanged. Median of 7 after one deploy that
# builds, pushes and creates everything. Target: <= 2 s.
# Uses target/release/wharf (built if missing) unless WHARF_BIN is set. Needs root (lab).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="${WHARF_BIN:-$ROOT/target/release/wharf}"
[ -x "$BIN" ] || cargo build --locked --release
scripts/emulators/install.sh moto images
lab="$ROOT/.emulators/bench-lab"
rm -rf "$lab"
scripts/emulators/image-lab.sh start "$lab"
trap '"$ROOT/scripts/emulators/stop.sh" moto; "$ROOT/scripts/emulators/image-lab.sh" stop "$lab"' EXIT
set -a; . "$lab/env"; set +a
endpoint="$(scripts/emulators/start.sh moto)"
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 CI=true
export WHARF_POLL_INTERVAL_MS="${WHARF_POLL_INTERVAL_MS:-2000}"
work="$(mktemp -d)"
cp -r examples/storefront/. "$work"
"$ROOT/.venv/moto/bin/python" - "$BIN" "$work" <<'PY'
import os, statistics, subprocess, sys, time
wharf, work = sys.argv[1], sys.argv[2]

def run(*args):
    t = time.perf_counter()
    out = subprocess.run([wharf, *args], cwd=work, check=True, capture_output=True, text=True)
    return time.perf_counter() - t, out.stdout + out.stderr

first, _ = run("deploy", "-e", "test", "--all")
times = []
for _ in range(7):
    t, err = run("deploy", "-e", "test", "--all")
    assert err.count("no build, no push") == 2 and "No changes" in err, err
    times.append(t)
print(f"poll interval: {os.environ['WHARF_POLL_INTERVAL_MS']} ms")
print(f"first deploy (2 builds, 2 pushes, 3 stacks created): {first:.2f} s")
print(f"no-change wharf deploy, end to end: median {statistics.median(times):.2f} s, max {max(times):.2f} s (7 runs)")
PY
rm -rf "$work"
