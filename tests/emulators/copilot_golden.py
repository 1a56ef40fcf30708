"""Copilot's golden templates (../shared/copilot-golden/), made deployable on moto.

Run with a Python that has cfn-lint (its YAML loader reads CloudFormation's short tags):
    python copilot_golden.py TEMPLATE.yml > TEMPLATE.json

Everything stays as Copilot made it (logical IDs, physical names, parameters, exports,
conditions, tags) except what moto cannot run, which gets a documented stand-in:

- A Lambda function and its permissions become an `AWS::SSM::Parameter` under the same
  logical ID, condition and dependencies: moto cannot run a Lambda. The custom resources
  they back (`Custom::*`: Copilot's `EnvControllerAction`, `DynamicDesiredCountAction`,
  `RulePriorityAction`s, DNS and certificate actions) stay as Copilot wrote them; their
  `ServiceToken` names the stand-in function (`...:function:stand-in-<name>`), which
  moto_server.py's adjustment 36 answers at once, recording each deletion (where the
  real delete handler would run) as the SSM parameter
  `/stand-in/deleted/<stack>/<logical ID>`.
- What other resources read from them becomes the value the real one returns:
  * `DynamicDesiredCountAction.DesiredCount`: the `TaskCount` parameter (what Copilot's
    Lambda returns when the service has no running tasks yet, as at a first deploy);
  * `EnvControllerAction.EnvironmentSecurityGroup`: the environment stack's export of it;
  * `<x>RulePriorityAction.Priority<n>`: Copilot's first free priorities, 1 up;
  * a function's `Arn` (or `Ref`): a Lambda ARN naming the function (an Events rule's
    target that is never invoked);
  * the certificate action's `Ref`: a certificate ARN (read only under conditions that
    the environment's parameters leave false here).
- `Metadata` is dropped (its `Manifest` text is large and unread).
"""
import datetime
import json
import sys

from cfnlint.decode import cfn_yaml


LAMBDA = ("AWS::Lambda::Function", "AWS::Lambda::Permission")


def stand_in_value(target, attr, kind, app_env):
    if kind == "AWS::Lambda::Function":
        return {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:stand-in-" + target}
    if attr == "DesiredCount":
        return {"Ref": "TaskCount"}
    if attr == "EnvironmentSecurityGroup":
        return {"Fn::ImportValue": {"Fn::Sub": app_env + "-EnvironmentSecurityGroup"}}
    if attr.startswith("Priority"):
        return str(int(attr[len("Priority"):] or "0") + 1)
    if attr == "Ref" and kind == "Custom::CertificateValidationFunction":
        return {"Fn::Sub": "arn:${AWS::Partition}:acm:${AWS::Region}:${AWS::AccountId}:certificate/stand-in"}
    raise SystemExit(f"no stand-in value for {target}.{attr}")


def transform(template):
    resources = template["Resources"]
    params = template.get("Parameters", {})
    app_env = "${AppName}-${EnvName}" if "EnvName" in params else "${AppName}-${EnvironmentName}"
    odd = {
        k: v["Type"]
        for k, v in resources.items()
        if v["Type"].startswith("Custom::") or v["Type"] in LAMBDA
    }

    def walk(x):
        if isinstance(x, dict):
            if len(x) == 1 and "Fn::GetAtt" in x:
                v = x["Fn::GetAtt"]
                target, attr = (v[0], v[1]) if isinstance(v, list) else v.split(".", 1)
                if target in odd:
                    return stand_in_value(target, attr, odd[target], app_env)
            if len(x) == 1 and x.get("Ref") in odd:
                return stand_in_value(x["Ref"], "Ref", odd[x["Ref"]], app_env)
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, (datetime.date, datetime.datetime)):
            return x.isoformat()
        return x

    out = walk({k: v for k, v in template.items() if k != "Metadata"})
    for lid, kind in odd.items():
        if kind not in LAMBDA:
            continue
        old = resources[lid]
        new = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": {"Fn::Sub": "/copilot-stand-in/${AWS::StackName}/" + lid},
                "Type": "String",
                "Value": f"stand-in for {kind}",
            },
        }
        for key in ("Condition", "DependsOn"):
            if key in old:
                new[key] = old[key]
        out["Resources"][lid] = new
    for v in out["Resources"].values():
        v.pop("Metadata", None)
    return out


if __name__ == "__main__":
    print(json.dumps(transform(cfn_yaml.load(sys.argv[1]))))
