"""Scheduled Jobs for moto 5.2.5: Step Functions executions that run ECS tasks.

Imported by moto_server.py (adjustment 11), after moto_ecs_rollouts. moto's Step Functions
only records executions (RUNNING for good), its ECS tasks never exit, and its
CloudFormation cannot build the state machine wharf renders. With this module:

- Executions run. moto's own ASL interpreter (moto/stepfunctions/parser) is switched on,
  and CloudFormation creates state machines in the backend it uses, so a state machine
  of a stack can be started. DescribeExecution shows RUNNING, then SUCCEEDED (with
  `output`) or FAILED (with `error` and `cause`). An execution started without a name
  gets a uuid, as on AWS (moto would name it "None").
- AWS::StepFunctions::StateMachine as wharf writes it: a `DefinitionString` given as
  `!Sub [text, {variables}]` (moto's Fn::Sub read `$$.Execution.Name` as an escaped
  `$`), also `Definition` and `DefinitionSubstitutions`; `Ref` is the ARN, and
  `!GetAtt X.Arn` works. A definition the interpreter cannot parse fails the stack.
- RunTask (the API, and `arn:aws:states:::ecs:runTask[.sync]`) starts a job task that is
  RUNNING for WHARF_SIM_JOB_SECONDS (default 0.5), then STOPPED with
  stopCode EssentialContainerExited and an exit code per container: its
  WHARF_SIM_EXIT_CODE environment variable (the task definition's, overridden by the
  run's containerOverrides; default 0). A list such as "1,0" is read by run: the n-th
  RunTask of that task definition family exits with the n-th code (the last one after
  that), for Retry tests. An image the image lab's registry lacks (see
  moto_ecs_rollouts.py) stops the task with TaskFailedToStart/CannotPullContainerError
  and no exit code. StopTask stops a job task at once (UserInitiated, exit code 143).
  The task's network interface is released when it stops; AWS::EC2::VPC keeps
  EnableDnsHostnames/EnableDnsSupport (moto dropped them, and its awsvpc RunTask then
  failed on the interface's missing private DNS name). Containers need no memory of
  their own (moto's RunTask failed on a Fargate task definition that sets it on the
  task only, as wharf's do).
- `ecs:runTask.sync` runs in process, through moto's ECS backend (moto's integration
  goes over HTTP and passes the parameters unconverted: it always failed). It ends when
  the task stops: if every essential container exited 0, the state's output is the
  task as DescribeTasks shows it (PascalCase keys, as Step Functions gives it);
  otherwise the state fails with States.TaskFailed and that task, as JSON, as the cause.
  An ECS error (an unknown cluster, say) fails it with `ECS.<code>`.
- Retry and Catch are the interpreter's own; a retry runs a new task (moto reused the
  first attempt's callback endpoint, so a retried .sync task timed out at once).
  StopExecution aborts the execution (ABORTED: moto could turn it into FAILED) and stops
  its task (UserInitiated, exit code 143).
  WHARF_SIM_RETRY_SCALE (default 1) multiplies the Retry intervals, so that tests of a
  definition with IntervalSeconds 10 need not wait 10 s. The interpreter's log line for
  a failed state (the state's whole repr, kilobytes long) is silenced.

Threads: each execution runs on a thread of its own. It takes moto_ecs_rollouts.LOCK,
which every request holds (moto_server.py, adjustment 9), only around its short backend
calls, and never waits for a request, so requests and executions cannot deadlock. Job
tasks move by the clock: DescribeTasks/ListTasks and the .sync poll (every 0.1 s) see a
task stop on time, however often a client polls.
"""

import json
import logging
import os
import time
import uuid
from datetime import datetime, timezone
from types import SimpleNamespace

import moto_ecs_rollouts
from moto.cloudformation import parsing
from moto.core.config import default_user_config
from moto.core.exceptions import ServiceException
from moto.ec2.models import ec2_backends
from moto.ecs import models as ecs_models
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions.parser import models as sfn_parser_models
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent, FailureEventException
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_ecs as sfn_ecs
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
from moto.stepfunctions.parser.asl.eval import environment as sfn_environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.eval.program_state import ProgramStopped
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend import execution as sfn_execution

