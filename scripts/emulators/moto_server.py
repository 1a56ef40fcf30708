"""moto server, adjusted so wharf's stacks behave on it as they do on AWS.

Pinned to moto 5.2.5 (scripts/emulators/requirements-moto.txt): the adjustments replace
private moto functions, so a moto upgrade means re-checking each of them.

Run:  .venv/moto/bin/python scripts/emulators/moto_server.py -H 127.0.0.1 -p PORT

What is adjusted, and why:
 1. CloudFormation models for AWS::ServiceDiscovery::PrivateDnsNamespace/Service and
    AWS::ApplicationAutoScaling::ScalableTarget/ScalingPolicy. moto reports them
    created without creating anything, so `!Ref`/`!GetAtt` on them fail.
 2. AWS::ECS::TaskDefinition and AWS::ECS::Service keep the properties wharf sets
    (Cpu, Memory, NetworkMode, roles, runtime platform; LaunchType or capacity providers,
    network configuration, load balancers, deployment configuration with the circuit
    breaker). moto drops them. A task definition change registers a new revision, and
    the service moves to it.
 3. A resource whose `Ref`/`GetAtt` target or parameter changed is updated too (moto only
    diffs the text of each resource, and its change sets ignore parameter values).
 4. Executing a change set refreshes the stack's template, parameters and outputs.
 6. Deleting a stack deletes what moto leaves behind: it detaches the internet gateway
    of an AWS::EC2::VPCGatewayAttachment, deletes AWS::EC2::RouteTable (without both,
    the VPC and the stack can never be deleted), and deletes
    AWS::ElasticLoadBalancingV2::ListenerRule and ::TargetGroup (their priority and name
    would block deploying the service again).
 5. A resource that fails while a change set executes fails the stack the way AWS does:
    a `*_FAILED` event with the reason on that resource, then ROLLBACK_COMPLETE (create)
    or UPDATE_ROLLBACK_COMPLETE (update), instead of an HTTP error from ExecuteChangeSet.
 7. ECR shows what the registry holds. On AWS, ECR *is* the registry: an image pushed to a
    repository URI appears in DescribeImages/BatchGetImage. moto hosts no registry, so
    when WHARF_LAB_REGISTRY (https://<moto's ECR host>) is set, these calls first read
    the repository's tags and manifests from that registry (the image lab of
    scripts/emulators/image-lab.sh; WHARF_LAB_REGISTRY_CA and WHARF_LAB_REGISTRY_AUTH
    say how to reach it) and record them in moto with their real digests.
 8. ECS rollouts move over time, fail on images the registry lacks, and trip the
    deployment circuit breaker: see moto_ecs_rollouts.py.
 9. One AWS request at a time. moto serves each request on its own thread, and its
    backends are plain dicts with no locking; worse, a stack's resources are built
    lazily by whichever request first touches them. A DescribeStackResource polled while
    ExecuteChangeSet ran built the same resources a second time on the polling thread
    (a listener rule twice: `PriorityInUse`, and a rolled-back stack). Every request
    therefore holds moto_ecs_rollouts.LOCK, the lock the rollout simulation uses, and
    reading a stack's resources never builds one (adjustment 10).
    WHARF_SIM_CFN_BUILD_SECONDS (default 0) slows each resource a change set builds, so
    that tests can poll while it runs.
10. Reading a stack's resources lists those built: after a failed change set, moto would
    otherwise build the resources it never reached (an ECS service of a rolled-back
    stack) on the first DescribeStackResource.
11. Scheduled Jobs run: Step Functions executions run their definition, CloudFormation
    builds the state machine wharf renders (`DefinitionString: !Sub [text, {vars}]`,
    GetAtt Arn), and `ecs:runTask.sync` runs an ECS task that stops after
    WHARF_SIM_JOB_SECONDS (default 0.5) with the exit codes its WHARF_SIM_EXIT_CODE
    says, failing the execution with States.TaskFailed on a non-zero one: see
    moto_sfn_jobs.py.
12. Worker Service messaging in CloudFormation. moto reported AWS::SNS::Subscription,
    AWS::SNS::TopicPolicy and AWS::SQS::QueuePolicy created without creating anything
    (`Ref` to them was empty). Now a Subscription subscribes (Protocol, Endpoint,
    FilterPolicy and its scope, RawMessageDelivery, RedrivePolicy, DeliveryPolicy; `Ref`
    is its ARN; deleting it unsubscribes), and the policies are set on the queues/topics
    they list (`Ref` is a generated ID; deleting one restores the default policy).
    `!GetAtt Topic.TopicArn` works, and a FIFO queue or topic without a name in the
    template gets a generated name ending in `.fifo`, as on AWS.
13. Task definitions say what the template says. A volume's `EFSVolumeConfiguration`
    (with `FilesystemId` and `AuthorizationConfig.IAM`) reaches the task definition
    under its API names (the generic PascalCase-to-camelCase rule made
    `eFSVolumeConfiguration`, which the API never returns); the user's own keys in log
    driver and FireLens `Options` and in `DockerLabels` are kept as written (`Name`
    became `name`); and `!Ref` to an AWS::EFS::AccessPoint is its ID, as on AWS (moto
    gave the model object).
14. `Fn::ImportValue` works in stacks made by change sets: moto gave such a stack no
    view of the region's exports (`No export named …`), so every stack sees them.
15. An AWS::ElasticLoadBalancingV2::TargetGroup keeps its `ProtocolVersion` (`GRPC`,
    `HTTP2`); moto's CloudFormation made every one `HTTP1`.
16. An AWS::EC2::SecurityGroup's `SecurityGroupEgress` replaces the default "all
    outbound" rule, as on AWS, and its ingress rules from a `SourcePrefixListId` are
    kept; moto's CloudFormation ignored both.
17. An AWS::Route53::HostedZone has `!GetAtt Zone.NameServers` (its delegation set's),
    and `!Ref` gives its bare ID (`Z…`), as on AWS; moto knew neither.
18. AWS::CertificateManager::Certificate requests the certificate from moto's ACM (its
    domain name, alternative names and tags); AWS::ElasticLoadBalancingV2::
    ListenerCertificate adds certificates to a listener. moto's CloudFormation had
    neither type.
19. An AWS::ElasticLoadBalancingV2::TargetGroup has `!GetAtt TargetGroupFullName`
    (`targetgroup/<name>/<id>`, the end of its ARN) and `TargetGroupName`, which
    request-count scaling policies use; moto knew no attribute of a target group.
20. An AWS::ElasticLoadBalancingV2::LoadBalancer keeps its `Type` (`network`), so its
    TCP, UDP and TLS listeners are accepted, and its `LoadBalancerAttributes` (access
    logs, deletion protection); moto's CloudFormation made every load balancer an
    Application Load Balancer without attributes.
21. AWS::CloudFront::Distribution exists in CloudFormation, with `!GetAtt DomainName`
    (`<id>.cloudfront.net`) and its configuration kept as written; moto's
    CloudFormation had no CloudFront type. Nothing is served.
24. An AWS::IAM::Role gets its `ManagedPolicyArns` attached (those moto knows);
    moto's CloudFormation ignored them.
23. A nested stack (AWS::CloudFormation::Stack) has `!GetAtt Stack.Outputs.<Name>`,
    its output's value, as on AWS; moto's nested stack had no attributes.
22. AWS::S3::BucketPolicy sets its bucket's policy (it was accepted and dropped),
    without its Deny statements: moto enforces bucket policies, and the TLS-only
    statement would refuse its plain-HTTP endpoint.
28. A change set that drops an export another stack imports fails, as on AWS ("Export
    … cannot be deleted as it is in use by …"); moto dropped it. An export the new
    template names (literally, or as `${AWS::StackName}-…`) is not dropped.
27. ListImports names the stacks whose templates import an export (`Fn::ImportValue`
    of its name); moto had no ListImports.
26. An update keeps a resource moto cannot update in place (an AWS::EC2::VPC whose
    tags change): moto dropped it from the stack (its resource map held None), as if
    deleted. An AWS::ECS::Cluster without `ClusterName` keeps its generated name:
    moto generated a new one on every update and replaced the cluster.
25. A change set that changes only the stack's tags is created with no changes and,
    executed, updates the tags, as on AWS; moto refused it ("No updates are to be
    performed", or a change set that "didn't contain changes") and kept the old tags.
29. An output whose `Condition` is false exports nothing, as on AWS; moto resolved every
    exported output's value, and a template with a conditional load balancer and its
    exports (Copilot's environment stack) could not be created without it.
35. A certificate a distribution shows is not deleted: its removal fails, as ACM's
    ResourceInUseException fails it on AWS; moto's stand-in (18) deleted nothing ever.
    Others are deleted from moto's ACM.
36. A custom resource (`Custom::*`) whose ServiceToken names a stand-in function
    (`...:function:stand-in-<name>`, tests/emulators/copilot_golden.py) is created and
    updated at once, with no attributes, and its deletion is recorded as the SSM
    parameter `/stand-in/deleted/<stack>/<logical ID>` (where its real delete handler
    would have run). moto invoked the function in a container and waited for its reply.
37. An AWS::Route53::RecordSet, or an AWS::Route53::RecordSetGroup's record, whose name
    and type a record of its zone has already fails to create ("Tried to create
    resource record set ... but it already exists"), as on AWS; moto added a second
    record beside the first.
"""

