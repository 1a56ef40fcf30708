#!/usr/bin/env bash
# Builds wharf and deploys examples/storefront to local emulators on 127.0.0.1, end to
# end: on moto it checks the manifests, deploys the environment, then both services in
# parallel, redeploys to show "no changes", prints the services and deletes everything;
# on LocalStack (whose CloudFormation reports every resource) it deploys and deletes
# the environment stack of examples/hello, showing per-resource progress. It stops both emulators.
# No AWS account is used: every call goes to a local emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

cargo build --locked
scripts/emulators/install.sh moto localstack
endpoint="$(scripts/emulators/start.sh moto)"
trap '"$ROOT/scripts/emulators/stop.sh" moto; "$ROOT/scripts/emulators/stop.sh" localstack' EXIT

export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export WHARF_POLL_INTERVAL_MS=250
W="$ROOT/target/debug/wharf"
cd examples/storefront
echo "== moto is at $endpoint"
"$W" validate
echo "== deploy the environment, then both services in parallel"
"$W" deploy -e test --all --tag demo
echo "== deploy again: nothing changed"
"$W" deploy -e test --all --tag demo
echo "== the ECS services"
"$ROOT/.venv/moto/bin/python" - <<'PY'
import boto3, os
kw = dict(endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
cfn, ecs = boto3.client("cloudformation", **kw), boto3.client("ecs", **kw)
cluster = [o["OutputValue"] for o in cfn.describe_stacks(StackName="storefront-test")["Stacks"][0]["Outputs"] if o["OutputKey"] == "ClusterName"][0]
for s in ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])["services"]:
    cb = s["deploymentConfiguration"]["deploymentCircuitBreaker"]
    print(f'{s["serviceName"]}: {s["taskDefinition"].split("/")[-1]}, circuit breaker enable={cb["enable"]} rollback={cb["rollback"]}')
PY
echo "== clean up"
"$W" env delete -n test --yes

echo "== LocalStack: an environment stack, one progress line per resource"
# examples/hello needs no NAT gateway (LocalStack community has no Elastic IPs).
export AWS_ENDPOINT_URL="$("$ROOT/scripts/emulators/start.sh" localstack)"
cd "$ROOT/examples/hello"
"$W" env deploy -n test
"$W" env delete -n test --yes