JOB_SECONDS = float(os.environ.get("WHARF_SIM_JOB_SECONDS", "0.5"))
RETRY_SCALE = float(os.environ.get("WHARF_SIM_RETRY_SCALE", "1"))
# How often a .sync state looks at its task (moto's interval: 0.5 s).
SYNC_POLL_SECONDS = 0.1
LOCK = moto_ecs_rollouts.LOCK
# RunTask calls per task definition family, for exit code lists ("1,0").
RUNS = {}


def _at(t):
    return datetime.fromtimestamp(t, tz=timezone.utc)


# ---- executions run, in the backend CloudFormation writes to ----------------------------

default_user_config["stepfunctions"] = {"execute_state_machine": True}
# The API then serves stepfunctions_parser_backends; StateMachine's CloudFormation
# methods look `stepfunctions_backends` up when called, so they use it too.
sfn_models.stepfunctions_backends = sfn_parser_models.stepfunctions_parser_backends

_orig_start_execution = sfn_parser_models.StepFunctionsParserBackend.start_execution


def _start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
    return _orig_start_execution(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)


sfn_parser_models.StepFunctionsParserBackend.start_execution = _start_execution

_orig_terminated = sfn_execution.BaseExecutionWorkerCommunication.terminated


def _terminated(self):
    # An execution's end is recorded field by field: a DescribeExecution never sees half of it.
    with LOCK:
        _orig_terminated(self)


sfn_execution.BaseExecutionWorkerCommunication.terminated = _terminated


def _unless_stopped(original):
    def wrapper(self, *args, **kwargs):
        with self._state_mutex:
            if not isinstance(self._program_state, ProgramStopped):
                original(self, *args, **kwargs)

    return wrapper


# A state that breaks off because of StopExecution raised an error on its way out (an
# empty evaluation stack), and the error replaced the stop: FAILED instead of ABORTED.
sfn_environment.Environment.set_error = _unless_stopped(sfn_environment.Environment.set_error)
sfn_environment.Environment.set_timed_out = _unless_stopped(sfn_environment.Environment.set_timed_out)


class _ScaledTime:
    """`time` for the retrier: its sleeps scaled by WHARF_SIM_RETRY_SCALE."""

    def __getattr__(self, name):
        return getattr(time, name)

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds * RETRY_SCALE)


retrier_decl.time = _ScaledTime()

# A failed state is logged with the whole state's repr (kilobytes per line): it drowned
# the log lines a failing test shows. DescribeExecution and the history say it all.
logging.getLogger("moto.stepfunctions.parser.asl.component.eval_component").setLevel(logging.CRITICAL)


# ---- CloudFormation state machines --------------------------------------------------------

_orig_clean_json = parsing.clean_json


def _clean_json(resource_json, resources_map):
    """`Fn::Sub: [text, {variables}]` replaces `${variable}` and nothing else: moto used
    string.Template, which also turns `$$` into `$` (`$$.Execution.Name` is ASL)."""
    if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::Sub"), list):
        text, variables = resource_json["Fn::Sub"]
        for key, value in (variables or {}).items():
            text = text.replace("${%s}" % key, str(_clean_json(value, resources_map)))
        return _orig_clean_json({"Fn::Sub": text}, resources_map)
    return _orig_clean_json(resource_json, resources_map)


parsing.clean_json = _clean_json  # clean_json recurses through the module global


def _definition_string(cloudformation_json):
    """`Definition` (an object) and `DefinitionSubstitutions` into `DefinitionString`,
    the only property moto reads."""
    props = cloudformation_json.setdefault("Properties", {})
    if "Definition" in props and "DefinitionString" not in props:
        props["DefinitionString"] = json.dumps(props.pop("Definition"))
    subs = props.pop("DefinitionSubstitutions", None) or {}
    text = props.get("DefinitionString")
    if subs and text:
        for key, value in subs.items():
            text = text.replace("${%s}" % key, str(value))
        props["DefinitionString"] = text


SM = sfn_models.StateMachine
_orig_sm_create = SM.create_from_cloudformation_json.__func__
_orig_sm_update = SM.update_from_cloudformation_json.__func__


def _sm_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    _definition_string(cloudformation_json)
    return _orig_sm_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def _sm_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    _definition_string(cloudformation_json)
    return _orig_sm_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