import os
import re
import sys
import time
import uuid

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends, route_tables, security_groups, vpn_gateway
from moto.ecs import models as ecs_models
from moto.efs import models as efs_models
from moto.elbv2 import models as elbv2_models


# CloudFormation names whose API name is not the name with a lower-case first letter.
API_NAMES = {
    "EFSVolumeConfiguration": "efsVolumeConfiguration",
    "FilesystemId": "fileSystemId",
    "IAM": "iam",
}


# Properties whose value is a map of the user's own keys, kept as written.
FREE_FORM = {"Options", "DockerLabels"}


def lower_first(value):
    """CloudFormation's PascalCase keys to the API's camelCase, recursively."""
    if isinstance(value, dict):
        return {
            API_NAMES.get(k, k[:1].lower() + k[1:]): v if k in FREE_FORM else lower_first(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [lower_first(v) for v in value]
    return value


# ---- 1. Models for resource types moto's CloudFormation lacks ---------------------------


def _fake_model(cfn_type, prefix, service, arn_kind):
    """A resource type with an ID and an ARN: enough for Ref and GetAtt."""

    def __init__(self, account_id, region, props):
        self.id = f"{prefix}-{uuid.uuid4().hex[:16]}"
        self.arn = f"arn:aws:{service}:{region}:{account_id}:{arn_kind}/{self.id}"
        self.props = props

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(account_id, region_name, cloudformation_json.get("Properties", {}))

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource.props = cloudformation_json.get("Properties", {})
        return original_resource

    def delete(cls, resource_name, cloudformation_json, account_id, region_name):
        return None

    namespace = {
        "__init__": __init__,
        # moto derives a model's service from the module that defines it.
        "__module__": f"moto.{service}.models",
        "cloudformation_type": staticmethod(lambda: cfn_type),
        "cloudformation_name_type": staticmethod(lambda: ""),
        "physical_resource_id": property(lambda self: self.id),
        "has_cfn_attr": classmethod(lambda cls, attr: attr in ("Id", "Arn", "Name")),
        "get_cfn_attribute": lambda self, attr: {"Id": self.id, "Arn": self.arn, "Name": self.props.get("Name", self.id)}[attr],
        "create_from_cloudformation_json": classmethod(create),
        "update_from_cloudformation_json": classmethod(update),
        "delete_from_cloudformation_json": classmethod(delete),
    }
    # moto builds its type map from the direct subclasses of CloudFormationModel.
    return type(cfn_type.replace("::", ""), (CloudFormationModel,), namespace)


for _t, _p, _s, _k in [
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", "ns", "servicediscovery", "namespace"),
    ("AWS::ServiceDiscovery::Service", "srv", "servicediscovery", "service"),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "target", "applicationautoscaling", "scalable-target"),
    ("AWS::ApplicationAutoScaling::ScalingPolicy", "policy", "applicationautoscaling", "scaling-policy"),
]:
    _fake_model(_t, _p, _s, _k)
parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()


# ---- 13. `!Ref` to an EFS access point is its ID ----------------------------------------

efs_models.AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)


# ---- 14. Stacks made by change sets see the region's exports ---------------------------

_orig_create_change_set = cfn_models.CloudFormationBackend.create_change_set


def _create_change_set(self, stack_name, *args, **kwargs):
    out = _orig_create_change_set(self, stack_name, *args, **kwargs)
    for stack in self.stacks.values():
        if stack.name == stack_name:
            # The backend's own dict: exports made later are seen too. The stack's
            # resource map was made with the stack, and keeps its own reference.
            stack.cross_stack_resources = self.exports
            stack.resource_map.cross_stack_resources = self.exports
    return out


cfn_models.CloudFormationBackend.create_change_set = _create_change_set


# ---- 15. Target groups keep their protocol version -------------------------------------

_orig_tg_create = elbv2_models.FakeTargetGroup.create_from_cloudformation_json.__func__


def _tg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    tg = _orig_tg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    version = cloudformation_json["Properties"].get("ProtocolVersion")
    if version and tg.protocol in ("HTTP", "HTTPS"):
        tg.protocol_version = version
    return tg


