"""ECS rollouts for moto 5.2.5, so that wharf's rollout watcher meets something like ECS.

Imported by moto_server.py (adjustment 8). moto's ECS keeps one static deployment per
service. With this module:

- Creating a service, changing its task definition (CloudFormation or UpdateService) or
  forcing a new deployment starts a new PRIMARY deployment, IN_PROGRESS; the previous
  PRIMARY becomes ACTIVE.
- Time moves rollouts forward, evaluated whenever the service or its tasks are described:
  * an image that can be pulled: tasks come up over WHARF_SIM_ROLLOUT_SECONDS (default 2),
    then the deployment is COMPLETED, older deployments are drained, and the service
    reaches a steady state;
  * an image that cannot (one under the image lab's registry host that the registry does
    not hold): a task fails every WHARF_SIM_FAIL_SECONDS (default 0.3) with
    CannotPullContainerError, as a STOPPED task started by the deployment; at the
    circuit breaker's threshold (half the desired count, at least 3, at most 200) the
    deployment FAILS and, with rollback enabled, a deployment of the last completed task
    definition starts.
- Service events say what happened, as ECS words them.
- The deployment history (ListServiceDeployments, DescribeServiceDeployments,
  DescribeServiceRevisions): one service deployment per deployment started, IN_PROGRESS,
  then SUCCESSFUL, ROLLBACK_IN_PROGRESS/ROLLBACK_SUCCESSFUL, or STOPPED; a circuit-breaker
  rollback belongs to the service deployment that failed, as in ECS.
"""

import functools
import math
import os
import threading
import time
import uuid
from datetime import datetime, timezone

from moto.ecs import models as ecs_models

ROLLOUT_SECONDS = float(os.environ.get("WHARF_SIM_ROLLOUT_SECONDS", "2"))
# moto serves requests on several threads: one lock for every change to the simulation.
LOCK = threading.RLock()