_orig_sm_has_attr = SM.has_cfn_attr.__func__
_orig_sm_get_attr = SM.get_cfn_attribute
SM.create_from_cloudformation_json = classmethod(_sm_create)
SM.update_from_cloudformation_json = classmethod(_sm_update)
SM.has_cfn_attr = classmethod(lambda cls, attr: attr == "Arn" or _orig_sm_has_attr(cls, attr))
SM.get_cfn_attribute = lambda self, attr: self.arn if attr == "Arn" else _orig_sm_get_attr(self, attr)


# ---- job tasks: RunTask starts a task that stops after JOB_SECONDS ------------------------

from moto.ec2.models.vpcs import VPC as _VPC  # noqa: E402

_vpc_create = _VPC.create_from_cloudformation_json.__func__


def _vpc_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    vpc = _vpc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    props = cloudformation_json.get("Properties", {})
    for key, attr in (("EnableDnsHostnames", "enable_dns_hostnames"), ("EnableDnsSupport", "enable_dns_support")):
        if key in props:
            setattr(vpc, attr, str(props[key]).lower() == "true")
    return vpc


_VPC.create_from_cloudformation_json = classmethod(_vpc_from_cfn)


def _exit_code(family, spec):
    codes = []
    for part in str(spec).split(","):
        try:
            codes.append(int(part.strip()))
        except ValueError:
            pass
    if not codes:
        return 0
    return codes[min(RUNS.get(family, 1), len(codes)) - 1]


def _containers(task, td):
    overrides = {o.get("name"): o for o in (task.overrides or {}).get("containerOverrides") or []}
    out = []
    for c in td.container_definitions:
        env = {e["name"]: e["value"] for e in c.get("environment") or []}
        env.update({e["name"]: e["value"] for e in (overrides.get(c["name"]) or {}).get("environment") or []})
        out.append(
            {
                "containerArn": f"arn:aws:ecs:{task.region_name}:{task._account_id}:container/{task.cluster_name}/{task.id}/{uuid.uuid4()}",
                "taskArn": task.task_arn,
                "name": c["name"],
                "image": c.get("image", ""),
                "lastStatus": "PENDING",
                # Kept out of API answers and Step Functions output (leading underscore).
                "_essential": c.get("essential", True) is not False,
                "_exit": _exit_code(td.family, env.get("WHARF_SIM_EXIT_CODE", "0")),
            }
        )
    return out


_orig_requirements = ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements


def _requirements(task_definition):
    # moto added up container-level memory and failed on a container without any (a
    # TypeError: HTTP 500 from RunTask), as wharf's Fargate task definitions are: they set
    # memory on the task only.
    memory_keys = ("memory", "memoryReservation", "Memory", "MemoryReservation")
    defs = task_definition.container_definitions
    if all(any(c.get(k) is not None for k in memory_keys) for c in defs):
        return _orig_requirements(task_definition)
    filled = [c if any(c.get(k) is not None for k in memory_keys) else {**c, "memory": 0} for c in defs]
    requirements = _orig_requirements(SimpleNamespace(container_definitions=filled))
    if not requirements["MEMORY"] and str(getattr(task_definition, "memory", "") or "").isdigit():
        requirements["MEMORY"] = int(task_definition.memory)
    return requirements


ecs_models.EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(_requirements)

_orig_run_task = ecs_models.EC2ContainerServiceBackend.run_task


@moto_ecs_rollouts._locked
def _run_task(self, cluster_str, task_definition_str, *args, **kwargs):
    tasks = _orig_run_task(self, cluster_str, task_definition_str, *args, **kwargs)
    td = self.describe_task_definition(task_definition_str)
    RUNS[td.family] = RUNS.get(td.family, 0) + 1
    now = time.time()
    pull_error = moto_ecs_rollouts._pull_error(self, td.arn)
    for t in tasks:
        t._transitions = []  # moto's lifecycle moves a step per DescribeTasks: the clock does here
        t.status = "PROVISIONING"
        t.created_at = _at(now)
        t.containers = _containers(t, td)
        t._wharf_job = {"started": now, "pull_error": pull_error}
    return tasks


def _release_network_interface(task):
    ec2 = ec2_backends[task._account_id][task.region_name]
    for attachment in getattr(task, "attachments", None) or []:
        for detail in attachment.get("details", []):
            if detail.get("name") == "networkInterfaceId" and detail.get("value") in ec2.enis:
                ec2.delete_network_interface(detail["value"])
        attachment["status"] = "DELETED"


def _stop(task, at, stop_code, reason):
    task.status = task.desired_status = "STOPPED"
    task.stopped_at = task.stopping_at = _at(at)
    task.stop_code, task.stopped_reason = stop_code, reason
    _release_network_interface(task)


