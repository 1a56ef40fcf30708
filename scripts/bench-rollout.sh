#!/usr/bin/env bash
# Rollout watching against moto's simulated ECS (see README, "Benchmarks"): how long after
# a rollout reaches its terminal state (completed, or rolled back) wharf exits, and how
# many AWS calls a minute it makes while watching. Default watch interval (3 s) unless
# WHARF_WATCH_INTERVAL_MS is set. 5 good releases and 2 releases of a missing image.
# Uses target/release/wharf (built if missing) unless WHARF_BIN is set. Needs root (lab).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="${WHARF_BIN:-$ROOT/target/release/wharf}"
[ -x "$BIN" ] || cargo build --locked --release
scripts/emulators/install.sh moto images
lab="$ROOT/.emulators/bench-rollout-lab"
rm -rf "$lab"
scripts/emulators/image-lab.sh start "$lab"
trap '"$ROOT/scripts/emulators/stop.sh" moto; "$ROOT/scripts/emulators/image-lab.sh" stop "$lab"' EXIT
set -a; . "$lab/env"; set +a
export WHARF_SIM_ROLLOUT_SECONDS="${WHARF_SIM_ROLLOUT_SECONDS:-8}" WHARF_SIM_FAIL_SECONDS="${WHARF_SIM_FAIL_SECONDS:-1}"
endpoint="$(scripts/emulators/start.sh moto)"
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 CI=true
work="$(mktemp -d)"
cp -r examples/storefront/. "$work"
"$ROOT/.venv/moto/bin/python" - "$BIN" "$work" <<'PY'
import json, os, statistics, subprocess, sys, time
import boto3
wharf, work = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
cfn, ecs = boto3.client("cloudformation", **kw), boto3.client("ecs", **kw)

def deploy(*extra):
    start = time.time()
    out = subprocess.run([wharf, "svc", "deploy", "-n", "web", "-e", "test", "--output", "json", *extra],
                         cwd=work, capture_output=True, text=True)
    end = time.time()
    events = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    result = next(e["data"] for e in events if e["type"] == "rollout_result")
    arn = cfn.describe_stack_resource(StackName="storefront-test-web", LogicalResourceId="Service")["StackResourceDetail"]["PhysicalResourceId"]
    svc = ecs.describe_services(cluster=arn.split("/")[-2], services=[arn])["services"][0]
    primary = next(d for d in svc["deployments"] if d["status"] == "PRIMARY")
    terminal = primary["updatedAt"].timestamp()
    watched = end - start  # upper bound of the watching time
    return out.returncode, end - terminal, result["api_calls"] / watched * 60, result["summary"]

subprocess.run([wharf, "deploy", "-e", "test", "-n", "web"], cwd=work, check=True, capture_output=True)
good, bad = [], []
for i in range(5):
    open(f"{work}/web/index.html", "a").write(f"<p>release {i}</p>\n")
    code, lag, cpm, summary = deploy()
    assert code == 0, summary
    good.append((lag, cpm))
manifest = f"{work}/wharf/web/manifest.yml"
text = open(manifest).read()
for i in range(2):
    start, end = text.index("image:\n") + len("image:\n"), text.index("  port:")
    open(manifest, "w").write(text[:start] + f"  location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront/web:missing-{i}\n" + text[end:])
    code, lag, cpm, summary = deploy()
    assert code == 3, summary
    bad.append((lag, cpm))
interval = os.environ.get("WHARF_WATCH_INTERVAL_MS", "3000 (default)")
print(f"watch interval: {interval} ms; simulated rollout {os.environ['WHARF_SIM_ROLLOUT_SECONDS']} s, a failed task every {os.environ['WHARF_SIM_FAIL_SECONDS']} s")
for name, runs in (("completed", good), ("rolled back (CannotPullContainerError)", bad)):
    lags = [l for l, _ in runs]
    cpms = [c for _, c in runs]
    print(f"{name}: terminal state -> wharf exit median {statistics.median(lags):.2f} s, max {max(lags):.2f} s; "
          f"AWS calls/min while watching median {statistics.median(cpms):.0f}, max {max(cpms):.0f} ({len(runs)} runs)")
PY
rm -rf "$work"