def _locked(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        with LOCK:
            return f(*args, **kwargs)

    return wrapper

# GET <registry>/v2/<path> → (body, headers) or None on 404; set by moto_server.py.
registry_get = None
FAIL_SECONDS = float(os.environ.get("WHARF_SIM_FAIL_SECONDS", "0.3"))


def _at(t):
    return datetime.fromtimestamp(t, tz=timezone.utc)


def _sim(svc):
    if not hasattr(svc, "_wharf_sim"):
        svc._wharf_sim = {"meta": {}, "last_good": None, "tasks": [], "events": [], "history": {}}
    return svc._wharf_sim


# Service deployments and revisions by ARN, across services.
HISTORY = {}
REVISIONS = {}


def _record(svc, dep, now):
    base = f"arn:aws:ecs:{svc.region_name}:{svc._account_id}"
    key = uuid.uuid4().hex[:20]
    rev_arn = f"{base}:service-revision/{svc.cluster_name}/{svc.name}/{key}"
    td = svc._backend.describe_task_definition(dep["taskDefinition"])
    REVISIONS[rev_arn] = {
        "serviceRevisionArn": rev_arn,
        "serviceArn": svc.arn,
        "clusterArn": f"{base}:cluster/{svc.cluster_name}",
        "taskDefinition": dep["taskDefinition"],
        "createdAt": _at(now),
        "containerImages": [{"containerName": c["name"], "image": c.get("image", "")} for c in td.container_definitions],
    }
    arn = f"{base}:service-deployment/{svc.cluster_name}/{svc.name}/{key}"
    HISTORY[arn] = {
        "serviceDeploymentArn": arn,
        "serviceArn": svc.arn,
        "clusterArn": f"{base}:cluster/{svc.cluster_name}",
        "createdAt": _at(now),
        "startedAt": _at(now),
        "targetServiceRevisionArn": rev_arn,
        "targetServiceRevision": {"arn": rev_arn, "requestedTaskCount": dep["desiredCount"]},
        "status": "IN_PROGRESS",
    }
    _sim(svc)["history"][dep["id"]] = arn


def _history_status(svc, dep_id, status, reason, now):
    arn = _sim(svc)["history"].get(dep_id)
    if arn:
        HISTORY[arn].update(status=status, statusReason=reason, finishedAt=_at(now))


def threshold(desired):
    return min(max(math.ceil(0.5 * desired), 3), 200)


def _pull_error(backend, task_definition):
    """Why the task definition's images cannot be pulled, or None."""
    registry = os.environ.get("WHARF_LAB_REGISTRY", "")
    host = registry.split("://", 1)[-1].rstrip("/")
    if not host or registry_get is None:
        return None

    td = backend.describe_task_definition(task_definition)
    for c in td.container_definitions:
        image = c.get("image", "")
        if not image.startswith(host + "/"):
            continue
        path = image[len(host) + 1 :]
        if "@" in path:
            repo, ref = path.split("@", 1)
        else:
            repo, _, ref = path.rpartition(":")
        if registry_get(f"{repo}/manifests/{ref}", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json") is None:
            return (
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                f"failed to resolve ref {image}: {image}: not found"
            )
    return None


def _event(svc, t, message):
    sim = _sim(svc)
    sim["events"].insert(0, {"id": str(uuid.uuid4()), "createdAt": _at(t), "message": f"(service {svc.name}) {message}"})
    del sim["events"][100:]
    svc.events = sim["events"]


class SimTask(dict):
    """A stopped task, shaped like DescribeTasks' `Task`."""

    @property
    def task_arn(self):
        return self["taskArn"]


@_locked
def start_deployment(svc, task_definition, now=None, rollback_of=None):
    now = time.time() if now is None else now
    backend = svc._backend
    sim = _sim(svc)
    for d in svc.deployments:
        if d["status"] == "PRIMARY":
            d["status"] = "ACTIVE"
    dep_id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
    svc.deployments.insert(
        0,
        {
            "id": dep_id,
            "status": "PRIMARY",
            "taskDefinition": task_definition,
            "desiredCount": svc.desired_count,
            "pendingCount": svc.desired_count,
            "runningCount": 0,
            "failedTasks": 0,
            "createdAt": _at(now),
            "updatedAt": _at(now),
            "launchType": svc.launch_type,
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": f"ECS deployment {dep_id} in progress.",
        },
    )
    error = _pull_error(backend, task_definition)
    sim["meta"][dep_id] = {"started": now, "error": error, "next_fail": now + FAIL_SECONDS, "rollback_of": rollback_of}
    if rollback_of is None:
        _record(svc, svc.deployments[0], now)
    if rollback_of:
        _event(svc, now, f"(deployment {rollback_of}) deployment failed: tasks failed to start. Rolling back to deployment {dep_id}.")
    svc.task_definition = task_definition
    return dep_id


def _fail_task(svc, d, meta, t):
    sim = _sim(svc)
    task_id = uuid.uuid4().hex
    arn = f"arn:aws:ecs:{svc.region_name}:{svc._account_id}:task/{svc.cluster_name}/{task_id}"
    container = svc._backend.describe_task_definition(d["taskDefinition"]).container_definitions[0]["name"]
    sim["tasks"].append(
        SimTask(
            taskArn=arn,
            clusterArn=f"arn:aws:ecs:{svc.region_name}:{svc._account_id}:cluster/{svc.cluster_name}",
            taskDefinitionArn=d["taskDefinition"],
            startedBy=d["id"],
            lastStatus="STOPPED",
            desiredStatus="STOPPED",
            stopCode="TaskFailedToStart",
            stoppedReason=meta["error"],
            stoppedAt=_at(t),
            createdAt=_at(t - FAIL_SECONDS),
            containers=[{"name": container, "lastStatus": "STOPPED", "reason": meta["error"].split(":", 1)[0]}],
        )
    )
    d["failedTasks"] += 1
    _event(svc, t, f"failed to launch a task with (error {meta['error']}).")


@_locked
def advance(svc, now=None):
    now = time.time() if now is None else now
    sim = _sim(svc)
    for d in list(svc.deployments):
        meta = sim["meta"].get(d["id"])
        if meta is None or d["rolloutState"] != "IN_PROGRESS":
            continue
        if meta["error"] is None:
            age = now - meta["started"]
            if age >= ROLLOUT_SECONDS:
                if d["status"] != "PRIMARY":
                    # Superseded by a newer deployment: it ends when that one does,
                    # as in ECS, instead of completing and dropping the newer one.
                    continue
                # Evaluated lazily, but dated when it happened.
                done = meta["started"] + ROLLOUT_SECONDS
                d.update(rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {d['id']} completed.",
                         runningCount=d["desiredCount"], pendingCount=0, updatedAt=_at(done))
                for x in svc.deployments:
                    if x is not d and x["rolloutState"] == "IN_PROGRESS":
                        _history_status(svc, x["id"], "STOPPED", f"ECS deployment {x['id']} was superseded by {d['id']}.", done)
                svc.deployments[:] = [x for x in svc.deployments if x is d]
                svc.running_count, svc.pending_count = d["desiredCount"], 0
                sim["last_good"] = d["taskDefinition"]
                if meta.get("rollback_of"):
                    _history_status(svc, meta["rollback_of"], "ROLLBACK_SUCCESSFUL", "ECS deployment circuit breaker: tasks failed to start.", done)
                else:
                    _history_status(svc, d["id"], "SUCCESSFUL", None, done)
                _event(svc, done, f"(deployment {d['id']}) deployment completed.")
                _event(svc, done, "has reached a steady state.")
            else:
                up = min(d["desiredCount"], int(d["desiredCount"] * age / ROLLOUT_SECONDS))
                d.update(runningCount=up, pendingCount=d["desiredCount"] - up)
            continue
        while meta["next_fail"] <= now and d["rolloutState"] == "IN_PROGRESS":
            t = meta["next_fail"]
            _fail_task(svc, d, meta, t)
            meta["next_fail"] += FAIL_SECONDS
            if d["failedTasks"] < threshold(d["desiredCount"]):
                continue
            d.update(rolloutState="FAILED", rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
                     pendingCount=0, updatedAt=_at(t))
            breaker = (getattr(svc, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}
            if breaker.get("rollback") and sim["last_good"]:
                _history_status(svc, d["id"], "ROLLBACK_IN_PROGRESS", "ECS deployment circuit breaker: tasks failed to start.", t)
                start_deployment(svc, sim["last_good"], now=t, rollback_of=d["id"])
                return advance(svc, now)
            _history_status(svc, d["id"], "STOPPED", "ECS deployment circuit breaker: tasks failed to start.", t)
            _event(svc, t, f"(deployment {d['id']}) deployment failed: tasks failed to start.")


# ---- hooks into moto -------------------------------------------------------------------

_orig_init = ecs_models.Service.__init__


@_locked
def _init(self, *args, **kwargs):
    _orig_init(self, *args, **kwargs)
    if self.deployments:
        self.deployments.clear()
        self.events = []
        start_deployment(self, self.task_definition)


ecs_models.Service.__init__ = _init

_orig_update = ecs_models.EC2ContainerServiceBackend.update_service


@_locked
def _update_service(self, service_properties):
    cluster = service_properties.get("cluster", "default")
    name = service_properties.get("service", "").split("/")[-1]
    force = service_properties.pop("force_new_deployment", False)
    before = self._get_service(cluster, name).task_definition
    svc = _orig_update(self, service_properties)
    if force or svc.task_definition != before:
        start_deployment(svc, svc.task_definition)
    return svc


ecs_models.EC2ContainerServiceBackend.update_service = _update_service


@_locked
def new_task_definition(svc, task_definition):
    """CloudFormation changed the service's task definition."""
    if task_definition != svc.task_definition:
        start_deployment(svc, task_definition)


_orig_describe_services = ecs_models.EC2ContainerServiceBackend.describe_services


@_locked
def _describe_services(self, cluster_str, service_names_or_arns):
    services, failures = _orig_describe_services(self, cluster_str, service_names_or_arns)
    for s in services:
        advance(s)
    return services, failures


ecs_models.EC2ContainerServiceBackend.describe_services = _describe_services


def _sim_tasks(backend):
    for svc in backend.services.values():
        advance(svc)
        yield from _sim(svc)["tasks"]


_orig_list_tasks = ecs_models.EC2ContainerServiceBackend.list_tasks


@_locked
def _list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None, service_name=None, desiredStatus=None):
    tasks = _orig_list_tasks(self, cluster_str, container_instance, family, started_by, service_name, desiredStatus)
    for t in _sim_tasks(self):
        if cluster_str and not t["clusterArn"].endswith("/" + cluster_str.split("/")[-1]):
            continue
        if started_by and t["startedBy"] != started_by:
            continue
        if desiredStatus and desiredStatus != "STOPPED":
            continue
        tasks.append(t)
    return tasks


ecs_models.EC2ContainerServiceBackend.list_tasks = _list_tasks

_orig_describe_tasks = ecs_models.EC2ContainerServiceBackend.describe_tasks


@_locked
def _describe_tasks(self, cluster_str, tasks):
    # Tasks are asked for by ARN or by id.
    wanted = {t.rsplit("/", 1)[-1] for t in tasks or []}
    sim = [t for t in _sim_tasks(self) if t["taskArn"].rsplit("/", 1)[-1] in wanted]
    found = {t["taskArn"].rsplit("/", 1)[-1] for t in sim}
    rest = [t for t in tasks or [] if t.rsplit("/", 1)[-1] not in found]
    return (_orig_describe_tasks(self, cluster_str, rest) if rest else []) + sim


ecs_models.EC2ContainerServiceBackend.describe_tasks = _describe_tasks


# ---- the deployment history API ----------------------------------------------------------

from moto.core.responses import ActionResult  # noqa: E402
from moto.ecs import responses as ecs_responses  # noqa: E402

_BRIEF = ("serviceDeploymentArn", "serviceArn", "clusterArn", "startedAt", "createdAt", "finishedAt", "targetServiceRevisionArn", "status", "statusReason")


def _advance_all(backend):
    for svc in backend.services.values():
        advance(svc)


def _instant(value):
    """A `createdAt` bound: moto's request parser gives a datetime (naive means UTC);
    epoch seconds are taken too."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)
    return _at(float(value))


@_locked
def _list_service_deployments(self):
    _advance_all(self.ecs_backend)
    service = self._get_param("service")
    cluster = self._get_param("cluster", "default").split("/")[-1]
    statuses = self._get_param("status") or []
    created = self._get_param("createdAt") or {}
    after, before = _instant(created.get("after")), _instant(created.get("before"))
    svc = self.ecs_backend._get_service(cluster, service.split("/")[-1])
    out = []
    for h in HISTORY.values():
        if h["serviceArn"] != svc.arn or (statuses and h["status"] not in statuses):
            continue
        if (after is not None and h["createdAt"] < after) or (before is not None and h["createdAt"] > before):
            continue
        out.append({k: h[k] for k in _BRIEF if k in h})
    out.sort(key=lambda h: h["createdAt"], reverse=True)
    return ActionResult({"serviceDeployments": out})


@_locked
def _describe_service_deployments(self):
    _advance_all(self.ecs_backend)
    arns = self._get_param("serviceDeploymentArns") or []
    found = [{k: v for k, v in HISTORY[a].items() if k != "targetServiceRevisionArn"} for a in arns if a in HISTORY]
    return ActionResult({"serviceDeployments": found, "failures": [{"arn": a, "reason": "MISSING"} for a in arns if a not in HISTORY]})


@_locked
def _describe_service_revisions(self):
    arns = self._get_param("serviceRevisionArns") or []
    return ActionResult({"serviceRevisions": [REVISIONS[a] for a in arns if a in REVISIONS], "failures": [{"arn": a, "reason": "MISSING"} for a in arns if a not in REVISIONS]})


ecs_responses.EC2ContainerServiceResponse.list_service_deployments = _list_service_deployments
ecs_responses.EC2ContainerServiceResponse.describe_service_deployments = _describe_service_deployments
ecs_responses.EC2ContainerServiceResponse.describe_service_revisions = _describe_service_revisions