@moto_ecs_rollouts._locked
def advance_job(task, now=None):
    """Moves a job task to where the clock says it is."""
    job = getattr(task, "_wharf_job", None)
    if job is None or task.status == "STOPPED":
        return
    now = time.time() if now is None else now
    if now - job["started"] < JOB_SECONDS:
        task.status = "PENDING" if job["pull_error"] else "RUNNING"
        if not job["pull_error"]:
            task.started_at = _at(job["started"])
        for c in task.containers:
            c["lastStatus"] = task.status
        return
    end = job["started"] + JOB_SECONDS
    if job["pull_error"]:
        _stop(task, end, "TaskFailedToStart", job["pull_error"])
        for c in task.containers:
            c.update(lastStatus="STOPPED", reason=job["pull_error"].split(":", 1)[0])
        return
    task.started_at = _at(job["started"])
    _stop(task, end, "EssentialContainerExited", "Essential container in task exited")
    for c in task.containers:
        c.update(lastStatus="STOPPED", exitCode=c["_exit"])


def _job_tasks(backend):
    for tasks in backend.tasks.values():
        yield from tasks.values()


_orig_describe_tasks = ecs_models.EC2ContainerServiceBackend.describe_tasks  # the rollouts' one


@moto_ecs_rollouts._locked
def _describe_tasks(self, cluster_str, tasks):
    found = _orig_describe_tasks(self, cluster_str, tasks)
    for t in found:
        advance_job(t)
    return found


_orig_list_tasks = ecs_models.EC2ContainerServiceBackend.list_tasks  # the rollouts' one


@moto_ecs_rollouts._locked
def _list_tasks(self, *args, **kwargs):
    # desiredStatus filters on where the clock has moved the tasks.
    for t in _job_tasks(self):
        advance_job(t)
    return _orig_list_tasks(self, *args, **kwargs)


_orig_stop_task = ecs_models.EC2ContainerServiceBackend.stop_task


@moto_ecs_rollouts._locked
def _stop_task(self, cluster_str, task_str, reason):
    task = next((t for t in _job_tasks(self) if t.task_arn.endswith("/" + task_str.split("/")[-1])), None)
    if task is not None:
        advance_job(task)
    if task is None or getattr(task, "_wharf_job", None) is None or task.status == "STOPPED":
        return _orig_stop_task(self, cluster_str, task_str, reason)
    _stop(task, time.time(), "UserInitiated", reason or "Task stopped by user")
    for c in task.containers:
        c.update(lastStatus="STOPPED", exitCode=143)  # SIGTERM
    return task


ecs_models.EC2ContainerServiceBackend.run_task = _run_task
ecs_models.EC2ContainerServiceBackend.describe_tasks = _describe_tasks
ecs_models.EC2ContainerServiceBackend.list_tasks = _list_tasks
ecs_models.EC2ContainerServiceBackend.stop_task = _stop_task


# ---- ecs:runTask(.sync) through the ECS backend, in process -------------------------------


def _lower(v):
    if isinstance(v, dict):
        return {k[:1].lower() + k[1:]: _lower(x) for k, x in v.items()}
    return [_lower(x) for x in v] if isinstance(v, list) else v


def _pascal(v):
    if isinstance(v, dict):
        return {k[:1].upper() + k[1:]: _pascal(x) for k, x in v.items() if not k.startswith("_")}
    return [_pascal(x) for x in v] if isinstance(v, list) else v


def task_json(t):
    """A task as DescribeTasks shows it (camelCase; times in epoch milliseconds, as Step
    Functions writes them)."""
    out = {
        "taskArn": t.task_arn,
        "clusterArn": t.cluster_arn,
        "taskDefinitionArn": t.task_definition_arn,
        "lastStatus": t.status,
        "desiredStatus": t.desired_status,
        "launchType": t.launch_type or None,
        "platformVersion": t.platform_version,
        "startedBy": t.started_by,
        "group": t.group,
        "overrides": t.overrides,
        "attachments": t.attachments,
        "containers": t.containers,
    }
    for attr, key in [("stop_code", "stopCode"), ("stopped_reason", "stoppedReason"), ("created_at", "createdAt"),
                      ("started_at", "startedAt"), ("stopping_at", "stoppingAt"), ("stopped_at", "stoppedAt")]:
        value = getattr(t, attr, None)
        if value:
            out[key] = int(value.timestamp() * 1000) if isinstance(value, datetime) else value
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}