elbv2_models.FakeTargetGroup.create_from_cloudformation_json = classmethod(_tg_create)


# ---- 16. Security groups get the egress rules their template gives ----------------------

_orig_sg_create = security_groups.SecurityGroup.create_from_cloudformation_json.__func__


def _sg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    group = _orig_sg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    props = cloudformation_json["Properties"]
    # Ingress from a prefix list (CloudFront's), which moto's CloudFormation dropped.
    for r in props.get("SecurityGroupIngress") or []:
        if r.get("SourcePrefixListId"):
            ec2_backends[account_id][region_name].authorize_security_group_ingress(
                group_name_or_id=group.id,
                ip_protocol=str(r["IpProtocol"]),
                from_port=r.get("FromPort"),
                to_port=r.get("ToPort"),
                ip_ranges=[],
                prefix_list_ids=[{"PrefixListId": r["SourcePrefixListId"]}],
                vpc_id=props.get("VpcId"),
            )
    _set_egress(group, props, account_id, region_name)
    return group


def _set_egress(group, props, account_id, region_name):
    """The group's egress rules become the template's `SecurityGroupEgress`, when given."""
    egress = props.get("SecurityGroupEgress")
    if not egress:
        return
    backend = ec2_backends[account_id][region_name]
    group.egress_rules = []
    for r in egress:
        backend.authorize_security_group_egress(
            group_name_or_id=group.id,
            ip_protocol=str(r["IpProtocol"]),
            from_port=r.get("FromPort"),
            to_port=r.get("ToPort"),
            ip_ranges=[{"CidrIp": r["CidrIp"]}] if r.get("CidrIp") else [],
            vpc_id=props.get("VpcId"),
        )


security_groups.SecurityGroup.create_from_cloudformation_json = classmethod(_sg_create)

_orig_sg_update = security_groups.SecurityGroup.update_from_cloudformation_json.__func__


def _sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    """Adjustment 32: in place unless a create-only property changes (GroupDescription,
    GroupName, VpcId); moto deleted and created the group on every update."""
    props = cloudformation_json.get("Properties") or {}
    same = (
        props.get("GroupDescription") == original_resource.description
        and props.get("VpcId") == original_resource.vpc_id
        and props.get("GroupName") in (None, original_resource.name)
    )
    if not same:
        return _orig_sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    _set_egress(original_resource, props, account_id, region_name)
    tags = {t["Key"]: t["Value"] for t in props.get("Tags") or []}
    if tags:
        ec2_backends[account_id][region_name].create_tags([original_resource.id], tags)
    return original_resource


security_groups.SecurityGroup.update_from_cloudformation_json = classmethod(_sg_update)


# ---- 17. Hosted zones: `!GetAtt NameServers`, and `!Ref` is the bare ID -----------------

from moto.route53 import models as route53_models  # noqa: E402

route53_models.FakeZone.physical_resource_id = property(lambda self: self.resource_id)
route53_models.FakeZone.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Id", "NameServers"))
route53_models.FakeZone.get_cfn_attribute = lambda self, attr: {
    "Id": self.resource_id,
    "NameServers": list(self.delegation_set.name_servers) if self.delegation_set else [],
}[attr]


# ---- 18. ACM certificates and listener certificates in CloudFormation -------------------

from moto.acm import models as acm_models  # noqa: E402


class _Replaced:
    """A resource CloudFormation names itself, that a change replaces (unless its class
    updates it in place), and whose delete leaves nothing to undo here; `!Ref` is its
    `id`."""

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.id

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None


# Direct subclasses of CloudFormationModel: moto's type map lists no others.
class AcmCertificate(_Replaced, CloudFormationModel):
    """A certificate requested from moto's ACM: `!Ref` is its ARN. Every property of a
    certificate needs a new one on AWS."""

    __module__ = "moto.acm.models"

    def __init__(self, arn):
        self.id = arn

    @staticmethod
    def cloudformation_type():
        return "AWS::CertificateManager::Certificate"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        arn = acm_models.acm_backends[account_id][region_name].request_certificate(
            domain_name=props["DomainName"],
            idempotency_token=None,
            subject_alt_names=props.get("SubjectAlternativeNames") or [],
            tags=props.get("Tags") or [],
        )
        return cls(arn)


class ListenerCertificate(_Replaced, CloudFormationModel):
    """Certificates added to a listener (beyond its default one)."""

    __module__ = "moto.elbv2.models"

    def __init__(self, listener_arn):
        self.id = f"{listener_arn}|cert-{uuid.uuid4().hex[:8]}"

    @staticmethod
    def cloudformation_type():
        return "AWS::ElasticLoadBalancingV2::ListenerCertificate"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        elbv2_models.elbv2_backends[account_id][region_name].add_listener_certificates(
            props["ListenerArn"], props.get("Certificates") or []
        )
        return cls(props["ListenerArn"])


parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()


# ---- 19. Target groups' `!GetAtt TargetGroupFullName` ----------------------------------

elbv2_models.FakeTargetGroup.has_cfn_attr = classmethod(
    lambda cls, attr: attr in ("TargetGroupFullName", "TargetGroupName", "TargetGroupArn")
)
elbv2_models.FakeTargetGroup.get_cfn_attribute = lambda self, attr: {
    "TargetGroupFullName": self.arn.split(":")[-1],
    "TargetGroupName": self.name,
    "TargetGroupArn": self.arn,
}[attr]


# ---- 20. Load balancers keep their type ------------------------------------------------


def _lb_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    backend = elbv2_models.elbv2_backends[account_id][region_name]
    lb = backend.create_load_balancer(
        resource_name,
        props.get("SecurityGroups"),
        props.get("Subnets"),
        scheme=props.get("Scheme", "internet-facing"),
        loadbalancer_type=props.get("Type"),
    )
    attrs = {a["Key"]: str(a["Value"]) for a in props.get("LoadBalancerAttributes") or []}
    if attrs:
        backend.modify_load_balancer_attributes(lb.arn, attrs)
    return lb


elbv2_models.FakeLoadBalancer.create_from_cloudformation_json = classmethod(_lb_create)


# ---- 21. CloudFront distributions in CloudFormation -------------------------------------


class CloudFrontDistribution(_Replaced, CloudFormationModel):
    """A distribution's ID, domain name and configuration; nothing is served."""

    __module__ = "moto.cloudfront.models"

    def __init__(self, config):
        self.id = "E" + uuid.uuid4().hex[:13].upper()
        self.domain_name = f"d{uuid.uuid4().hex[:13]}.cloudfront.net"
        self.config = config

    @staticmethod
    def cloudformation_type():
        return "AWS::CloudFront::Distribution"

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("DomainName", "Id")

    def get_cfn_attribute(self, attr):
        return {"DomainName": self.domain_name, "Id": self.id}[attr]

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(cloudformation_json["Properties"].get("DistributionConfig", {}))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource.config = cloudformation_json["Properties"].get("DistributionConfig", {})
        return original_resource

    def delete(self, account_id, region_name):
        _DISTRIBUTIONS.discard(self)


