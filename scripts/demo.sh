#!/usr/bin/env bash
# Builds wharf and deploys examples/storefront to local emulators on 127.0.0.1, end to
# end: on moto it checks the manifests, builds both images with podman (through the docker
# CLI), pushes them to the image lab's registry under moto's ECR host name, deploys the
# environment, then both services in parallel pinned to the pushed digests; redeploys to
# show "no build, no push, no changes", prints the services, deploys an image that was
# never pushed (the simulated circuit breaker rolls it back; wharf exits 3 with the
# reason) and deletes everything;
# on LocalStack (whose CloudFormation reports every resource) it deploys and deletes
# the environment stack of examples/hello, showing per-resource progress. It stops both emulators.
# No AWS account is used: every call goes to a local emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

cargo build --locked
scripts/emulators/install.sh moto localstack images
# The image lab: needs root (port 443, /etc/hosts; see scripts/emulators/image-lab.sh).
lab="$ROOT/.emulators/lab"
rm -rf "$lab"
scripts/emulators/image-lab.sh start "$lab"
trap '"$ROOT/scripts/emulators/stop.sh" moto; "$ROOT/scripts/emulators/stop.sh" localstack; "$ROOT/scripts/emulators/image-lab.sh" stop "$lab"; rm -rf "${demo:-}"' EXIT
set -a; . "$lab/env"; set +a
endpoint="$(scripts/emulators/start.sh moto)"

export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export WHARF_POLL_INTERVAL_MS=250
W="$ROOT/target/debug/wharf"
export WHARF_WATCH_INTERVAL_MS=1000
demo="$(mktemp -d)"
cp -r examples/storefront/. "$demo"
cd "$demo"
echo "== moto is at $endpoint"
"$W" validate
echo "== the application's shared resources: the bucket for large templates and deploy locks"
"$W" app init storefront
echo "== build and push both images, deploy the environment, then both services in parallel"
"$W" deploy -e test --all
echo "== deploy again: nothing changed, so no build, no push, no stack update"
"$W" deploy -e test --all
echo "== the ECS services"
"$ROOT/.venv/moto/bin/python" - <<'PY'
import boto3, os
kw = dict(endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
cfn, ecs = boto3.client("cloudformation", **kw), boto3.client("ecs", **kw)
cluster = [o["OutputValue"] for o in cfn.describe_stacks(StackName="storefront-test")["Stacks"][0]["Outputs"] if o["OutputKey"] == "ClusterName"][0]
for s in ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])["services"]:
    cb = s["deploymentConfiguration"]["deploymentCircuitBreaker"]
    image = ecs.describe_task_definition(taskDefinition=s["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]
    print(f'{s["serviceName"]}: {s["taskDefinition"].split("/")[-1]}, circuit breaker enable={cb["enable"]} rollback={cb["rollback"]}\n  image {image}')
PY
echo "== a release of an image nobody pushed: ECS cannot pull it, the circuit breaker rolls back,"
echo "   and wharf exits 3 with the reason"
python3 - <<'PY'
p = "wharf/web/manifest.yml"
s = open(p).read()
start, end = s.index("image:\n") + len("image:\n"), s.index("  port:")
open(p, "w").write(s[:start] + "  location: 123456789012.dkr.ecr.us-east-1.amazonaws.com/storefront/web:never-pushed\n" + s[end:])
PY
code=0; "$W" svc deploy -n web -e test || code=$?
echo "== exit code $code"
[ "$code" = 3 ]
echo "== clean up: the stacks, the bucket and the repositories wharf made"
"$W" app delete --yes

echo "== LocalStack: an environment stack, one progress line per resource"
# examples/hello needs no NAT gateway (LocalStack community has no Elastic IPs).
export AWS_ENDPOINT_URL="$("$ROOT/scripts/emulators/start.sh" localstack)"
cd "$ROOT/examples/hello"
"$W" env deploy -n test
"$W" env delete -n test --yes