def _ecs_backend(resource_runtime_part):
    return ecs_models.ecs_backends[resource_runtime_part.account][resource_runtime_part.region]


def _failure(self, env, error_name, error, cause):
    return FailureEventException(
        FailureEvent(
            env=env,
            error_name=error_name,
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                    error=error,
                    cause=cause,
                )
            ),
        )
    )


def _eval_service_task(self, env, resource_runtime_part, normalised_parameters, state_credentials):
    if self._get_boto_service_action() != "run_task":
        raise RuntimeError(f"Unsupported ECS API action {self.resource.api_action} (the simulation runs RunTask only)")
    p = _lower(normalised_parameters)
    try:
        with LOCK:
            tasks = _ecs_backend(resource_runtime_part).run_task(
                p.get("cluster", "default"), p.get("taskDefinition"), int(p.get("count", 1)), p.get("overrides"),
                p.get("startedBy", ""), p.get("tags"), p.get("launchType"), p.get("networkConfiguration"),
                p.get("group"), p.get("platformVersion"), p.get("capacityProviderStrategy"),
            )
            submitted = _pascal({"tasks": [task_json(t) for t in tasks], "failures": []})
    except ServiceException as error:
        code = getattr(error, "code", None) or getattr(error, "error_type", "ServerException")
        message = getattr(error, "message", str(error))
        raise _failure(
            self, env, CustomErrorName(f"ECS.{code}"), f"ECS.{code}",
            f"{message} (Service: AmazonECS; Status Code: 400; Error Code: {code})",
        ) from None
    env.stack.append(submitted)


def _build_sync_resolver(self, env, resource_runtime_part, normalised_parameters, state_credentials):
    submitted = env.stack.pop()
    arn = submitted["Tasks"][0]["TaskArn"]
    backend = _ecs_backend(resource_runtime_part)

    def task():
        return next(t for t in _job_tasks(backend) if t.task_arn == arn)

    def resolve():
        with LOCK:
            task = resolve.task()
            advance_job(task)
            if task.status != "STOPPED":
                return None
            result = _pascal(task_json(task))
            essential = [c for c in task.containers if c["_essential"]]
        if all(c.get("exitCode") == 0 for c in essential):
            return result
        failed = StatesErrorNameType.StatesTaskFailed
        raise _failure(self, env, StatesErrorName(typ=failed), failed.to_name(), to_json_str(result))

    resolve.task = task
    return resolve


sfn_ecs.StateTaskServiceEcs._eval_service_task = _eval_service_task
sfn_ecs.StateTaskServiceEcs._build_sync_resolver = _build_sync_resolver

_orig_integration_pattern = sfn_ecs.StateTaskServiceEcs._eval_integration_pattern


def _eval_integration_pattern(self, env, resource_runtime_part, normalised_parameters, state_credentials):
    """`.sync`: polls the task until it stops. moto's version also listened for a task
    token on a thread of its own, which broke twice: the endpoint, one per Task state,
    was left interrupted by the first attempt (a retry "timed out" at once), and a
    StopExecution in between handed that thread a garbage timeout (a traceback)."""
    if self.resource.condition != ResourceCondition.Sync:
        # waitForTaskToken: moto's, with a fresh callback endpoint per attempt.
        env.callback_pool_manager.add(env.states.context_object.update_task_token())
        return _orig_integration_pattern(self, env, resource_runtime_part, normalised_parameters, state_credentials)
    resolve = self._build_sync_resolver(env, resource_runtime_part, normalised_parameters, state_credentials)
    while env.is_running():
        result = resolve()
        if result is not None:
            env.stack.append(result)
            return
        time.sleep(SYNC_POLL_SECONDS)
    # StopExecution: Step Functions stops the task.
    with LOCK:
        task = resolve.task()
        if task.status != "STOPPED":
            _stop(task, time.time(), "UserInitiated", "Task stopped by AWS Step Functions: the execution was stopped")
            for c in task.containers:
                c.update(lastStatus="STOPPED", exitCode=143)
        # A value, not an error: an error would turn ABORTED into FAILED.
        env.stack.append(_pascal(task_json(task)))


sfn_ecs.StateTaskServiceEcs._eval_integration_pattern = _eval_integration_pattern