# Adjustment 35: the distributions that exist, whose certificates are in use.
_DISTRIBUTIONS = set()
_distribution_init = CloudFrontDistribution.__init__


def _distribution_registered(self, config):
    _distribution_init(self, config)
    _DISTRIBUTIONS.add(self)


CloudFrontDistribution.__init__ = _distribution_registered


def _certificate_delete(self, account_id, region_name):
    users = [d.id for d in _DISTRIBUTIONS if ((d.config or {}).get("ViewerCertificate") or {}).get("AcmCertificateArn") == self.id]
    if users:
        raise Exception(f"ResourceInUseException: certificate {self.id} is in use by distribution {users[0]}")
    acm_region = self.id.split(":")[3]
    try:
        acm_models.acm_backends[account_id][acm_region].delete_certificate(self.id)
    except acm_models.CertificateNotFound:
        pass


AcmCertificate.delete = _certificate_delete


parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()


# ---- 23. Nested stacks' `!GetAtt Stack.Outputs.<Name>` ---------------------------------


def _nested_get_attr(self, attr):
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    if attr.startswith("Outputs."):
        out = self.output_map.get(attr[len("Outputs."):])
        if out is not None:
            return out.value
    raise UnformattedGetAttTemplateException()


cfn_models.Stack.get_cfn_attribute = _nested_get_attr

# `!GetAtt A.Outputs.B` reaches moto as three parts; the attribute is `Outputs.B`.
_orig_clean_json = parsing.clean_json


def _clean_json(resource_json, resources_map):
    if isinstance(resource_json, dict):
        att = resource_json.get("Fn::GetAtt")
        if isinstance(att, list) and len(att) > 2:
            resource_json = dict(resource_json)
            resource_json["Fn::GetAtt"] = [att[0], ".".join(str(a) for a in att[1:])]
    if isinstance(resource_json, list):
        # Adjustment 30: a list item that is `AWS::NoValue` (an `Fn::If` branch) is left out.
        cleaned = (_clean_json(v, resources_map) for v in resource_json)
        return [v for v in cleaned if v is not None]
    return _orig_clean_json(resource_json, resources_map)


parsing.clean_json = _clean_json


# ---- 24. Roles get their managed policies ------------------------------------------------

from moto.utilities.utils import get_partition  # noqa: E402

from moto.iam import models as iam_models  # noqa: E402

_orig_role_create = iam_models.Role.create_from_cloudformation_json.__func__


def _role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    role = _orig_role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = iam_models.iam_backends[account_id][get_partition(region_name)]
    known = {p.arn for p in backend.managed_policies.values()}
    for arn in cloudformation_json["Properties"].get("ManagedPolicyArns") or []:
        if arn in known:
            backend.attach_role_policy(arn, role.name)
    return role


iam_models.Role.create_from_cloudformation_json = classmethod(_role_create)


# ---- 2. ECS task definitions and services keep what the template says ------------------


def _ecs(account_id, region_name):
    return ecs_models.ecs_backends[account_id][region_name]


def _register(backend, p):
    return backend.register_task_definition(
        family=p.get("Family") or f"task-{uuid.uuid4().hex[:8]}",
        container_definitions=lower_first(p.get("ContainerDefinitions", [])),
        volumes=lower_first(p.get("Volumes", [])),
        network_mode=p.get("NetworkMode"),
        requires_compatibilities=p.get("RequiresCompatibilities"),
        cpu=p.get("Cpu"),
        memory=p.get("Memory"),
        task_role_arn=p.get("TaskRoleArn"),
        execution_role_arn=p.get("ExecutionRoleArn"),
        runtime_platform=lower_first(p.get("RuntimePlatform")),
        ephemeral_storage=lower_first(p.get("EphemeralStorage")),
    )


def _td_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    return _register(_ecs(account_id, region_name), cloudformation_json["Properties"])


def _td_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    # Task definitions are immutable: any change is a new revision.
    return _register(_ecs(account_id, region_name), cloudformation_json["Properties"])


def _arn(value):
    return value.arn if hasattr(value, "arn") else value


def _cluster_name(value):
    return value.name if isinstance(value, ecs_models.Cluster) else str(value).split("/")[-1]


def _apply_service_props(svc, p):
    svc.deployment_configuration = lower_first(p.get("DeploymentConfiguration") or {})
    svc.capacity_provider_strategy = lower_first(p.get("CapacityProviderStrategy") or [])
    svc.enable_execute_command = str(p.get("EnableExecuteCommand", "false")).lower() == "true"
    if p.get("LoadBalancers") is not None:
        svc.load_balancers = lower_first(p["LoadBalancers"])
    if p.get("NetworkConfiguration"):
        svc.network_configuration = lower_first(p["NetworkConfiguration"])
    if p.get("LaunchType"):
        svc.launch_type = p["LaunchType"]
    elif svc.capacity_provider_strategy:
        svc.launch_type = None


def _svc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    p = cloudformation_json["Properties"]
    svc = _ecs(account_id, region_name).create_service(
        _cluster_name(p["Cluster"]),
        p.get("ServiceName") or resource_name,
        int(p.get("DesiredCount", 1)),
        task_definition_str=_arn(p["TaskDefinition"]),
        load_balancers=lower_first(p.get("LoadBalancers")),
        launch_type=p.get("LaunchType"),
        network_configuration=lower_first(p.get("NetworkConfiguration")),
        service_registries=lower_first(p.get("ServiceRegistries")),
        platform_version=p.get("PlatformVersion"),
        propagate_tags=p.get("PropagateTags", "NONE"),
    )
    _apply_service_props(svc, p)
    return svc


