#!/usr/bin/env bash
# Deploy timings against the local moto (see README, "Benchmarks"):
#   1. a no-change redeploy of one service (`wharf svc deploy`), median of 5;
#   2. `wharf deploy` creating 1 service vs 10 services (in parallel), median of 3 each.
# Uses target/release/wharf (built if missing) unless WHARF_BIN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="${WHARF_BIN:-$ROOT/target/release/wharf}"
[ -x "$BIN" ] || cargo build --locked --release
scripts/emulators/install.sh moto
endpoint="$(scripts/emulators/start.sh moto)"
trap '"$ROOT/scripts/emulators/stop.sh" moto' EXIT
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 CI=true
export WHARF_POLL_INTERVAL_MS="${WHARF_POLL_INTERVAL_MS:-2000}"
work="$(mktemp -d)"
"$ROOT/.venv/moto/bin/python" - "$BIN" "$work" <<'PY'
import os, statistics, subprocess, sys, time
wharf, work = sys.argv[1], sys.argv[2]
os.makedirs(f"{work}/wharf/environments/test")
open(f"{work}/wharf/app.yml", "w").write("name: bench\n")
open(f"{work}/wharf/environments/test/manifest.yml", "w").write("name: test\ntype: Environment\n")
names = [f"svc{i:02d}" for i in range(1, 11)]
for n in names:
    os.makedirs(f"{work}/wharf/{n}")
    open(f"{work}/wharf/{n}/manifest.yml", "w").write(
        f"name: {n}\ntype: Backend Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 80\ncount: 1\n")

def run(*args):
    t = time.perf_counter()
    subprocess.run([wharf, *args], cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t

def delete_services():
    for n in names:
        run("svc", "delete", "-n", n, "-e", "test", "--yes")

run("env", "deploy", "-n", "test")
run("svc", "deploy", "-n", "svc01", "-e", "test")
redeploy = statistics.median(run("svc", "deploy", "-n", "svc01", "-e", "test") for _ in range(5))
one, ten = [], []
for _ in range(3):
    delete_services()
    one.append(run("deploy", "-e", "test", "-n", "svc01"))
    delete_services()
    ten.append(run("deploy", "-e", "test", "--all", "--concurrency", "10"))
print(f"poll interval: {os.environ['WHARF_POLL_INTERVAL_MS']} ms")
print(f"no-change redeploy of one service:   median {redeploy:.2f} s (5 runs)")
print(f"wharf deploy, 1 service (created):   median {statistics.median(one):.2f} s (3 runs)")
print(f"wharf deploy, 10 services (created): median {statistics.median(ten):.2f} s (3 runs)")
PY