def _svc_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    # Atomic with respect to the rollout simulation, which other threads advance.
    with moto_ecs_rollouts.LOCK:
        return _svc_update_locked(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


def _svc_update_locked(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    svc = original_resource
    p = cloudformation_json["Properties"]
    if _cluster_name(p["Cluster"]) != svc.cluster_name:
        # Cluster is immutable: CloudFormation replaces the service (create, then delete).
        new = _svc_create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        _ecs(account_id, region_name).delete_service(svc.cluster_name, svc.name, force=True)
        return new
    if "DesiredCount" in p:
        svc.desired_count = int(p["DesiredCount"])
    _apply_service_props(svc, p)
    new_td = _ecs(account_id, region_name).describe_task_definition(_arn(p["TaskDefinition"])).arn
    moto_ecs_rollouts.new_task_definition(svc, new_td)
    return svc


ecs_models.TaskDefinition.create_from_cloudformation_json = classmethod(_td_create)
ecs_models.TaskDefinition.update_from_cloudformation_json = classmethod(_td_update)
ecs_models.Service.create_from_cloudformation_json = classmethod(_svc_create)
ecs_models.Service.update_from_cloudformation_json = classmethod(_svc_update)

# moto 5.2 serializes DescribeServices from model attributes named like the API members
# (`deployment_configuration` → `deploymentConfiguration`), so setting them is enough.


# ---- 3. Changes cascade to the resources that reference them ----------------------------


def _references(value, found):
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            found.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found.update(m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text))
        for v in value.values():
            _references(v, found)
    elif isinstance(value, list):
        for v in value:
            _references(v, found)
    return found


_orig_diff = parsing.ResourceMap.build_resource_diff


def _build_resource_diff(self, other_template, parameters=None):
    diff = _orig_diff(self, other_template, parameters)
    resources = other_template.get("Resources", {})
    changed = set(diff["Modify"])
    # Parameters whose values change count as changed references too.
    old_params = {k: v for k, v in (self.input_parameters or {}).items()}
    for name, value in (parameters or {}).items():
        if old_params.get(name) != value:
            changed.add(name)
    grew = True
    while grew:
        grew = False
        for name, body in resources.items():
            if name in changed or name not in self._resource_json_map:
                continue
            if _references(body.get("Properties", {}), set()) & changed:
                changed.add(name)
                diff["Modify"].append(name)
                grew = True
    order = list(resources)
    diff["Modify"] = sorted({m for m in diff["Modify"] if m in resources}, key=order.index)
    # Adjustment 31: only what the stack has can be removed or modified; a resource it
    # lacks (its condition was false) that the new template has is added.
    conditions = self.lazy_condition_map

    def exists(r):
        cond = (self._resource_json_map.get(r) or {}).get("Condition")
        return cond is None or conditions[cond]

    diff["Remove"] = [r for r in diff["Remove"] if exists(r)]
    absent = [m for m in diff["Modify"] if not exists(m)]
    diff["Modify"] = [m for m in diff["Modify"] if exists(m)]
    diff["Add"] = list(diff["Add"]) + absent
    return diff


parsing.ResourceMap.build_resource_diff = _build_resource_diff

# A change set's diff ignores its parameters in moto (`build_change_set_actions` diffs the
# template only), so a new parameter value, like a new image digest, showed no changes.
_orig_change_set_diff = cfn_models.ChangeSet.diff


def _change_set_diff(self):
    resource_map = self.stack.resource_map
    diff = resource_map.build_resource_diff
    params = self.parameters
    resource_map.build_resource_diff = lambda template, parameters=None: diff(
        template, parameters if parameters is not None else params
    )
    try:
        return _orig_change_set_diff(self)
    finally:
        del resource_map.build_resource_diff


cfn_models.ChangeSet.diff = _change_set_diff


# ---- 4 and 5. Change sets: fresh outputs, and failures that roll back --------------------

_orig_apply = cfn_models.ChangeSet.apply


def _apply(self):
    _orig_apply(self)
    stack = self.stack
    if self.parameters:
        stack.parameters = self.parameters
    stack.template = self.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()


cfn_models.ChangeSet.apply = _apply


# ---- 27. ListImports --------------------------------------------------------------------


def _list_imports(self):
    import json

    from moto.cloudformation.exceptions import ValidationError
    from moto.core.responses import ActionResult

    name = self._get_param("ExportName")
    importers = []
    for stack in self.cloudformation_backend.stacks.values():
        if stack.status == "DELETE_COMPLETE":
            continue
        body = stack.template if isinstance(stack.template, str) else json.dumps(stack.template)
        if "ImportValue" in body and name in body:
            importers.append(stack.name)
    if not importers:
        raise ValidationError(name, message=f"Export '{name}' is not imported by any stack.")
    return ActionResult({"Imports": sorted(importers)})


from moto.cloudformation import responses as cfn_responses  # noqa: E402

cfn_responses.CloudFormationResponse.list_imports = _list_imports


# ---- 26. Updates keep what moto cannot update, and generated cluster names ---------------

_parse_and_update_26 = parsing.parse_and_update_resource


def _update_or_keep(logical_id, resource_json, resources_map, account_id, region_name):
    original = resources_map._parsed_resources.get(logical_id)
    if (
        resource_json.get("Type") == "AWS::ECS::Cluster"
        and "ClusterName" not in (resource_json.get("Properties") or {})
        and original is not None
    ):
        return original
    updated = _parse_and_update_26(logical_id, resource_json, resources_map, account_id, region_name)
    return original if updated is None else updated


parsing.parse_and_update_resource = _update_or_keep


# ---- 25. Tags-only change sets ------------------------------------------------------------

_create_change_set_25 = cfn_models.CloudFormationBackend.create_change_set


def _tags_only_change_set(self, stack_name, change_set_name, template, parameters, *args, **kwargs):
    change_set_id, stack_id = _create_change_set_25(
        self, stack_name, change_set_name, template, parameters, *args, **kwargs
    )
    cs = self.change_sets[change_set_id]
    tags = kwargs.get("tags")
    if cs.status == "FAILED" and tags is not None and dict(tags) != dict(cs.stack.tags or {}):
        cs.status = "CREATE_COMPLETE"
        cs.execution_status = "AVAILABLE"
        cs.status_reason = None
    return change_set_id, stack_id


cfn_models.CloudFormationBackend.create_change_set = _tags_only_change_set

from moto.cloudformation import responses as cfn_responses

_validate_different_update_25 = cfn_responses.CloudFormationResponse._validate_different_update


def _different_unless_tags(self, incoming_params, stack_body, old_stack):
    tags = {t["Key"]: t["Value"] for t in self._get_param("Tags", [])}
    if tags != dict(old_stack.tags or {}):
        return
    _validate_different_update_25(self, incoming_params, stack_body, old_stack)


cfn_responses.CloudFormationResponse._validate_different_update = _different_unless_tags

_apply_with_outputs = cfn_models.ChangeSet.apply


def _apply_tags(self):
    _apply_with_outputs(self)
    if self.tags is not None:
        self.stack.tags = dict(self.tags)


cfn_models.ChangeSet.apply = _apply_tags


# ---- 28. Exports in use stay ---------------------------------------------------------------

_apply_28 = cfn_models.ChangeSet.apply


def _apply_keeping_exports(self):
    import json

    from moto.cloudformation.exceptions import ValidationError

    stack = self.stack
    body = self.template if isinstance(self.template, str) else json.dumps(self.template)
    backend = cfn_models.cloudformation_backends[stack.account_id][stack.region_name]
    for export in list(getattr(stack, "exports", None) or []):
        # Named literally, or as `!Sub ${AWS::StackName}-...` (Copilot's templates).
        if export.name in body or export.name.replace(stack.name, "${AWS::StackName}", 1) in body:
            continue
        for other in backend.stacks.values():
            if other is stack or other.status == "DELETE_COMPLETE":
                continue
            text = other.template if isinstance(other.template, str) else json.dumps(other.template)
            if "ImportValue" in text and export.name in text:
                raise ValidationError(
                    stack.name,
                    message=f"Export {export.name} cannot be deleted as it is in use by {other.name}",
                )
    _apply_28(self)


cfn_models.ChangeSet.apply = _apply_keeping_exports

_orig_execute = cfn_models.CloudFormationBackend.execute_change_set


# Tests widen the window in which a change set runs (seconds per resource built).
_BUILD_SECONDS = float(os.environ.get("WHARF_SIM_CFN_BUILD_SECONDS", "0"))


def _tracking(original):
    """Names the resource an error came from on the error itself (the innermost one:
    building a resource may build the resources it references first), so that the
    stack's failure event names the resource that failed, whatever else runs."""

    def wrapper(logical_id, *args, **kwargs):
        if _BUILD_SECONDS:
            time.sleep(_BUILD_SECONDS)
        try:
            return original(logical_id, *args, **kwargs)
        except Exception as error:
            if getattr(error, "wharf_logical_id", None) is None:
                try:
                    error.wharf_logical_id = logical_id
                except AttributeError:  # an exception type without a __dict__
                    pass
            raise

    return wrapper


parsing.parse_and_create_resource = _tracking(parsing.parse_and_create_resource)
parsing.parse_and_update_resource = _tracking(parsing.parse_and_update_resource)


def _execute_change_set(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None
    )
    if change_set is None:
        return _orig_execute(self, change_set_name, stack_name)
    stack = self.stacks[change_set.stack_id]
    try:
        return _orig_execute(self, change_set_name, stack_name)
    except Exception as error:  # noqa: BLE001 - any failure becomes a stack failure, as on AWS
        creating = change_set.change_set_type == "CREATE"
        text = str(error)
        reason = text if type(error).__name__ in text else f"{type(error).__name__}: {text}"
        failed = getattr(error, "wharf_logical_id", None) or stack.name
        stack._add_stack_event(
            "CREATE_IN_PROGRESS" if creating else "UPDATE_IN_PROGRESS", resource_status_reason="User Initiated"
        )
        stack.events.append(
            cfn_models.Event(
                stack_id=stack.stack_id,
                stack_name=stack.name,
                logical_resource_id=failed,
                physical_resource_id="",
                resource_type=change_set.template_dict.get("Resources", {}).get(failed, {}).get("Type", "AWS::CloudFormation::CustomResource"),
                resource_status="CREATE_FAILED" if creating else "UPDATE_FAILED",
                resource_status_reason=reason,
                resource_properties=None,
            )
        )
        final = "ROLLBACK_COMPLETE" if creating else "UPDATE_ROLLBACK_COMPLETE"
        stack._add_stack_event("ROLLBACK_IN_PROGRESS" if creating else "UPDATE_ROLLBACK_IN_PROGRESS",
                               resource_status_reason="The following resource(s) failed: [%s]." % failed)
        stack._add_stack_event(final)
        stack.status = final
        change_set.execution_status = "EXECUTE_COMPLETE"
        return None


cfn_models.CloudFormationBackend.execute_change_set = _execute_change_set


# ---- 6. Deleting a gateway attachment detaches the gateway ------------------------------


def _detach(self, account_id, region_name):
    from moto.ec2.models import ec2_backends

    if self.gateway_id and self.gateway_id.startswith("igw-"):
        ec2_backends[account_id][region_name].detach_internet_gateway(self.gateway_id, self.vpc_id)


def _delete_route_table(self, account_id, region_name):
    from moto.ec2.models import ec2_backends

    ec2_backends[account_id][region_name].route_tables.pop(self.id, None)


def _delete_listener_rule(self, account_id, region_name):
    from moto.elbv2.models import elbv2_backends

    elbv2_backends[account_id][region_name].delete_rule(self.arn)


def _delete_target_group(self, account_id, region_name):
    from moto.elbv2.models import elbv2_backends

    elbv2_backends[account_id][region_name].target_groups.pop(self.arn, None)


vpn_gateway.VPCGatewayAttachment.delete = _detach
route_tables.RouteTable.delete = _delete_route_table
elbv2_models.FakeListenerRule.delete = _delete_listener_rule
elbv2_models.FakeTargetGroup.delete = _delete_target_group


# 7. ECR backed by the image lab's registry.
import base64
import json
import ssl
import urllib.error
import urllib.request

from moto.ecr import models as ecr_models

_MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)


def _registry_get(path, accept=None):
    """GET <registry>/v2/<path>: (body, headers), or None when the registry says 404."""
    base = os.environ["WHARF_LAB_REGISTRY"].rstrip("/")
    ctx = ssl.create_default_context(cafile=os.environ.get("WHARF_LAB_REGISTRY_CA") or None)
    req = urllib.request.Request(f"{base}/v2/{path}")
    auth = os.environ.get("WHARF_LAB_REGISTRY_AUTH")
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.read(), r.headers
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def _sync_from_registry(backend, repository_name):
    repo = backend.repositories.get(repository_name)
    if repo is None or not os.environ.get("WHARF_LAB_REGISTRY"):
        return
    listed = _registry_get(f"{repository_name}/tags/list")
    for tag in (json.loads(listed[0]).get("tags") or []) if listed else []:
        got = _registry_get(f"{repository_name}/manifests/{tag}", _MANIFEST_TYPES)
        if got is None:
            continue
        body, headers = got
        digest = headers.get("Docker-Content-Digest")
        if any(tag in i.image_tags and i.image_digest == digest for i in repo.images):
            continue
        media_type = headers.get("Content-Type", "").split(";")[0] or None
        try:
            backend.put_image(repository_name, body.decode(), tag, media_type, digest)
        except Exception:  # an immutable tag already recorded: keep moto's record
            pass


def _syncing(original):
    def wrapper(self, repository_name, *args, **kwargs):
        _sync_from_registry(self, repository_name)
        return original(self, repository_name, *args, **kwargs)

    return wrapper


for _name in ("describe_images", "batch_get_image", "list_images"):
    setattr(ecr_models.ECRBackend, _name, _syncing(getattr(ecr_models.ECRBackend, _name)))


# 8. ECS rollouts.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_ecs_rollouts  # noqa: E402

moto_ecs_rollouts.registry_get = lambda path, accept=None: _registry_get(path, accept)

# 11. Scheduled Jobs: Step Functions executions that run ECS tasks.
import moto_sfn_jobs  # noqa: E402,F401


# ---- 9. One AWS request at a time --------------------------------------------------------

from moto.moto_server import werkzeug_app  # noqa: E402

_orig_dispatch = werkzeug_app.DomainDispatcherApplication.__call__


def _one_at_a_time(self, environ, start_response):
    # The response is built inside the call (moto's Flask views return whole bodies).
    with moto_ecs_rollouts.LOCK:
        return _orig_dispatch(self, environ, start_response)


werkzeug_app.DomainDispatcherApplication.__call__ = _one_at_a_time


# ---- 10. Reading a stack's resources builds none -----------------------------------------


def _built_resources(self):
    built = self.resource_map._parsed_resources
    return [built[name] for name in self.resource_map.resources if built.get(name) is not None]


cfn_models.Stack.stack_resources = property(_built_resources)


# ---- 12. Worker Service messaging in CloudFormation --------------------------------------

from moto.sns import models as sns_models  # noqa: E402
from moto.sqs import models as sqs_models  # noqa: E402


def _json_text(value):
    return value if isinstance(value, str) else json.dumps(value)


class SNSSubscription(CloudFormationModel):
    """AWS::SNS::Subscription: a subscription in moto's SNS (moto's own Subscription is no
    CloudFormation model). `Ref` is its ARN."""

    __module__ = "moto.sns.models"  # moto files models by the service of their module
    ATTRIBUTES = ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn")

    def __init__(self, account_id, region_name, props):
        self.account_id, self.region_name = account_id, region_name
        backend = sns_models.sns_backends[account_id][region_name]
        self.arn = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"]).arn
        self.key = (props["TopicArn"], props["Endpoint"], props["Protocol"])
        self._set_attributes(props)

    def _set_attributes(self, props):
        backend = sns_models.sns_backends[self.account_id][self.region_name]
        subscription = backend.subscriptions[self.arn]
        for name in self.ATTRIBUTES:  # the scope first: the filter policy is checked against it
            value = props.get(name)
            if name == "RawMessageDelivery":
                backend.set_subscription_attributes(self.arn, name, str(value).lower() == "true")
            elif value not in (None, "", {}):
                backend.set_subscription_attributes(self.arn, name, _json_text(value))
            elif name in subscription.attributes:
                if name == "FilterPolicy":
                    backend.set_subscription_attributes(self.arn, name, "")
                subscription.attributes.pop(name)

    @property
    def physical_resource_id(self):
        return self.arn

    @staticmethod
    def cloudformation_type():
        return "AWS::SNS::Subscription"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Arn":
            return self.arn
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(account_id, region_name, cloudformation_json["Properties"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        if (props["TopicArn"], props["Endpoint"], props["Protocol"]) != original_resource.key:
            # A new topic, endpoint or protocol replaces the subscription.
            new = cls(account_id, region_name, props)
            original_resource.delete(account_id, region_name)
            return new
        if original_resource.arn not in sns_models.sns_backends[account_id][region_name].subscriptions:
            # moto updates a topic by deleting and creating it again, with no subscriptions.
            return cls(account_id, region_name, props)
        original_resource._set_attributes(props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        sns_models.sns_backends[account_id][region_name].unsubscribe(resource_name)

    def delete(self, account_id, region_name):
        sns_models.sns_backends[account_id][region_name].unsubscribe(self.arn)


class _Policy:
    """A resource policy set on the resources it lists; `Ref` is a generated ID, as on AWS.
    Deleting it puts the default policy back on those that still exist."""

    def __init__(self, resource_name, account_id, region_name, props):
        self.id, self.account_id, self.region_name = resource_name, account_id, region_name
        self.props = props
        self._apply(props)

    @property
    def physical_resource_id(self):
        return self.id

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "Id"

    def get_cfn_attribute(self, attribute_name):
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Id":
            return self.id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(resource_name, account_id, region_name, cloudformation_json["Properties"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource._reset(original_resource.props)
        original_resource.props = cloudformation_json["Properties"]
        original_resource._apply(original_resource.props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None

    def delete(self, account_id, region_name):
        self._reset(self.props)


# Direct subclasses of CloudFormationModel: moto's type map lists no others.
class SQSQueuePolicy(_Policy, CloudFormationModel):
    """AWS::SQS::QueuePolicy: `Queues` (URLs) get `PolicyDocument` as their Policy."""

    __module__ = "moto.sqs.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::SQS::QueuePolicy"

    def _queues(self, props):
        backend = sqs_models.sqs_backends[self.account_id][self.region_name]
        for url in props.get("Queues") or []:
            queue = backend.queues.get(str(url).rstrip("/").split("/")[-1])
            if queue is not None:
                yield queue

    def _apply(self, props):
        for queue in self._queues(props):
            queue.policy = _json_text(props.get("PolicyDocument") or {})

    def _reset(self, props):
        for queue in self._queues(props):
            queue.policy = None


class SNSTopicPolicy(_Policy, CloudFormationModel):
    """AWS::SNS::TopicPolicy: `Topics` (ARNs) get `PolicyDocument` as their Policy."""

    __module__ = "moto.sns.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::SNS::TopicPolicy"

    def _topics(self, props):
        backend = sns_models.sns_backends[self.account_id][self.region_name]
        for arn in props.get("Topics") or []:
            if arn in backend.topics:
                yield backend.topics[arn]

    def _apply(self, props):
        for topic in self._topics(props):
            topic.policy = _json_text(props.get("PolicyDocument") or {})

    def _reset(self, props):
        for topic in self._topics(props):
            topic._policy_json = topic._create_default_topic_policy(self.region_name, self.account_id, topic.name)


class S3BucketPolicy(_Policy, CloudFormationModel):
    """AWS::S3::BucketPolicy (adjustment 22): `Bucket` gets `PolicyDocument` as its
    policy; moto's CloudFormation had no such type and set none."""

    __module__ = "moto.s3.models"

    @staticmethod
    def cloudformation_type():
        return "AWS::S3::BucketPolicy"

    def _apply(self, props):
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        backend = s3_backends[self.account_id][get_partition(self.region_name)]
        if props.get("Bucket") in backend.buckets:
            # Deny statements are left out: moto enforces bucket policies, and its
            # endpoint is plain HTTP, which `aws:SecureTransport` denies.
            doc = dict(props.get("PolicyDocument") or {})
            doc["Statement"] = [st for st in doc.get("Statement") or [] if st.get("Effect") != "Deny"]
            if doc["Statement"]:
                backend.put_bucket_policy(props["Bucket"], _json_text(doc).encode())

    def _reset(self, props):
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        backend = s3_backends[self.account_id][get_partition(self.region_name)]
        if props.get("Bucket") in backend.buckets:
            backend.delete_bucket_policy(props["Bucket"])


parsing.get_model_list.cache_clear()
parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()

# `!GetAtt Topic.TopicArn` (moto knew TopicName only: a stack output with it made every
# DescribeStacks fail with HTTP 500).
_orig_topic_has_attr = sns_models.Topic.has_cfn_attr.__func__
_orig_topic_get_attr = sns_models.Topic.get_cfn_attribute
sns_models.Topic.has_cfn_attr = classmethod(lambda cls, attr: attr == "TopicArn" or _orig_topic_has_attr(cls, attr))
sns_models.Topic.get_cfn_attribute = lambda self, attr: self.arn if attr == "TopicArn" else _orig_topic_get_attr(self, attr)


def _fifo_name(flag):
    """A FIFO queue or topic CloudFormation names gets the `.fifo` suffix AWS requires
    (moto's generated `stack-Logical-XXXX` lacked it, and creating the queue failed)."""

    def wrap(original):
        def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            props = cloudformation_json.get("Properties") or {}
            name = str(resource_name)
            named = props.get(cls.cloudformation_name_type())  # a name the template gives is kept as it is
            if str(props.get(flag)).lower() == "true" and not named and not name.endswith(".fifo"):
                resource_name = name[:75] + ".fifo"
            return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

        return classmethod(create)

    return wrap


sqs_models.Queue.create_from_cloudformation_json = _fifo_name("FifoQueue")(sqs_models.Queue.create_from_cloudformation_json.__func__)
sns_models.Topic.create_from_cloudformation_json = _fifo_name("FifoTopic")(sns_models.Topic.create_from_cloudformation_json.__func__)


def _exports_of_outputs_that_exist(self):
    """Adjustment 29: only outputs whose condition holds are exported."""
    conditions = self._resource_map.lazy_condition_map
    exports = []
    for value in (self._output_json_map or {}).values():
        cond = value.get("Condition")
        # A condition the stack's current template lacks belongs to an output of the
        # template before an update; it exports nothing.
        if not value.get("Export") or (cond is not None and (cond not in conditions or not conditions[cond])):
            continue
        name = parsing.clean_json(value["Export"].get("Name"), self._resource_map)
        exports.append(parsing.Export(self._stack_id, name, parsing.clean_json(value.get("Value"), self._resource_map)))
    return exports


parsing.OutputMap.exports = property(_exports_of_outputs_that_exist)

_orig_validate_outputs = parsing.ResourceMap.validate_outputs


def _validate_outputs(self):
    """Adjustment 33: an output whose value is a literal boolean or number (Copilot's
    `PublicALBAccessible: true`) is valid; moto's check failed on it (HTTP 500)."""
    outputs = self._template.get("Outputs") or {}
    literal = {k: v for k, v in outputs.items() if isinstance(v, dict) and not isinstance(v.get("Value"), (dict, str))}
    for k in literal:
        del outputs[k]
    try:
        _orig_validate_outputs(self)
    finally:
        outputs.update(literal)


parsing.ResourceMap.validate_outputs = _validate_outputs

_orig_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource(self, parsed_resource, resource_json):
    """Adjustment 34: a resource with `DeletionPolicy: Retain` that an update removes
    from the stack stays in the account, as on AWS; moto deleted it."""
    if (resource_json or {}).get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
        return
    _orig_delete_resource(self, parsed_resource, resource_json)


parsing.ResourceMap._delete_resource = _delete_resource


# ---- 36. Custom resources backed by stand-in functions ---------------------------------

from moto.cloudformation import custom_model  # noqa: E402

_STAND_IN = ":function:stand-in-"
_orig_custom_create = custom_model.CustomModel.create_from_cloudformation_json.__func__


def _custom_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    token = str((cloudformation_json.get("Properties") or {}).get("ServiceToken", ""))
    if _STAND_IN not in token:
        return _orig_custom_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    made = custom_model.CustomModel(region_name, str(uuid.uuid4()), kwargs["LogicalId"], resource_name)
    made.set_data({})
    return made


def _custom_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    return original_resource


custom_model.CustomModel.create_from_cloudformation_json = classmethod(_custom_create)
custom_model.CustomModel.update_from_cloudformation_json = classmethod(_custom_update)

_delete_keeping_retained = parsing.ResourceMap._delete_resource


def _delete_recording_stand_ins(self, parsed_resource, resource_json):
    resource_json = resource_json or {}
    kind = str(resource_json.get("Type", ""))
    retained = resource_json.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    if kind.startswith("Custom::") and not retained and _STAND_IN in repr(resource_json.get("Properties")):
        from moto.ssm.models import ssm_backends

        logical_id = getattr(parsed_resource, "logical_id", None) or getattr(parsed_resource, "logical_resource_id", "unknown")
        ssm_backends[self._account_id][self._region_name].put_parameter(
            name=f"/stand-in/deleted/{self['AWS::StackName']}/{logical_id}",
            description="",
            value=kind,
            parameter_type="String",
            allowed_pattern=None,
            keyid=None,
            overwrite=True,
            tags=[],
            data_type="text",
            tier=None,
            policies=None,
        )
    _delete_keeping_retained(self, parsed_resource, resource_json)


parsing.ResourceMap._delete_resource = _delete_recording_stand_ins


# ---- 37. A record set is not created over a record of the same name and type -----------

from moto.route53 import exceptions as route53_exceptions  # noqa: E402

_orig_record_create = route53_models.RecordSet.create_from_cloudformation_json.__func__
_orig_group_create = route53_models.RecordSetGroup.create_from_cloudformation_json.__func__


def _refuse_existing(props, records, account_id, region_name):
    backend = route53_models.route53_backends[account_id][route53_models.get_partition(region_name)]
    zone_name = props.get("HostedZoneName")
    zone = backend.get_hosted_zone_by_name(zone_name) if zone_name else None
    if zone is None:
        zone = backend.get_hosted_zone(props["HostedZoneId"])
    for record in records:
        name = str(record.get("Name", "")).rstrip(".").lower()
        kind = record.get("Type")
        for r in zone.rrsets:
            if r.name.rstrip(".").lower() == name and r.type == kind and r.set_identifier == record.get("SetIdentifier"):
                raise route53_exceptions.ResourceRecordAlreadyExists(record.get("Name"), kind)


def _record_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    _refuse_existing(props, [props], account_id, region_name)
    return _orig_record_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def _group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    _refuse_existing(props, props.get("RecordSets") or [], account_id, region_name)
    return _orig_group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


route53_models.RecordSet.create_from_cloudformation_json = classmethod(_record_create)
route53_models.RecordSetGroup.create_from_cloudformation_json = classmethod(_group_create)


if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
